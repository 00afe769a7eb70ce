// Settings → the model file to load: `modelPath` when set (a local GGUF overrides the catalog), else
// the catalog entry for the quantization ("auto" asks memoryProbe) in the storage folder. Shared by
// the extension (which adds consent and progress UI) and the CLI. No vscode here.

import * as path from "node:path";
import { chooseQuantization, type AutoChoice, type MemoryFigures } from "./autoQuant";
import { CATALOG, catalogEntry, DEFAULT_QUANTIZATION, downloadUrl, SOLAR_KV_STATE_BYTES, type CatalogEntry, type QuantizationSetting, type Variant } from "./catalog";
import { downloadModel, type DownloadOptions, type DownloadResult } from "./download";
import { inspectGguf } from "./ggufFile";

export interface ModelSettings {
    readonly modelPath: string;
    readonly quantization: QuantizationSetting;
    readonly downloadEndpoint: string;
    /** Empty = the caller's default (the extension's global storage; the CLI's current folder). */
    readonly storageFolder: string;
    /** KV states the engine keeps (solarComplete.kvStates): "auto" leaves room for the extra ones. */
    readonly kvStates?: number;
}

export type ResolvedModel =
    | { readonly kind: "local"; readonly path: string }
    | {
          readonly kind: "catalog";
          readonly entry: CatalogEntry;
          readonly path: string;
          readonly url: string;
          readonly present: boolean;
          /** Present when the setting is "auto": the choice and its reasoning. */
          readonly auto?: AutoChoice;
      };

export interface ResolveDeps {
    readonly defaultStorage: string;
    /** Only called for "auto". */
    readonly probeMemory: () => Promise<MemoryFigures>;
    readonly variant?: Variant;
}

export async function resolveModel(settings: ModelSettings, deps: ResolveDeps): Promise<ResolvedModel> {
    if (settings.modelPath) return { kind: "local", path: settings.modelPath };
    const variant = deps.variant ?? "base";
    let auto: AutoChoice | undefined;
    let entry: CatalogEntry;
    if (settings.quantization === "auto") {
        const extraStates = Math.max(0, (settings.kvStates ?? 1) - 1);
        auto = chooseQuantization(CATALOG.filter((e) => e.variant === variant), await deps.probeMemory(), extraStates * SOLAR_KV_STATE_BYTES);
        entry = auto.entry ?? catalogEntry(variant, DEFAULT_QUANTIZATION);
    } else {
        entry = catalogEntry(variant, settings.quantization);
    }
    const file = path.join(storageFolder(settings, deps.defaultStorage), entry.fileName);
    return { kind: "catalog", entry, path: file, url: downloadUrl(entry, settings.downloadEndpoint), present: await isCompleteModel(file), ...(auto ? { auto } : {}) };
}

/**
 * The Solar Instruct that "Solar: Prompt..." answers with, as ModelSettings for resolveModel with
 * variant "instruct": instructModelPath overrides the catalog; undefined when neither names one.
 */
export function instructModelSettings(
    settings: Pick<ModelSettings, "downloadEndpoint" | "storageFolder"> & { readonly instructModelPath: string; readonly instructQuantization: QuantizationSetting | "none" },
): ModelSettings | undefined {
    if (!settings.instructModelPath && settings.instructQuantization === "none") return undefined;
    return {
        modelPath: settings.instructModelPath,
        quantization: settings.instructQuantization === "none" ? DEFAULT_QUANTIZATION : settings.instructQuantization,
        downloadEndpoint: settings.downloadEndpoint,
        storageFolder: settings.storageFolder,
    };
}

export function storageFolder(settings: Pick<ModelSettings, "storageFolder">, defaultStorage: string): string {
    return settings.storageFolder.trim() || defaultStorage;
}

/** A file that passes the header check; downloads only ever land verified, so this is enough offline. */
export async function isCompleteModel(file: string): Promise<boolean> {
    try {
        await inspectGguf(file);
        return true;
    } catch {
        return false;
    }
}

/** A token for gated repositories, from the environment (the extension also reads SecretStorage). */
export function tokenFromEnvironment(env: NodeJS.ProcessEnv = process.env): string | undefined {
    return env.SOLAR_DOWNLOAD_TOKEN || env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN || undefined;
}

export type PullOptions = Omit<DownloadOptions, "url" | "destination" | "headers" | "sha256"> & { readonly token?: string; readonly sha256?: string };

/** Downloads `entry` (or a plain URL) into `folder` under its own file name. */
export function pull(source: CatalogEntry | string, folder: string, endpoint: string, options: PullOptions): Promise<DownloadResult> {
    const url = typeof source === "string" ? source : downloadUrl(source, endpoint);
    const fileName = typeof source === "string" ? decodeURIComponent(new URL(source).pathname.split("/").pop() ?? "") : source.fileName;
    const { token, sha256, ...rest } = options;
    return downloadModel({
        ...rest,
        url,
        destination: path.join(folder, fileName),
        sha256: sha256 ?? (typeof source === "string" ? undefined : source.sha256),
        headers: token ? { authorization: `Bearer ${token}` } : undefined,
    });
}
