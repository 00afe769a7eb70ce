// Settings → a model file on disk, for the base model (ghost text) and Solar Instruct (Prompt…). A
// local path is used as it is; a catalog quantization ("auto" included, reasoned from the engine's
// view of free memory) names a file in the storage folder, downloaded after the user agrees to a
// multi-gigabyte download under the model's licence, with progress, speed, ETA and cancel, through
// VS Code's proxy settings. The logic lives in src/model/; this is its VS Code side.

import * as os from "node:os";
import * as vscode from "vscode";
import { HTTP_SECTION, readNetwork, type Settings } from "../config";
import type { WorkerClient } from "../engine/workerClient";
import type { AutoChoice, MemoryFigures } from "../model/autoQuant";
import type { Variant } from "../model/catalog";
import { consentMessage } from "../model/catalogPicks";
import type { DownloadProgress } from "../model/download";
import { DownloadError } from "../model/downloadErrors";
import { instructModelSettings, pull, resolveModel, storageFolder, tokenFromEnvironment, type ResolvedModel } from "../model/modelStore";
import type { NetworkOptions } from "../net/networkOptions";
import { formatBytes, formatGB } from "../util/bytes";

/** The secret "Set Download Token…" stores. */
export const DOWNLOAD_TOKEN_KEY = "solarComplete.downloadToken";

type CatalogModel = Extract<ResolvedModel, { kind: "catalog" }>;

export interface ModelFileResolverDeps {
    readonly context: vscode.ExtensionContext;
    readonly log: vscode.LogOutputChannel;
    /** Measures free memory for "auto". */
    readonly engine: Pick<WorkerClient, "probeMemory">;
    /** The consent message's other button: the quick pick of that variant's quantizations. */
    readonly chooseQuantization: (variant: Variant) => void;
}

export class ModelFileResolver {
    constructor(private readonly deps: ModelFileResolverDeps) {}

    /** For ModelLoader: the file to load, downloading it first when the user agrees. */
    async resolvePath(settings: Settings): Promise<string | undefined> {
        const resolved = await this.resolve(settings);
        if (resolved.kind === "local") return resolved.path;
        if (resolved.auto) this.logAuto(resolved.auto);
        if (resolved.present) return resolved.path;
        if (!(await this.consent(resolved))) {
            throw Object.assign(
                new Error(`${resolved.entry.title} is not downloaded: run "Solar: Choose Quantization…" to download it, or set solarComplete.modelPath to a local GGUF file.`),
                { code: "NOT_DOWNLOADED" },
            );
        }
        await this.download(resolved, settings);
        return resolved.path;
    }

    /** The file the settings name, without downloading it. */
    resolve(settings: Settings): Promise<ResolvedModel> {
        return resolveModel(settings, {
            defaultStorage: this.deps.context.globalStorageUri.fsPath,
            probeMemory: () => this.probeMemory(settings),
        });
    }

    /** The Solar Instruct file the settings name (instructModelPath, else instructQuantization), without downloading it. */
    async resolveInstruct(settings: Settings): Promise<ResolvedModel | undefined> {
        const instruct = instructModelSettings(settings);
        if (!instruct) return undefined;
        return resolveModel(instruct, {
            defaultStorage: this.deps.context.globalStorageUri.fsPath,
            probeMemory: () => this.probeMemory(settings),
            variant: "instruct",
        });
    }

    /**
     * For Prompt…: the Solar Instruct file to load, downloading the catalog's first when the user
     * agrees (its consent names the non-commercial licence). Undefined: none is set, or the user declined.
     */
    async instructPath(settings: Settings): Promise<string | undefined> {
        const resolved = await this.resolveInstruct(settings);
        if (!resolved) return undefined;
        if (resolved.kind === "local") return resolved.path;
        if (resolved.auto) this.logAuto(resolved.auto);
        if (resolved.present) return resolved.path;
        if (!(await this.consent(resolved))) return undefined;
        await this.download(resolved, settings);
        return resolved.path;
    }

    /** The reasoning behind an "auto" choice, one line per quantization. */
    logAuto(choice: AutoChoice): void {
        this.deps.log.info(choice.summary);
        for (const reason of choice.reasons) this.deps.log.info(`  ${reason}`);
    }

    /** The engine's view of free memory; the OS's free RAM when the engine can't say (no backend loads). */
    private async probeMemory(settings: Settings): Promise<MemoryFigures> {
        try {
            return await this.deps.engine.probeMemory(settings.gpu);
        } catch (error) {
            this.deps.log.warn(`Memory probe: the engine could not measure (${error instanceof Error ? error.message : String(error)}); using the OS's free RAM`);
            return { ram: { total: os.totalmem(), free: os.freemem() } };
        }
    }

    private async consent(resolved: CatalogModel): Promise<boolean> {
        const { entry } = resolved;
        this.deps.log.info(`${entry.title}: licence ${entry.licence.id}${entry.licence.commercialUse ? "" : " (non-commercial use only)"}, ${entry.licence.url}`);
        // For unattended machines (provisioning, CI): agree in advance.
        if (process.env.SOLAR_DOWNLOAD_CONSENT === "always") return true;
        const download = vscode.l10n.t("Download {0}", formatGB(entry.size));
        const choose = vscode.l10n.t("Choose Quantization…");
        const answer = await vscode.window.showInformationMessage(consentMessage(entry, (m, ...args) => vscode.l10n.t(m, ...args)), download, choose);
        if (answer === choose) this.deps.chooseQuantization(entry.variant);
        return answer === download;
    }

    private async download(resolved: CatalogModel, settings: Settings): Promise<void> {
        const token = (await this.deps.context.secrets.get(DOWNLOAD_TOKEN_KEY)) || tokenFromEnvironment();
        const folder = storageFolder(settings, this.deps.context.globalStorageUri.fsPath);
        this.deps.log.info(`Downloading ${resolved.url} into ${resolved.path}`);
        await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Downloading {0}", resolved.entry.title), cancellable: true },
            async (progress, cancel) => {
                const abort = new AbortController();
                cancel.onCancellationRequested(() => abort.abort());
                let reported = 0;
                const result = await pull(resolved.entry, folder, settings.downloadEndpoint, {
                    token,
                    signal: abort.signal,
                    network: networkOptions(settings),
                    log: (message) => this.deps.log.info(message),
                    onProgress: (p) => {
                        const fraction = p.total ? p.received / p.total : 0;
                        const increment = Math.max(0, fraction * 100 - reported);
                        reported += increment;
                        progress.report({ message: progressText(p), increment });
                    },
                }).catch((error: unknown) => {
                    const message = error instanceof Error ? error.message : String(error);
                    this.deps.log.error(message);
                    throw error instanceof DownloadError ? Object.assign(new Error(message), { code: error.code }) : error;
                });
                this.deps.log.info(
                    result.reused ? `${result.path} was already complete` : `Downloaded ${formatBytes(result.size)} (sha256 ${result.sha256}) to ${result.path}`,
                );
            },
        );
    }
}

/** The network policy for requests made from the extension host: VS Code's http.* settings and solarComplete.caCertificates. */
export function networkOptions(settings: Pick<Settings, "caCertificates">): NetworkOptions {
    return readNetwork(vscode.workspace.getConfiguration(HTTP_SECTION), settings);
}

function progressText(p: DownloadProgress): string {
    if (p.phase === "waiting") return `another window is downloading it: ${formatBytes(p.received)} so far`;
    if (p.phase === "verifying") return "verifying…";
    const eta = p.etaSeconds !== undefined ? `, ${Math.ceil(p.etaSeconds / 60)} min left` : "";
    return `${formatBytes(p.received)}${p.total ? ` of ${formatBytes(p.total)}` : ""} at ${formatBytes(p.bytesPerSecond)}/s${eta}`;
}
