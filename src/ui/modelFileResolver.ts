// Settings → a model file on disk. A local path is used as it is; a catalog quantization ("auto"
// included, reasoned from the engine's view of free memory) names a file in the storage folder,
// downloaded after the user agrees to a multi-gigabyte download, with progress, speed, ETA and
// cancel. The logic lives in src/model/; this is its VS Code side.

import * as os from "node:os";
import * as vscode from "vscode";
import type { Settings } from "../config";
import type { WorkerClient } from "../engine/workerClient";
import type { AutoChoice, MemoryFigures } from "../model/autoQuant";
import type { DownloadProgress } from "../model/download";
import { DownloadError } from "../model/downloadErrors";
import { pull, resolveModel, storageFolder, tokenFromEnvironment, type ResolvedModel } from "../model/modelStore";
import { formatBytes, formatGB } from "../util/bytes";

/** The secret "Set Download Token…" stores. */
export const DOWNLOAD_TOKEN_KEY = "solarComplete.downloadToken";

type CatalogModel = Extract<ResolvedModel, { kind: "catalog" }>;

export interface ModelFileResolverDeps {
    readonly context: vscode.ExtensionContext;
    readonly log: vscode.LogOutputChannel;
    /** Measures free memory for "auto". */
    readonly engine: Pick<WorkerClient, "probeMemory">;
    /** The consent message's other button. */
    readonly chooseQuantization: () => void;
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
        // For unattended machines (provisioning, CI): agree in advance.
        if (process.env.SOLAR_DOWNLOAD_CONSENT === "always") return true;
        const download = `Download ${formatGB(resolved.entry.size)}`;
        const answer = await vscode.window.showInformationMessage(
            `Solar Complete needs ${resolved.entry.title} (${formatGB(resolved.entry.size)} download, ~${formatGB(resolved.entry.memory)} of memory to run). Download it now?`,
            { detail: `From ${resolved.url}\nInto ${resolved.path}` },
            download,
            "Choose Quantization…",
        );
        if (answer === "Choose Quantization…") this.deps.chooseQuantization();
        return answer === download;
    }

    private async download(resolved: CatalogModel, settings: Settings): Promise<void> {
        const token = (await this.deps.context.secrets.get(DOWNLOAD_TOKEN_KEY)) || tokenFromEnvironment();
        const folder = storageFolder(settings, this.deps.context.globalStorageUri.fsPath);
        this.deps.log.info(`Downloading ${resolved.url} into ${resolved.path}`);
        await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: `Downloading ${resolved.entry.title}`, cancellable: true },
            async (progress, cancel) => {
                const abort = new AbortController();
                cancel.onCancellationRequested(() => abort.abort());
                let reported = 0;
                const result = await pull(resolved.entry, folder, settings.downloadEndpoint, {
                    token,
                    signal: abort.signal,
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

function progressText(p: DownloadProgress): string {
    if (p.phase === "waiting") return `another window is downloading it: ${formatBytes(p.received)} so far`;
    if (p.phase === "verifying") return "verifying…";
    const eta = p.etaSeconds !== undefined ? `, ${Math.ceil(p.etaSeconds / 60)} min left` : "";
    return `${formatBytes(p.received)}${p.total ? ` of ${formatBytes(p.total)}` : ""} at ${formatBytes(p.bytesPerSecond)}/s${eta}`;
}
