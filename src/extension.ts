// Entry point: builds every object once, registers each for disposal, and returns a small API.
// The model loads in the worker in the background, so activation never waits for it.

import * as path from "node:path";
import * as vscode from "vscode";
import { needsBackendChange, needsModelReload, readSettings, SECTION, type Settings } from "./config";
import { toggleEnable, toggleLanguage, toggleTrigger, pickSnooze, showMenu, suggestHere } from "./commands/menu";
import { ModelCommands } from "./commands/modelCommands";
import { AskSolarCodeActions } from "./commands/codeActions";
import { AskCommands, type AskRun } from "./commands/askCommands";
import { registerRemoteCommands, remoteApiKey } from "./commands/remoteCommands";
import { ActiveBackend } from "./backend/activeBackend";
import { GhostTextControls } from "./completion/controls";
import { ExcludedFiles } from "./completion/excludedFiles";
import { GhostTextService } from "./completion/ghostTextService";
import { isLanguageEnabled } from "./completion/triggerRules";
import { ACCEPTED_COMMAND, GhostTextProvider } from "./completion/provider";
import { AdaptiveDebounce } from "./completion/adaptiveDebounce";
import { CompletionCache } from "./completion/completionCache";
import { WorkerClient } from "./engine/workerClient";
import type { BackendState } from "./backend/backend";
import { ModelLoader } from "./session/modelLoader";
import { ModelQuarantine, type QuarantinedModel } from "./engine/modelQuarantine";
import { engineTransport } from "./engine/transport";
import { RemoteBackend } from "./remote/remoteBackend";
import { ErrorNotices } from "./status/errorNotices";
import { describeStatus, type StatusInput, type StatusView } from "./status/statusText";
import { MENU_COMMAND, StatusBar } from "./ui/statusBar";
import { reportError } from "./ui/notifications";
import { GpuPackOffer } from "./ui/gpuPackOffer";
import { excludedDocuments } from "./ui/excludedDocuments";
import { abortableSleep } from "./util/abortableSleep";

/** What activate() returns: enough to observe the extension from tests and other extensions. */
export interface SolarCompleteApi {
    readonly engine: WorkerClient;
    /** What completes now: the local engine, or the remote server (solarComplete.backend). */
    readonly backend: ActiveBackend;
    readonly settings: () => Settings;
    readonly status: () => StatusView;
    /** Error notifications shown so far, oldest first. */
    readonly notifications: () => readonly string[];
    /** The last ghost-text suggestion and the raw model text it was made from. */
    readonly lastSuggestion: () => GhostTextService["last"];
    /** The candidates of the last explicit request (Alt+\), in the order Alt+] cycles them. */
    readonly lastCandidates: () => GhostTextService["lastCandidates"];
    /** The last command-palette prompt (Continue Here, Prompt...): what it inserted, and its timings. */
    readonly lastPrompt: () => AskRun | undefined;
}

let engine: WorkerClient | undefined;

export function activate(context: vscode.ExtensionContext): SolarCompleteApi {
    const log = vscode.window.createOutputChannel("Solar Complete", { log: true });
    const readCurrent = () => readSettings(vscode.workspace.getConfiguration(SECTION), vscode.workspace.isTrusted);
    let settings = readCurrent();
    const excludedBy = excludedDocuments(new ExcludedFiles(() => settings.exclude));
    const activeExclusion = () => {
        const document = vscode.window.activeTextEditor?.document;
        return document && excludedBy(document);
    };
    const notices = new ErrorNotices();
    const shown: string[] = [];
    const report = (error: unknown) => reportError(error, { log, notices, showLog: () => log.show(), shown });
    let generating = false;
    let last: { latencyMs: number; tokensPerSecond?: number } | undefined;
    const statusInput = (): StatusInput => ({
        engine: backend.state,
        enabled: settings.enable,
        snoozedUntil: controls.snoozedUntil,
        pausedBy: controls.pausedBy,
        now: Date.now(),
        languageDisabled: languageDisabled(settings),
        excludedBy: activeExclusion(),
        manual: settings.trigger === "manual",
        generating,
        last,
    });
    const status = new StatusBar(statusInput);

    const client = new WorkerClient(engineTransport(settings.engineHost, path.join(context.extensionPath, "dist", "worker.js")), {
        // Kept across sessions: a file that crashed the engine is not loaded into the same crash at the next start.
        quarantine: new ModelQuarantine({
            read: () => context.globalState.get<QuarantinedModel[]>(CRASHED_MODELS_KEY) ?? [],
            write: (list) => void context.globalState.update(CRASHED_MODELS_KEY, list),
        }),
        log: (level, message) => log[level](message),
        onState: (state: BackendState) => {
            // Only while it is the one completing: a model loading behind a remote backend fixes nothing shown.
            if (state.kind === "ready" && backend.active === client) notices.recovered();
            if (state.kind === "failed" || state.kind === "restarting") report(state.error);
            status.refresh();
        },
    });
    engine = client;
    const backend = new ActiveBackend(client);
    let remote: RemoteBackend | undefined;

    const controls = new GhostTextControls(context.globalState, Date.now, () => status.refresh());

    const models = new ModelCommands({ context, log, settings: () => settings, engine: client });
    const loader = new ModelLoader(client, report, (next) => models.resolvePath(next));

    const service = new GhostTextService({
        backend,
        settings: () => settings,
        cache: new CompletionCache(),
        debounce: new AdaptiveDebounce(() => ({ minMs: settings.debounceMinMs, maxMs: settings.debounceMaxMs })),
        now: Date.now,
        sleep: abortableSleep,
        controls: () => ({ snoozedUntil: controls.snoozedUntil, pausedBy: controls.pausedBy }),
        onRequest: (event) => {
            generating = event.kind === "start";
            if (event.kind === "done" && event.result.stats.stopReason !== "abort") {
                const { generatedTokens, genMs } = event.result.stats;
                last = { latencyMs: event.latencyMs, tokensPerSecond: genMs > 0 ? (generatedTokens * 1000) / genMs : undefined };
            }
            status.refresh();
        },
    });
    const prompts = new AskCommands({
        backend,
        engine: client,
        settings: () => settings,
        controls,
        state: context.globalState,
        log,
        // After Instruct replaced it; a server backend meanwhile needs no local model.
        reloadBaseModel: () => (settings.backend === "local" ? loader.apply(settings, true) : Promise.resolve()),
        excludedBy,
    });
    const gpuPack = new GpuPackOffer({ context, log });
    const provider = new GhostTextProvider(service, () => backend.state.kind === "ready", (error) => log.warn(`Ghost text: ${String(error)}`), excludedBy);

    context.subscriptions.push(
        log,
        status,
        vscode.languages.registerInlineCompletionItemProvider({ pattern: "**" }, provider),
        prompts,
        ...prompts.register(),
        vscode.languages.registerCodeActionsProvider({ pattern: "**" }, new AskSolarCodeActions(excludedBy), AskSolarCodeActions.metadata),
        vscode.commands.registerCommand(MENU_COMMAND, () =>
            showMenu({ settings: () => settings, controls, restartEngine: restart, showLog: () => log.show(), chooseQuantization: () => models.chooseQuantization() }),
        ),
        ...models.register(),
        gpuPack,
        ...gpuPack.register(),
        ...registerRemoteCommands(context.secrets, () => void remote?.reconnect().catch(() => undefined)),
        { dispose: () => void remote?.stop() },
        vscode.commands.registerCommand("solarComplete.toggleEnable", () => toggleEnable(settings)),
        vscode.commands.registerCommand("solarComplete.snooze", () => pickSnooze(controls)),
        // For keybindings (and tests): snooze without the quick pick, e.g. args 15.
        vscode.commands.registerCommand("solarComplete.snoozeFor", (minutes: unknown) => controls.snooze(typeof minutes === "number" ? minutes : 15)),
        vscode.commands.registerCommand("solarComplete.resume", () => controls.resume()),
        vscode.commands.registerCommand("solarComplete.toggleTrigger", () => toggleTrigger(settings)),
        vscode.commands.registerCommand("solarComplete.suggest", suggestHere),
        vscode.commands.registerCommand("solarComplete.toggleLanguage", () => toggleLanguage(settings, vscode.window.activeTextEditor?.document.languageId)),
        vscode.commands.registerCommand("solarComplete.showLog", () => log.show()),
        vscode.commands.registerCommand("solarComplete.restartEngine", restart),
        // The next suggestion right after an accept, as typing would ask for it: none in manual mode.
        vscode.commands.registerCommand(ACCEPTED_COMMAND, (uri?: vscode.Uri) => {
            if (settings.trigger === "manual") return;
            if (uri) provider.expectFollowUp(uri);
            void vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
        }),
        vscode.workspace.onDidChangeConfiguration((event) => {
            if (!event.affectsConfiguration(SECTION)) return;
            const next = readCurrent();
            if (next.engineHost !== settings.engineHost) offerWindowReload();
            const reload = needsModelReload(settings, next);
            const switchBackend = needsBackendChange(settings, next);
            settings = next;
            if (switchBackend) applyBackend();
            else if (reload && settings.backend === "local") {
                service.reset();
                void loader.apply(settings);
            }
            status.refresh();
        }),
        vscode.workspace.onDidGrantWorkspaceTrust(() => {
            settings = readCurrent();
            applyBackend();
        }),
        vscode.workspace.onDidCloseTextDocument((document) => service.forget(document.uri.toString())),
        vscode.window.onDidChangeActiveTextEditor(() => status.refresh()),
    );

    function restart(): void {
        notices.recovered();
        client.forgetCrashedModels(); // the user asks: try a file that crashed the engine again
        if (remote) void remote.reconnect().catch(() => undefined);
        else if (client.state.kind === "failed") client.revive();
        else void loader.apply(settings, true);
    }

    /** Local: the worker loads the model. Remote: a server answers, and no model is loaded here. */
    function applyBackend(): void {
        void remote?.stop();
        remote = undefined;
        service.reset();
        if (settings.backend === "openai-compatible") {
            remote = new RemoteBackend({
                endpoint: settings["remote.endpoint"],
                model: settings["remote.model"],
                apiKey: remoteApiKey(context.secrets),
                requestTimeoutMs: settings["remote.requestTimeoutMs"],
                stallTimeoutMs: settings["remote.stallTimeoutMs"],
                log: (level, message) => log[level](message),
                onState: (state) => {
                    if (state.kind === "unavailable") report(state.error);
                    status.refresh();
                },
                // Not on "ready": a probe can succeed while completions still fail (a stalling stream).
                onServed: () => notices.recovered(),
            });
            backend.use(remote);
            void remote.connect().catch(() => undefined);
        } else {
            backend.use(client);
            void loader.apply(settings);
        }
        status.refresh();
    }

    status.show();
    void gpuPack.check();
    applyBackend();
    return { engine: client, backend, settings: () => settings, status: () => describeStatus(statusInput()), notifications: () => shown, lastSuggestion: () => service.last, lastCandidates: () => service.lastCandidates, lastPrompt: () => prompts.last };
}

const CRASHED_MODELS_KEY = "solarComplete.crashedModels";

function offerWindowReload(): void {
    void vscode.window.showInformationMessage("Solar Complete: the engine moves to its new host when the window reloads.", "Reload Window").then((picked) => {
        if (picked) void vscode.commands.executeCommand("workbench.action.reloadWindow");
    });
}

function languageDisabled(settings: Settings): string | undefined {
    const languageId = vscode.window.activeTextEditor?.document.languageId;
    if (!languageId) return undefined;
    return isLanguageEnabled(settings.enableLanguages, languageId) ? undefined : languageId;
}

export function deactivate(): Promise<void> | undefined {
    return engine?.stop();
}
