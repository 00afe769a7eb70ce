// Entry point: builds every object once, registers each for disposal, and returns a small API. What
// lives as long as one backend (the engine process, or the connection to a server) is the session's
// (src/session/session.ts); what lives as long as the extension is built here. The model loads in
// the engine in the background, so activation never waits for it.

import * as path from "node:path";
import * as vscode from "vscode";
import type { WorkerClient } from "./engine/workerClient";
import { readSettings, SECTION, type Settings } from "./config";
import { AskCommands } from "./commands/askCommands";
import type { AskRun } from "./ask/askRun";
import { ModelCommands } from "./commands/modelCommands";
import { registerAll } from "./commands/register";
import { remoteApiKey } from "./commands/remoteCommands";
import type { ActiveBackend } from "./backend/activeBackend";
import { AdaptiveDebounce } from "./completion/adaptiveDebounce";
import { CompletionCache } from "./completion/completionCache";
import { GhostTextControls } from "./completion/controls";
import { ExcludedFiles } from "./completion/excludedFiles";
import { GhostTextService } from "./completion/ghostTextService";
import { GhostTextProvider } from "./completion/provider";
import { isLanguageEnabled } from "./completion/triggerRules";
import { ModelQuarantine, type QuarantinedModel } from "./engine/modelQuarantine";
import { engineTransport } from "./engine/transport";
import { Session } from "./session/session";
import { ErrorNotices } from "./status/errorNotices";
import { describeStatus, type StatusInput, type StatusView } from "./status/statusText";
import { excludedDocuments, type ExcludedBy } from "./ui/excludedDocuments";
import { GpuPackOffer } from "./ui/gpuPackOffer";
import { networkOptions } from "./ui/modelFileResolver";
import { reportError } from "./ui/notifications";
import { StatusBar } from "./ui/statusBar";
import { ContextSources } from "./ui/contextSources";
import { abortableSleep } from "./util/abortableSleep";

/** What activate() returns: enough to observe the extension from tests and other extensions. */
export interface SolarCompleteApi {
    /** The local engine; throws while a server completes (solarComplete.backend), when there is none. */
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
    /** The exact prompt text of the last ghost-text suggestion (what Solar: Show Last Prompt opens). */
    readonly lastGhostPrompt: () => string | undefined;
}

let session: Session | undefined;

export function activate(context: vscode.ExtensionContext): SolarCompleteApi {
    const log = vscode.window.createOutputChannel("Solar Complete", { log: true });
    context.subscriptions.push(log);
    try {
        return start(context, log);
    } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log.error(`Activation failed: ${error instanceof Error ? (error.stack ?? message) : message}`);
        void vscode.window.showErrorMessage(vscode.l10n.t("Solar Complete could not start: {0}", message), vscode.l10n.t("Show Log")).then((picked) => picked && log.show());
        throw error;
    }
}

export function deactivate(): Promise<void> | undefined {
    return session?.dispose();
}

function start(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): SolarCompleteApi {
    const notices = new ErrorNotices();
    const shown: string[] = [];
    const activity: Activity = { generating: false };
    const current = createSession(context, log, notices, shown, {
        resolveModelPath: (settings) => models.resolvePath(settings),
        changed: () => status.refresh(),
        backendReplaced: () => ghostText.reset(),
    });
    session = current;
    const settings = () => current.settings;
    const excludedBy = excludedDocuments(new ExcludedFiles(() => settings().exclude));
    const controls = new GhostTextControls(context.globalState, Date.now, () => status.refresh());
    const status = new StatusBar(() => statusInput(current, controls, activity, excludedBy, ghostText));
    const contextSources = new ContextSources({ settings, excludedBy });
    const ghostText = createGhostText(current, controls, activity, contextSources, () => status.refresh());
    const models = new ModelCommands({ context, log, settings, engine: current.local });
    const ask = new AskCommands({
        backend: current.backend,
        engine: current.local,
        settings,
        controls,
        state: context.globalState,
        log,
        // After Instruct replaced it; a server backend meanwhile needs no local model.
        reloadBaseModel: () => current.reloadBaseModel(),
        instructModel: (s) => models.files.instructPath(s),
        excludedBy,
    });
    const gpuPack = new GpuPackOffer({ context, log });
    const provider = new GhostTextProvider(ghostText, () => current.backend.state.kind === "ready", (error) => log.warn(`Ghost text: ${String(error)}`), excludedBy);
    context.subscriptions.push(status, contextSources, ...registerAll({ context, log, session: current, ghostText, provider, controls, ask, models, gpuPack, status, excludedBy }));

    status.show();
    // Before the engine starts: the GPU pack's link must exist when the engine first loads node-llama-cpp.
    void gpuPack.check();
    current.start();
    return {
        get engine(): WorkerClient {
            const engine = current.localEngine;
            if (!engine) throw new Error("The local engine is not running: solarComplete.backend is a server.");
            return engine;
        },
        backend: current.backend,
        settings,
        status: () => describeStatus(statusInput(current, controls, activity, excludedBy, ghostText), (m, ...args) => vscode.l10n.t(m, ...args)),
        notifications: () => shown,
        lastSuggestion: () => ghostText.last,
        lastCandidates: () => ghostText.lastCandidates,
        lastPrompt: () => ask.last,
        lastGhostPrompt: () => ghostText.lastPrompt?.text(),
    };
}

/** What the status bar shows about the last suggestion, besides the backend's state. */
interface Activity {
    generating: boolean;
    last?: { latencyMs: number; tokensPerSecond?: number };
}

type SessionHooks = Pick<ConstructorParameters<typeof Session>[0], "resolveModelPath" | "changed" | "backendReplaced">;

function createSession(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, notices: ErrorNotices, shown: string[], hooks: SessionHooks): Session {
    return new Session({
        ...hooks,
        readSettings: () => readSettings(vscode.workspace.getConfiguration(SECTION), vscode.workspace.isTrusted),
        transport: (host) => engineTransport(host, path.join(context.extensionPath, "dist", "worker.js")),
        // Kept across sessions: a file that crashed the engine is not loaded into the same crash at the next start.
        quarantine: new ModelQuarantine({
            read: () => context.globalState.get<QuarantinedModel[]>(CRASHED_MODELS_KEY) ?? [],
            write: (list) => void context.globalState.update(CRASHED_MODELS_KEY, list),
        }),
        remoteApiKey: remoteApiKey(context.secrets),
        network: networkOptions,
        log: (level, message) => log[level](message),
        report: (error) => reportError(error, { log, notices, showLog: () => log.show(), shown }),
        recovered: () => notices.recovered(),
        engineHostChanged: offerWindowReload,
    });
}

function createGhostText(session: Session, controls: GhostTextControls, activity: Activity, context: ContextSources, changed: () => void): GhostTextService {
    return new GhostTextService({
        backend: session.backend,
        settings: () => session.settings,
        cache: new CompletionCache(),
        debounce: new AdaptiveDebounce(() => ({ minMs: session.settings.debounceMinMs, maxMs: session.settings.debounceMaxMs })),
        now: Date.now,
        sleep: abortableSleep,
        controls: () => ({ snoozedUntil: controls.snoozedUntil, pausedBy: controls.pausedBy }),
        context: (query) => context.contextFor(query),
        onRequest: (event) => {
            activity.generating = event.kind === "start";
            if (event.kind === "done" && event.result.stats.stopReason !== "abort") {
                const { generatedTokens, genMs } = event.result.stats;
                activity.last = { latencyMs: event.latencyMs, tokensPerSecond: genMs > 0 ? (generatedTokens * 1000) / genMs : undefined };
            }
            changed();
        },
    });
}

function statusInput(session: Session, controls: GhostTextControls, activity: Activity, excludedBy: ExcludedBy, ghostText: GhostTextService): StatusInput {
    const { settings } = session;
    const document = vscode.window.activeTextEditor?.document;
    return {
        engine: session.backend.state,
        enabled: settings.enable,
        snoozedUntil: controls.snoozedUntil,
        pausedBy: controls.pausedBy,
        now: Date.now(),
        languageDisabled: document && !isLanguageEnabled(settings.enableLanguages, document.languageId) ? document.languageId : undefined,
        excludedBy: document && excludedBy(document),
        manual: settings.trigger === "manual",
        generating: activity.generating,
        last: activity.last,
        lastContext: ghostText.lastPrompt && { snippets: ghostText.lastPrompt.snippets(), tokens: ghostText.lastPrompt.contextTokens() },
    };
}

const CRASHED_MODELS_KEY = "solarComplete.crashedModels";

function offerWindowReload(): void {
    void vscode.window.showInformationMessage(vscode.l10n.t("Solar Complete: the engine moves to its new host when the window reloads."), vscode.l10n.t("Reload Window")).then((picked) => {
        if (picked) void vscode.commands.executeCommand("workbench.action.reloadWindow");
    });
}
