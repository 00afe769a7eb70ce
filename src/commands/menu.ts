// The status bar's quick pick: enable/disable, automatic/manual, snooze, per-language toggle,
// restart, log. Also the command-palette commands that do the same things one at a time.

import * as vscode from "vscode";
import { SECTION, type Settings } from "../config";
import type { GhostTextControls } from "../completion/controls";
import { isLanguageEnabled } from "../completion/triggerRules";

export interface MenuDeps {
    readonly settings: () => Settings;
    readonly controls: GhostTextControls;
    readonly restartEngine: () => void;
    readonly showLog: () => void;
    readonly chooseQuantization?: () => unknown;
}

export async function toggleEnable(settings: Settings): Promise<void> {
    await vscode.workspace.getConfiguration(SECTION).update("enable", !settings.enable, vscode.ConfigurationTarget.Global);
}

/** Automatic <-> manual (ghost text only on Alt+\ or "Solar: Suggest Here"). */
export async function toggleTrigger(settings: Settings): Promise<void> {
    const next: Settings["trigger"] = settings.trigger === "manual" ? "automatic" : "manual";
    await vscode.workspace.getConfiguration(SECTION).update("trigger", next, vscode.ConfigurationTarget.Global);
}

/** An explicit request: VS Code's own trigger, so it arrives as InlineCompletionTriggerKind.Invoke. */
export function suggestHere(): Thenable<unknown> {
    return vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
}

export async function toggleLanguage(settings: Settings, languageId: string | undefined): Promise<void> {
    if (!languageId) return;
    const next = { ...settings.enableLanguages, [languageId]: !isLanguageEnabled(settings.enableLanguages, languageId) };
    await vscode.workspace.getConfiguration(SECTION).update("enableLanguages", next, vscode.ConfigurationTarget.Global);
}

export async function pickSnooze(controls: GhostTextControls): Promise<void> {
    const picked = await vscode.window.showQuickPick(
        [5, 15, 60].map((minutes) => ({ label: vscode.l10n.t("Snooze for {0} minutes", minutes), minutes })),
        { title: vscode.l10n.t("Solar: Snooze Ghost Text") },
    );
    if (picked) await controls.snooze(picked.minutes);
}

export async function showMenu(deps: MenuDeps): Promise<void> {
    const settings = deps.settings();
    const languageId = vscode.window.activeTextEditor?.document.languageId;
    const languageOn = languageId ? isLanguageEnabled(settings.enableLanguages, languageId) : true;
    const snoozed = deps.controls.snoozedUntil !== undefined;
    type Item = vscode.QuickPickItem & { run: () => unknown };
    const items: Item[] = [
        { label: settings.enable ? vscode.l10n.t("$(circle-slash) Disable ghost text") : vscode.l10n.t("$(check) Enable ghost text"), run: () => toggleEnable(settings) },
        settings.trigger === "manual"
            ? { label: vscode.l10n.t("$(zap) Switch to automatic ghost text"), description: vscode.l10n.t("suggest while typing"), run: () => toggleTrigger(settings) }
            : { label: vscode.l10n.t("$(keyboard) Switch to manual ghost text"), description: vscode.l10n.t("only on Alt+\\ or Solar: Suggest Here"), run: () => toggleTrigger(settings) },
        ...(settings.trigger === "manual" && languageId ? [{ label: vscode.l10n.t("$(sparkle) Suggest here"), description: "Alt+\\", run: suggestHere }] : []),
        snoozed
            ? { label: vscode.l10n.t("$(play) Resume now"), run: () => deps.controls.resume() }
            : { label: vscode.l10n.t("$(debug-pause) Snooze…"), description: vscode.l10n.t("5, 15 or 60 minutes"), run: () => pickSnooze(deps.controls) },
        ...(languageId
            ? [{ label: languageOn ? vscode.l10n.t("$(circle-slash) Disable for {0}", languageId) : vscode.l10n.t("$(check) Enable for {0}", languageId), run: () => toggleLanguage(settings, languageId) }]
            : []),
        ...(deps.chooseQuantization
            ? [{ label: vscode.l10n.t("$(symbol-numeric) Choose quantization…"), description: settings.modelPath ? vscode.l10n.t("modelPath overrides it") : settings.quantization, run: deps.chooseQuantization }]
            : []),
        { label: vscode.l10n.t("$(debug-restart) Restart engine"), run: deps.restartEngine },
        { label: vscode.l10n.t("$(output) Show log"), run: deps.showLog },
        { label: vscode.l10n.t("$(gear) Settings"), run: () => vscode.commands.executeCommand("workbench.action.openSettings", `@ext:solar-complete.solar-complete`) },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t("Solar Complete") });
    await picked?.run();
}
