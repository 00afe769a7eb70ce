// Every command, provider and editor event the extension registers, in one list: the entry point
// builds the objects, this file connects them to VS Code.

import * as vscode from "vscode";
import { HTTP_SECTION, SECTION } from "../config";
import type { GhostTextControls } from "../completion/controls";
import type { GhostTextService } from "../completion/ghostTextService";
import { ACCEPTED_COMMAND, type GhostTextProvider } from "../completion/provider";
import type { Session } from "../session/session";
import { BatteryWatch } from "../ui/batteryWatch";
import type { ExcludedBy } from "../ui/excludedDocuments";
import type { GpuPackOffer } from "../ui/gpuPackOffer";
import { MENU_COMMAND, type StatusBar } from "../ui/statusBar";
import { registerWalkthrough } from "../ui/walkthrough";
import type { AskCommands } from "./askCommands";
import { AskSolarCodeActions } from "./codeActions";
import { pickSnooze, showMenu, suggestHere, toggleEnable, toggleLanguage, toggleTrigger } from "./menu";
import type { ModelCommands } from "./modelCommands";
import { registerRemoteCommands } from "./remoteCommands";
import { SHOW_LAST_PROMPT_COMMAND, showLastPrompt } from "./showLastPrompt";

export interface Registered {
    readonly context: vscode.ExtensionContext;
    readonly log: vscode.LogOutputChannel;
    readonly session: Session;
    readonly ghostText: GhostTextService;
    readonly provider: GhostTextProvider;
    readonly controls: GhostTextControls;
    readonly ask: AskCommands;
    readonly models: ModelCommands;
    readonly gpuPack: GpuPackOffer;
    readonly status: StatusBar;
    readonly excludedBy: ExcludedBy;
}

export function registerAll(r: Registered): vscode.Disposable[] {
    const { session, controls, log } = r;
    const settings = () => session.settings;
    const battery = new BatteryWatch({ enabled: () => settings().pauseOnBattery, pause: (reason) => controls.pauseFor(reason), log });
    return [
        vscode.languages.registerInlineCompletionItemProvider({ pattern: "**" }, r.provider),
        r.ask,
        ...r.ask.register(),
        vscode.languages.registerCodeActionsProvider({ pattern: "**" }, new AskSolarCodeActions(r.excludedBy), AskSolarCodeActions.metadata),
        vscode.commands.registerCommand(MENU_COMMAND, () =>
            showMenu({ settings, controls, restartEngine: () => session.restart(), showLog: () => log.show(), chooseQuantization: () => r.models.chooseQuantization() }),
        ),
        ...r.models.register(),
        r.gpuPack,
        ...r.gpuPack.register(),
        ...registerWalkthrough(r),
        ...registerRemoteCommands(r.context.secrets, () => void session.remote?.reconnect().catch(() => undefined)),
        vscode.commands.registerCommand("solarComplete.toggleEnable", () => toggleEnable(settings())),
        vscode.commands.registerCommand("solarComplete.snooze", () => pickSnooze(controls)),
        // For keybindings (and tests): snooze without the quick pick, e.g. args 15.
        vscode.commands.registerCommand("solarComplete.snoozeFor", (minutes: unknown) => controls.snooze(typeof minutes === "number" ? minutes : 15)),
        vscode.commands.registerCommand("solarComplete.resume", () => controls.resume()),
        vscode.commands.registerCommand("solarComplete.toggleTrigger", () => toggleTrigger(settings())),
        vscode.commands.registerCommand("solarComplete.suggest", suggestHere),
        vscode.commands.registerCommand("solarComplete.toggleLanguage", () => toggleLanguage(settings(), vscode.window.activeTextEditor?.document.languageId)),
        vscode.commands.registerCommand("solarComplete.showLog", () => log.show()),
        vscode.commands.registerCommand(SHOW_LAST_PROMPT_COMMAND, () => showLastPrompt(r.ghostText.lastPrompt?.text())),
        vscode.commands.registerCommand("solarComplete.restartEngine", () => session.restart()),
        // The next suggestion right after an accept, as typing would ask for it: none in manual mode.
        vscode.commands.registerCommand(ACCEPTED_COMMAND, (uri?: vscode.Uri) => {
            if (settings().trigger === "manual") return;
            if (uri) r.provider.expectFollowUp(uri);
            void vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
        }),
        vscode.workspace.onDidChangeConfiguration((event) => {
            if (event.affectsConfiguration(SECTION)) {
                session.settingsChanged();
                battery.settingsChanged();
            } else if (event.affectsConfiguration(HTTP_SECTION)) session.networkChanged();
        }),
        vscode.workspace.onDidGrantWorkspaceTrust(() => session.trustGranted()),
        vscode.workspace.onDidCloseTextDocument((document) => r.ghostText.forget(document.uri.toString())),
        vscode.window.onDidChangeActiveTextEditor(() => r.status.refresh()),
        battery,
    ];
}
