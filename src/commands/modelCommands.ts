// The model commands: the "Choose Quantization…" quick pick with the auto reasoning, "Show Model
// Info" and "Set Download Token…". Settings → model file (and the download) is ModelFileResolver's
// (src/ui/modelFileResolver.ts); the logic lives in src/model/.

import * as path from "node:path";
import * as vscode from "vscode";
import { SECTION, type Settings } from "../config";
import type { WorkerClient } from "../engine/workerClient";
import { catalogEntry, describeEntry, QUANTIZATIONS, type QuantizationSetting } from "../model/catalog";
import { isCompleteModel, storageFolder, type ResolvedModel } from "../model/modelStore";
import { DOWNLOAD_TOKEN_KEY, ModelFileResolver } from "../ui/modelFileResolver";
import { formatBytes } from "../util/bytes";

export interface ModelCommandsDeps {
    readonly context: vscode.ExtensionContext;
    readonly log: vscode.LogOutputChannel;
    readonly settings: () => Settings;
    readonly engine: Pick<WorkerClient, "state" | "probeMemory">;
}

export class ModelCommands {
    /** Settings → a file on disk; its consent message offers this class's quick pick. */
    readonly files: ModelFileResolver;

    constructor(private readonly deps: ModelCommandsDeps) {
        this.files = new ModelFileResolver({ context: deps.context, log: deps.log, engine: deps.engine, chooseQuantization: () => void this.chooseQuantization() });
    }

    /** For ModelLoader: the file to load, downloading it first when the user agrees. */
    resolvePath(settings: Settings): Promise<string | undefined> {
        return this.files.resolvePath(settings);
    }

    register(): vscode.Disposable[] {
        return [
            vscode.commands.registerCommand("solarComplete.chooseQuantization", () => this.chooseQuantization()),
            vscode.commands.registerCommand("solarComplete.showModelInfo", () => this.showModelInfo()),
            vscode.commands.registerCommand("solarComplete.setDownloadToken", () => this.setToken()),
        ];
    }

    async chooseQuantization(): Promise<void> {
        const settings = this.deps.settings();
        const auto = (await this.files.resolve({ ...settings, modelPath: "", quantization: "auto" })) as Extract<ResolvedModel, { kind: "catalog" }>;
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
        this.files.logAuto(auto.auto!);
        // The settings change reloads the model (downloading first, after consent): see ModelLoader.
        await vscode.workspace.getConfiguration(SECTION).update("quantization", picked.value, vscode.ConfigurationTarget.Global);
    }

    async showModelInfo(): Promise<void> {
        const state = this.deps.engine.state;
        const settings = this.deps.settings();
        const resolved = await this.files.resolve(settings).catch(() => undefined);
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
        if (value.trim()) await this.deps.context.secrets.store(DOWNLOAD_TOKEN_KEY, value.trim());
        else await this.deps.context.secrets.delete(DOWNLOAD_TOKEN_KEY);
    }
}
