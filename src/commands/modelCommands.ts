// The model commands: "Choose Model…" (Solar 10.7B for ghost text, Solar 10.7B Instruct for
// Prompt…, each with its licence), the "Choose Quantization…" quick pick with the auto reasoning,
// "Show Model Info" and "Set Download Token…". Settings → model file (and the download) is
// ModelFileResolver's (src/ui/modelFileResolver.ts); the logic lives in src/model/.

import * as path from "node:path";
import * as vscode from "vscode";
import { SECTION, type Settings } from "../config";
import type { WorkerClient } from "../engine/workerClient";
import { catalogEntry, licenceLabel, QUANTIZATIONS, variantLicence, variantTitle, type Variant } from "../model/catalog";
import { modelPicks, quantizationPicks, type InstructChoice, type PickEntry } from "../model/catalogPicks";
import { isCompleteModel, storageFolder, type ResolvedModel } from "../model/modelStore";
import { DOWNLOAD_TOKEN_KEY, ModelFileResolver } from "../ui/modelFileResolver";
import { formatBytes } from "../util/bytes";
import type { Translate } from "../util/translate";

export const CHOOSE_MODEL_COMMAND = "solarComplete.chooseModel";

/** The catalog's pick texts, in the display language. */
const translate: Translate = (message, ...args) => vscode.l10n.t(message, ...args);

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
        this.files = new ModelFileResolver({ context: deps.context, log: deps.log, engine: deps.engine, chooseQuantization: (variant) => void this.chooseQuantization(variant) });
    }

    /** For ModelLoader: the file to load, downloading it first when the user agrees. */
    resolvePath(settings: Settings): Promise<string | undefined> {
        return this.files.resolvePath(settings);
    }

    register(): vscode.Disposable[] {
        return [
            vscode.commands.registerCommand("solarComplete.chooseQuantization", () => this.chooseQuantization()),
            // Args "base" or "instruct" skip the first step (the Prompt… offer passes "instruct").
            vscode.commands.registerCommand(CHOOSE_MODEL_COMMAND, (variant?: unknown) => this.chooseModel(variant === "base" || variant === "instruct" ? variant : undefined)),
            vscode.commands.registerCommand("solarComplete.showModelInfo", () => this.showModelInfo()),
            vscode.commands.registerCommand("solarComplete.setDownloadToken", () => this.setToken()),
        ];
    }

    /** Which model to set up: the base model (ghost text) or Solar Instruct (Prompt…), then its quantization. */
    async chooseModel(variant?: Variant): Promise<void> {
        if (!variant) {
            const settings = this.deps.settings();
            const picks = modelPicks({
                base: settings.modelPath ? `solarComplete.modelPath (${path.basename(settings.modelPath)})` : settings.quantization,
                instruct: settings.instructModelPath ? `solarComplete.instructModelPath (${path.basename(settings.instructModelPath)})` : settings.instructQuantization,
            }, translate);
            const picked = await vscode.window.showQuickPick(picks.map(quickPickItem), { title: vscode.l10n.t("Solar: Choose Model") });
            variant = picked?.value;
            if (!variant) return;
        }
        await this.chooseQuantization(variant);
    }

    async chooseQuantization(variant: Variant = "base"): Promise<void> {
        const settings = this.deps.settings();
        const key = variant === "base" ? "quantization" : "instructQuantization";
        const auto = (await this.files.resolve({ ...settings, modelPath: "", quantization: "auto" })) as Extract<ResolvedModel, { kind: "catalog" }>;
        const folder = storageFolder(settings, this.deps.context.globalStorageUri.fsPath);
        const downloaded = new Set<string>();
        for (const quantization of QUANTIZATIONS) {
            if (await isCompleteModel(path.join(folder, catalogEntry(variant, quantization).fileName))) downloaded.add(quantization);
        }
        // Instruct replaces the base model in memory for a prompt, so the same quantization fits.
        const picks = quantizationPicks({ variant, current: settings[key], auto: auto.auto, downloaded }, translate);
        const override = variant === "base" ? settings.modelPath && "solarComplete.modelPath" : settings.instructModelPath && "solarComplete.instructModelPath";
        const picked = await vscode.window.showQuickPick(picks.map(quickPickItem), {
            title: override
                ? vscode.l10n.t("Solar: Choose {0} Quantization (now {1}; {2} overrides it) · {3}", variantTitle(variant), settings[key], override, licenceLabel(variantLicence(variant), translate))
                : vscode.l10n.t("Solar: Choose {0} Quantization (now {1}) · {2}", variantTitle(variant), settings[key], licenceLabel(variantLicence(variant), translate)),
            matchOnDescription: true,
        });
        if (!picked?.value) return;
        this.files.logAuto(auto.auto!);
        // Base: the settings change reloads the model (downloading first, after consent): see ModelLoader.
        await vscode.workspace.getConfiguration(SECTION).update(key, picked.value, vscode.ConfigurationTarget.Global);
        // Instruct: loaded only for a prompt, so it is downloaded now, after consent, rather than in the middle of a question.
        if (variant === "instruct" && picked.value !== "none") await this.prepareInstruct(picked.value);
    }

    private async prepareInstruct(choice: Exclude<InstructChoice, "none">): Promise<void> {
        try {
            const file = await this.files.instructPath({ ...this.deps.settings(), instructQuantization: choice });
            if (file) void vscode.window.showInformationMessage(vscode.l10n.t("Solar: Prompt… now answers with {0}.", path.basename(file)));
        } catch (error) {
            if ((error as { code?: string }).code === "CANCELLED") return;
            void vscode.window.showErrorMessage(vscode.l10n.t("Solar: Solar Instruct could not be downloaded: {0}", error instanceof Error ? error.message : String(error)));
        }
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
        await vscode.window.showInformationMessage(vscode.l10n.t("Solar: Model Info"), { modal: true, detail: lines.join("\n") });
    }

    private async setToken(): Promise<void> {
        const value = await vscode.window.showInputBox({
            title: vscode.l10n.t("Solar: Download Token"),
            prompt: vscode.l10n.t("A Hugging Face access token for gated repositories, kept in VS Code's secret storage (empty removes it)."),
            password: true,
            ignoreFocusOut: true,
        });
        if (value === undefined) return;
        if (value.trim()) await this.deps.context.secrets.store(DOWNLOAD_TOKEN_KEY, value.trim());
        else await this.deps.context.secrets.delete(DOWNLOAD_TOKEN_KEY);
    }
}

type Item<T> = vscode.QuickPickItem & { value?: T };

function quickPickItem<T>(pick: PickEntry<T>): Item<T> {
    if (pick.value === undefined) return { label: pick.label, kind: vscode.QuickPickItemKind.Separator };
    return { label: `${pick.current ? "$(check) " : ""}${pick.label}`, description: pick.description, detail: pick.detail, value: pick.value };
}
