// "Solar: Continue Here" and "Solar: Prompt...": the VS Code side of the command-palette questions.
// The thinking lives in src/ask/ (the prompt text and its exact budget, the model swap, the
// insertion point that follows concurrent edits, the gate shared with ghost text); this file only
// connects it to editors, the progress notification and the model. The quick pick is in askPick.ts,
// the answer document in answerDocument.ts.
//
// Models: Continue Here always uses the base model. Locally, Prompt uses Solar Instruct when
// solarComplete.instructModelPath names one, or else solarComplete.instructQuantization names the
// catalog's (downloaded after consent, licence shown: deps.instructModel) (src/ask/modelSwap.ts).
// Without either, the base model answers a plain-text framing, and an information message offers
// the download (CC-BY-NC-4.0: non-commercial) or the setting. With a remote
// backend both stream from the server, and Prompt uses Instruct's template when the served model's
// name says Instruct.
//
// A file solarComplete.exclude matches is never read: Continue Here refuses in it, and so does a
// Prompt about a selection in it (a Prompt without a selection sends only the question, and may
// still answer at the cursor there).

import * as vscode from "vscode";
import type { Settings } from "../config";
import type { GhostTextControls } from "../completion/controls";
import { exclusionReason } from "../status/statusText";
import { PREFIX_SLICE_CHARS } from "../backend/limits";
import type { Backend } from "../backend/backend";
import type { WorkerClient } from "../engine/workerClient";
import { CONTEXT_MARGIN } from "../backend/limits";
import { loadOptions } from "../session/modelLoader";
import type { CompletionRequest } from "../backend/types";
import { AnswerStream } from "../ask/answerStream";
import { buildAskPrompt, cutMarker, type SelectionContext } from "../ask/askPrompt";
import type { AskArgs, AskRun } from "../ask/askRun";
import { AskGate } from "../ask/askGate";
import type { AnswerOutput } from "../ask/askPicks";
import { answerStyle, ModelSwap } from "../ask/modelSwap";
import { RecentQuestions } from "../ask/recentQuestions";
import { StreamInserter, type InsertionPoint } from "../ask/streamInserter";
import { confirmTakeover, openAnswerDocument } from "./answerDocument";
import { pickQuestion } from "./askPick";
import { LICENCES } from "../model/catalog";
import { CHOOSE_MODEL_COMMAND } from "./modelCommands";
import { EditorTarget, trackPoint, type TrackedPoint } from "./editorInsertion";

export const CONTINUE_COMMAND = "solarComplete.continueHere";
export const PROMPT_COMMAND = "solarComplete.prompt";
export const CANCEL_COMMAND = "solarComplete.cancelPrompt";
export const CLEAR_RECENT_COMMAND = "solarComplete.clearRecentPrompts";
const RUNNING_CONTEXT_KEY = "solarComplete.promptRunning";

export interface AskCommandsDeps {
    /** Whoever completes now (the local worker or a server): questions stream from it. */
    readonly backend: Backend;
    /** The local worker: only it can swap in Solar Instruct. */
    readonly engine: Pick<WorkerClient, "load">;
    readonly settings: () => Settings;
    readonly controls: Pick<GhostTextControls, "pauseFor">;
    readonly state: vscode.Memento;
    readonly log: vscode.LogOutputChannel;
    /** Loads the base model the settings name again (after Instruct replaced it). */
    readonly reloadBaseModel: () => Promise<void>;
    /** The solarComplete.exclude pattern a document matches: its text must not be sent. */
    readonly excludedBy: (document: vscode.TextDocument) => string | undefined;
    /**
     * The Solar Instruct file a prompt loads: instructModelPath, or the catalog's for
     * instructQuantization, downloaded after consent (ModelFileResolver.instructPath). Undefined:
     * none, or the user declined. Without this dep only instructModelPath counts.
     */
    readonly instructModel?: (settings: Settings) => Promise<string | undefined>;
}

type Progress = vscode.Progress<{ message?: string }>;

/** Where one completion streams to, and what the run has to know about it. */
interface StreamTarget {
    readonly editor: vscode.TextEditor;
    readonly point: InsertionPoint;
    readonly request: CompletionRequest;
    readonly signal: AbortSignal;
    readonly started: number;
    readonly progress: Progress;
    readonly trimStart: boolean;
}

type RunFields = Pick<AskRun, "command" | "style" | "output" | "promptText" | "cut" | "offeredInstruct">;

export class AskCommands implements vscode.Disposable {
    private readonly recent: RecentQuestions;
    private readonly gate: AskGate;
    private readonly swap: ModelSwap;
    private offered = false;
    private lastRun: AskRun | undefined;

    constructor(private readonly deps: AskCommandsDeps) {
        this.recent = new RecentQuestions(deps.state);
        this.swap = new ModelSwap({
            // useInstruct never passes an empty path, the one case loadOptions has no options for.
            loadInstruct: (modelPath) => deps.engine.load(loadOptions({ ...deps.settings(), modelPath })!),
            reloadBase: () => deps.reloadBaseModel(),
            state: () => deps.backend.state,
        });
        this.gate = new AskGate({
            pause: (reason) => deps.controls.pauseFor(reason),
            windDown: () => this.swap.restoreBase(),
            onChange: (busy) => void vscode.commands.executeCommand("setContext", RUNNING_CONTEXT_KEY, busy),
        });
    }

    get last(): AskRun | undefined {
        return this.lastRun;
    }

    register(): vscode.Disposable[] {
        return [
            vscode.commands.registerCommand(CONTINUE_COMMAND, () => this.continueHere()),
            vscode.commands.registerCommand(PROMPT_COMMAND, (args?: AskArgs) => this.prompt(args)),
            vscode.commands.registerCommand(CANCEL_COMMAND, () => this.gate.cancel()),
            vscode.commands.registerCommand(CLEAR_RECENT_COMMAND, () => this.recent.clear()),
        ];
    }

    dispose(): void {
        this.gate.cancel();
    }

    /** The base model continues the document at the cursor; a selection, if any, is the whole prefix. */
    async continueHere(): Promise<AskRun | undefined> {
        const editor = vscode.window.activeTextEditor;
        if (!editor) {
            void vscode.window.showInformationMessage(vscode.l10n.t("Solar: open a file to continue it."));
            return undefined;
        }
        if (this.refuseExcluded(editor.document, (file, reason) => `Continue Here does not read ${file}: ${reason}.`)) return undefined;
        const started = performance.now();
        const document = editor.document;
        const selection = editor.selection;
        const end = document.offsetAt(selection.end);
        const text = selection.isEmpty
            ? document.getText(new vscode.Range(document.positionAt(Math.max(0, end - PREFIX_SLICE_CHARS)), selection.end))
            : document.getText(selection);
        if (!selection.isEmpty) editor.selection = new vscode.Selection(selection.end, selection.end);
        const tracked = trackPoint(document, end);
        try {
            return await this.run("continueHere", vscode.l10n.t("Solar: continuing here"), false, started, async (signal, progress) => {
                await this.swap.restoreBase();
                const settings = this.deps.settings();
                const request: CompletionRequest = {
                    prompt: { kind: "document", text, cursor: text.length },
                    maxTokens: settings["prompt.maxTokens"],
                    temperature: settings.temperature,
                    preemptible: false,
                };
                return this.stream({ command: "continueHere", style: "continue", output: "cursor", offeredInstruct: false }, {
                    editor, point: tracked.point, request, signal, started, progress, trimStart: false,
                });
            });
        } finally {
            tracked.dispose();
        }
    }

    /** A question (about the selection, if any), answered in a new document or at the cursor. */
    async prompt(args: AskArgs = {}): Promise<AskRun | undefined> {
        const configured = this.deps.settings();
        const editor = vscode.window.activeTextEditor;
        // Before the quick pick: asking a question only to have it refused wastes the user's typing.
        if (editor && !editor.selection.isEmpty && this.refuseExcluded(editor.document, (file, reason) => `the selection in ${file} is not sent to a model: ${reason}. Clear the selection to ask without it.`)) {
            return undefined;
        }
        let question = typeof args.prompt === "string" ? args.prompt.trim() : "";
        let output: AnswerOutput = args.output ?? configured.promptOutput;
        if (!question) {
            const picked = await pickQuestion(this.recent, configured.promptOutput, editor !== undefined);
            if (!picked) return undefined;
            ({ question, output } = picked);
        }
        // Before the engine is taken from ghost text: a first use may download Solar Instruct.
        const settings = await this.withInstructModel(configured);
        if (!settings) return undefined;
        if (!editor) output = "untitled";
        await this.recent.add(question);
        const started = performance.now();
        const selection = editor && !editor.selection.isEmpty ? selectionContext(editor) : undefined;
        const tracked = editor ? trackPoint(editor.document, editor.document.offsetAt(editor.selection.end)) : undefined;
        try {
            return await this.run("prompt", vscode.l10n.t("Solar: answering"), args.replaceRunning === true, started, (signal, progress) =>
                this.answer({ question, selection, output, editor, tracked, settings, signal, progress, started }),
            );
        } finally {
            tracked?.dispose();
        }
    }

    private async answer(job: {
        readonly question: string;
        readonly selection: SelectionContext | undefined;
        readonly output: AnswerOutput;
        readonly editor: vscode.TextEditor | undefined;
        readonly tracked: TrackedPoint | undefined;
        readonly settings: Settings;
        readonly signal: AbortSignal;
        readonly progress: Progress;
        readonly started: number;
    }): Promise<AskRun> {
        const { question, selection, editor, tracked, settings } = job;
        const remote = settings.backend !== "local";
        const served = this.deps.backend.state.kind === "ready" ? this.deps.backend.state.info.modelPath : "";
        const style = answerStyle({ remote, servedModel: served, instructModelPath: settings.instructModelPath });
        const info =
            style === "instruct" && !remote
                ? await this.swap.useInstruct(settings.instructModelPath, () => job.progress.report({ message: "loading Solar Instruct…" }))
                : await this.swap.useBase();
        const offeredInstruct = style === "base" && !remote && this.offerInstruct();
        const maxTokens = Math.min(settings["prompt.maxTokens"], info.contextSize - CONTEXT_MARGIN - 1);
        const built = await buildAskPrompt({
            question,
            selection,
            style,
            countTokens: (text) => this.deps.backend.countTokens(text),
            budget: info.contextSize - CONTEXT_MARGIN - maxTokens,
        });
        if (built.cut) {
            const message = `Solar: the selection was too long for the ${info.contextSize}-token window; ${cutMarker(built.cut)}`;
            this.deps.log.warn(message);
            if (job.output === "cursor") void vscode.window.showWarningMessage(message);
        }
        const place =
            job.output === "cursor" && editor && tracked
                ? { editor, tracked, output: "cursor" as const, owned: false }
                : { ...(await openAnswerDocument(question, built.cut, editor !== undefined)), output: "untitled" as const, owned: true };
        const request: CompletionRequest = {
            prompt: { kind: "text", text: built.text },
            maxTokens,
            stop: built.stop,
            temperature: settings.temperature,
            preemptible: false,
        };
        try {
            return await this.stream(
                { command: "prompt", style, output: place.output, promptText: built.text, cut: built.cut, offeredInstruct },
                { editor: place.editor, point: place.tracked.point, request, signal: job.signal, started: job.started, progress: job.progress, trimStart: true },
            );
        } finally {
            if (place.owned) place.tracked.dispose();
        }
    }

    /**
     * Takes the engine from ghost text (and from a running question, after asking), shows the progress
     * notification whose Cancel stops the run, and turns a failure before the stream into a message.
     */
    private async run(
        command: AskRun["command"],
        title: string,
        replaceRunning: boolean,
        started: number,
        work: (signal: AbortSignal, progress: Progress) => Promise<AskRun>,
    ): Promise<AskRun | undefined> {
        const lease = await this.gate.acquire(replaceRunning ? async () => true : () => confirmTakeover());
        if (!lease) return undefined;
        try {
            return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
                const subscription = token.onCancellationRequested(() => lease.cancel());
                try {
                    return await work(lease.signal, progress);
                } finally {
                    subscription.dispose();
                }
            });
        } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            this.deps.log.error(`${command}: ${message}`);
            void vscode.window.showErrorMessage(vscode.l10n.t("Solar: {0}", message));
            this.lastRun = {
                command, style: "base", output: "cursor", documentUri: "", offeredInstruct: false, generated: "", inserted: "",
                totalMs: performance.now() - started, batches: 0, outcome: "error", error: message,
            };
            return this.lastRun;
        } finally {
            lease.release();
        }
    }

    /** Streams one completion into the document; what was inserted stays, whatever ends the stream. */
    private async stream(run: RunFields, target: StreamTarget): Promise<AskRun> {
        const { editor, request, signal, started } = target;
        const document = editor.document;
        const into = new EditorTarget(editor);
        // EditorTarget waits for the change that made an edit stale: retry at once after it.
        const inserter = new StreamInserter(into, target.point, { retryDelayMs: 0 });
        const closed = vscode.workspace.onDidCloseTextDocument((closing) => closing === document && this.gate.cancel());
        const answer = new AnswerStream({
            trimStart: target.trimStart,
            push: (chunk) => inserter.push(chunk),
            report: (message) => target.progress.report({ message }),
        });
        const modelPath = this.deps.backend.state.kind === "ready" ? this.deps.backend.state.info.modelPath : undefined;
        const finish = (fields: Pick<AskRun, "outcome" | "stats" | "error">): AskRun => {
            this.lastRun = runRecord(run, fields, { modelPath, document, generated: answer.generated, into, inserter, started });
            return this.lastRun;
        };
        try {
            const result = await this.deps.backend.complete(request, { signal, onText: answer.onText });
            await inserter.finish();
            const cancelled = result.stats.stopReason === "abort";
            this.deps.log.info(
                `${run.command}: ${result.stats.generatedTokens} tokens, stop ${result.stats.stopReason}, ${into.inserted.length} characters in ${inserter.batches} edits`,
            );
            return finish({ outcome: cancelled ? "cancelled" : "done", stats: result.stats });
        } catch (error) {
            await inserter.finish().catch(() => undefined);
            const message = error instanceof Error ? error.message : String(error);
            this.deps.log.error(`${run.command}: ${message}`);
            void vscode.window.showErrorMessage(vscode.l10n.t("Solar: {0}", message));
            return finish({ outcome: "error", error: message });
        } finally {
            closed.dispose();
        }
    }

    /** Says why a file's text will not be sent, when solarComplete.exclude matches it. */
    private refuseExcluded(document: vscode.TextDocument, explain: (file: string, reason: string) => string): boolean {
        const pattern = this.deps.excludedBy(document);
        if (pattern === undefined) return false;
        const message = `Solar: ${explain(vscode.workspace.asRelativePath(document.uri), exclusionReason(pattern, (m, ...args) => vscode.l10n.t(m, ...args)))}`;
        this.deps.log.info(message);
        void vscode.window.showWarningMessage(message);
        return true;
    }

    /**
     * The settings with instructModelPath naming the file Prompt loads (the catalog's Instruct once
     * downloaded). Locally only: a server serves the model it has. Undefined: the download failed.
     */
    private async withInstructModel(settings: Settings): Promise<Settings | undefined> {
        if (settings.backend !== "local" || !this.deps.instructModel) return settings;
        try {
            return { ...settings, instructModelPath: (await this.deps.instructModel(settings)) ?? "" };
        } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            this.deps.log.error(`prompt: Solar Instruct: ${message}`);
            if ((error as { code?: string }).code !== "CANCELLED") void vscode.window.showErrorMessage(vscode.l10n.t("Solar: Solar Instruct could not be downloaded: {0}", message));
            return undefined;
        }
    }

    /** Once per session: say that Instruct answers better, under which licence, and how to get it. */
    private offerInstruct(): boolean {
        if (this.offered) return false;
        this.offered = true;
        const download = vscode.l10n.t("Download Solar Instruct…");
        const open = vscode.l10n.t("Open Settings");
        void vscode.window
            .showInformationMessage(
                vscode.l10n.t(
                    "Solar: answering with the base model and a plain-text framing. Solar Instruct answers questions better (licence [CC-BY-NC-4.0]({0}): non-commercial use only): download it from the catalog, or set solarComplete.instructModelPath to a local Solar Instruct GGUF file.",
                    LICENCES.nonCommercial.url,
                ),
                download,
                open,
            )
            .then((picked) => {
                if (picked === download) return vscode.commands.executeCommand(CHOOSE_MODEL_COMMAND, "instruct");
                if (picked === open) return vscode.commands.executeCommand("workbench.action.openSettings", "solarComplete.instructModelPath");
                return undefined;
            });
        return true;
    }
}

/** The run as the API reports it, once the stream has ended. */
function runRecord(
    run: RunFields,
    fields: Pick<AskRun, "outcome" | "stats" | "error">,
    stream: { modelPath: string | undefined; document: vscode.TextDocument; generated: string; into: EditorTarget; inserter: StreamInserter; started: number },
): AskRun {
    const { into, started } = stream;
    return {
        ...run,
        ...fields,
        modelPath: stream.modelPath,
        documentUri: stream.document.uri.toString(),
        generated: stream.generated,
        inserted: into.inserted,
        firstCharMs: into.firstAt === undefined ? undefined : into.firstAt - started,
        streamMs: into.firstAt === undefined || into.lastAt === undefined ? undefined : into.lastAt - into.firstAt,
        totalMs: performance.now() - started,
        batches: stream.inserter.batches,
    };
}

function selectionContext(editor: vscode.TextEditor): SelectionContext {
    const document = editor.document;
    return {
        text: document.getText(editor.selection),
        languageId: document.languageId,
        fileName: document.isUntitled ? undefined : vscode.workspace.asRelativePath(document.uri),
    };
}
