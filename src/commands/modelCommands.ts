// The model manager's VS Code side: settings → model file (asking before a multi-gigabyte download,
// with progress, speed, ETA and cancel), the "Choose Quantization…" quick pick with the auto
// reasoning, "Show Model Info" and "Set Download Token…". The logic lives in src/model/.

import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { SECTION, type Settings } from "../config";
import type { EngineClient } from "../engine/client";
import type { AutoChoice, MemoryFigures } from "../model/autoQuant";
import { catalogEntry, describeEntry, formatGB, QUANTIZATIONS, type QuantizationSetting } from "../model/catalog";
import type { DownloadProgress } from "../model/download";
import { DownloadError } from "../model/downloadErrors";
import { formatBytes } from "../model/ggufFile";
import { isCompleteModel, pull, resolveModel, storageFolder, tokenFromEnvironment, type ResolvedModel } from "../model/modelStore";

const TOKEN_KEY = "solarComplete.downloadToken";

export interface ModelManagerDeps {
    readonly context: vscode.ExtensionContext;
    readonly log: vscode.LogOutputChannel;
    readonly settings: () => Settings;
    readonly engine: EngineClient;
}

export class ModelManager {
    constructor(private readonly deps: ModelManagerDeps) {}

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

    register(): vscode.Disposable[] {
        return [
            vscode.commands.registerCommand("solarComplete.chooseQuantization", () => this.chooseQuantization()),
            vscode.commands.registerCommand("solarComplete.showModelInfo", () => this.showModelInfo()),
            vscode.commands.registerCommand("solarComplete.setDownloadToken", () => this.setToken()),
        ];
    }

    private resolve(settings: Settings): Promise<ResolvedModel> {
        return resolveModel(settings, {
            defaultStorage: this.deps.context.globalStorageUri.fsPath,
            probeMemory: () => this.probeMemory(settings),
        });
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

    private logAuto(choice: AutoChoice): void {
        this.deps.log.info(choice.summary);
        for (const reason of choice.reasons) this.deps.log.info(`  ${reason}`);
    }

    private async consent(resolved: Extract<ResolvedModel, { kind: "catalog" }>): Promise<boolean> {
        // For unattended machines (provisioning, CI): agree in advance.
        if (process.env.SOLAR_DOWNLOAD_CONSENT === "always") return true;
        const download = `Download ${formatGB(resolved.entry.size)}`;
        const answer = await vscode.window.showInformationMessage(
            `Solar Complete needs ${resolved.entry.title} (${formatGB(resolved.entry.size)} download, ~${formatGB(resolved.entry.memory)} of memory to run). Download it now?`,
            { detail: `From ${resolved.url}\nInto ${resolved.path}` },
            download,
            "Choose Quantization…",
        );
        if (answer === "Choose Quantization…") void this.chooseQuantization();
        return answer === download;
    }

    private async download(resolved: Extract<ResolvedModel, { kind: "catalog" }>, settings: Settings): Promise<void> {
        const token = (await this.deps.context.secrets.get(TOKEN_KEY)) || tokenFromEnvironment();
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

    async chooseQuantization(): Promise<void> {
        const settings = this.deps.settings();
        const auto = (await this.resolve({ ...settings, modelPath: "", quantization: "auto" })) as Extract<ResolvedModel, { kind: "catalog" }>;
        const folder = storageFolder(settings, this.deps.context.globalStorageUri.fsPath);
        type Item = vscode.QuickPickItem & { value?: QuantizationSetting };
        const items: Item[] = [
            { label: "auto", description: auto.auto?.summary.replace(/^auto → /, "→ "), detail: auto.auto?.reasons.join(" · "), value: "auto" },
            { label: "", kind: vscode.QuickPickItemKind.Separator },
        ];
        for (const quantization of [...QUANTIZATIONS].reverse()) {
            const entry = catalogEntry("base", quantization);
            const present = await isCompleteModel(path.join(folder, entry.fileName));
            const fits = auto.auto?.reasons.find((r) => r.startsWith(`${quantization}:`));
            items.push({
                label: `${settings.quantization === quantization ? "$(check) " : ""}${quantization}`,
                description: `${fits ?? describeEntry(entry)}${present ? " · downloaded" : ""}`,
                detail: entry.quality,
                value: quantization,
            });
        }
        const picked = await vscode.window.showQuickPick(items, {
            title: `Solar: Choose Quantization (now ${settings.quantization}${settings.modelPath ? `; solarComplete.modelPath overrides it` : ""})`,
            matchOnDescription: true,
        });
        if (!picked?.value) return;
        this.logAuto(auto.auto!);
        // The settings change reloads the model (downloading first, after consent): see ModelLoader.
        await vscode.workspace.getConfiguration(SECTION).update("quantization", picked.value, vscode.ConfigurationTarget.Global);
    }

    async showModelInfo(): Promise<void> {
        const state = this.deps.engine.state;
        const settings = this.deps.settings();
        const resolved = await this.resolve(settings).catch(() => undefined);
        const lines =
            state.kind === "ready"
                ? [
                      `Path: ${state.info.modelPath}`,
                      `Size: ${formatBytes(state.info.fileSize)}`,
                      `Quantization: ${state.info.fileType ?? "unknown"}${resolved?.kind === "catalog" ? ` (setting: ${settings.quantization}${resolved.auto ? ` → ${resolved.entry.quantization}` : ""})` : " (solarComplete.modelPath)"}`,
                      `Backend: ${state.info.backend}`,
                      `Context: ${state.info.contextSize} tokens (trained: ${state.info.trainedContextSize})`,
                      `Loaded in ${(state.info.loadMs / 1000).toFixed(1)} s`,
                  ]
                : [`No model loaded (${state.kind}).`, ...(resolved ? [`Configured: ${resolved.path}${resolved.kind === "catalog" && !resolved.present ? " (not downloaded)" : ""}`] : [])];
        for (const line of lines) this.deps.log.info(line);
        await vscode.window.showInformationMessage("Solar: Model Info", { modal: true, detail: lines.join("\n") });
    }

    private async setToken(): Promise<void> {
        const value = await vscode.window.showInputBox({
            title: "Solar: Download Token",
            prompt: "A Hugging Face access token for gated repositories, kept in VS Code's secret storage (empty removes it).",
            password: true,
            ignoreFocusOut: true,
        });
        if (value === undefined) return;
        if (value.trim()) await this.deps.context.secrets.store(TOKEN_KEY, value.trim());
        else await this.deps.context.secrets.delete(TOKEN_KEY);
    }
}

function progressText(p: DownloadProgress): string {
    if (p.phase === "waiting") return `another window is downloading it: ${formatBytes(p.received)} so far`;
    if (p.phase === "verifying") return "verifying…";
    const eta = p.etaSeconds !== undefined ? `, ${Math.ceil(p.etaSeconds / 60)} min left` : "";
    return `${formatBytes(p.received)}${p.total ? ` of ${formatBytes(p.total)}` : ""} at ${formatBytes(p.bytesPerSecond)}/s${eta}`;
}
