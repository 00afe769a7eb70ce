// "Solar: Continue Here" and "Solar: Prompt...": the VS Code side of command-palette prompts. The
// thinking lives in src/prompts/ (prompt text and exact budget, the insertion point that follows
// concurrent edits, the gate shared with ghost text); this file only connects it to editors, the
// quick pick and the progress notification.
//
// Models: Continue Here always uses the base model. Locally, Prompt uses Solar Instruct when
// solarComplete.instructModelPath names one: it is loaded in place of the base model (one worker,
// one model: two Solar-sized models rarely fit in memory side by side) and the base model is loaded
// back once the last prompt is done, before ghost text resumes. Without it, the base model answers
// a plain-text framing, and an information message offers the setting. With a remote backend both
// stream from the server, and Prompt uses Instruct's template when the served model's name says
// Instruct.
//
// A file solarComplete.exclude matches is never read: Continue Here refuses in it, and so does a
// Prompt about a selection in it (a Prompt without a selection sends only the question, and may
// still answer at the cursor there).

import * as vscode from "vscode";
import type { Settings } from "../config";
import type { GhostTextControls } from "../completion/controls";
import { exclusionReason } from "../completion/excludedFiles";
import { PREFIX_SLICE_CHARS } from "../completion/ghostTextService";
import type { Backend } from "../completion/activeBackend";
import type { EngineClient } from "../engine/client";
import { CONTEXT_MARGIN } from "../engine/llamaEngine";
import { loadOptions } from "../engine/modelLoader";
import type { CompletionRequest, CompletionStats, ModelInfo } from "../engine/protocol";
import { buildPrompt, cutMarker, type MiddleCut, type PromptStyle, type SelectionContext } from "../prompts/promptBuilder";
import { PromptGate } from "../prompts/promptGate";
import { OUTPUT_DESCRIPTIONS, promptPicks, type PromptOutput, type PromptPick } from "../prompts/promptPicks";
import { RecentPrompts } from "../prompts/recentPrompts";
import { StreamInserter, type InsertionPoint } from "../prompts/streamInserter";
import { EditorTarget, trackPoint, type TrackedPoint } from "./editorInsertion";

export const CONTINUE_COMMAND = "solarComplete.continueHere";
export const PROMPT_COMMAND = "solarComplete.prompt";
export const CANCEL_COMMAND = "solarComplete.cancelPrompt";
export const CLEAR_RECENT_COMMAND = "solarComplete.clearRecentPrompts";
const RUNNING_CONTEXT_KEY = "solarComplete.promptRunning";

/** Arguments of solarComplete.prompt, for keybindings and tests; without `prompt` the quick pick asks. */
export interface PromptArgs {
    readonly prompt?: string;
    readonly output?: PromptOutput;
    /** Stop a running prompt without asking. */
    readonly replaceRunning?: boolean;
}

/** What one run did, for the extension's API: tests read it, and so do timing measurements. */
export interface PromptRun {
    readonly command: "continueHere" | "prompt";
    readonly style: PromptStyle | "continue";
    readonly modelPath?: string;
    readonly output: PromptOutput;
    readonly documentUri: string;
    /** The text prompt sent ("prompt" only: Continue Here sends the document and the engine cuts the window). */
    readonly promptText?: string;
    readonly cut?: MiddleCut;
    /** The information message offering Solar Instruct was shown for this run. */
    readonly offeredInstruct: boolean;
    /** What the engine generated, and what went into the document (an answer's leading blank space is dropped). */
    readonly generated: string;
    readonly inserted: string;
    readonly stats?: CompletionStats;
    /** Milliseconds from the command to the first character in the document. */
    readonly firstCharMs?: number;
    /** Milliseconds from the first to the last character in the document. */
    readonly streamMs?: number;
    readonly totalMs: number;
    /** Edits that inserted text. */
    readonly batches: number;
    readonly outcome: "done" | "cancelled" | "error";
    readonly error?: string;
}

export interface PromptCommandsDeps {
    /** Whoever completes now (the local worker or a server): prompts stream from it. */
    readonly backend: Backend;
    /** The local worker: only it can swap in Solar Instruct. */
    readonly engine: Pick<EngineClient, "load" | "state">;
    readonly settings: () => Settings;
    readonly controls: Pick<GhostTextControls, "pauseFor">;
    readonly state: vscode.Memento;
    readonly log: vscode.LogOutputChannel;
    /** Loads the base model the settings name again (after Instruct replaced it). */
    readonly reloadBaseModel: () => Promise<void>;
    /** The solarComplete.exclude pattern a document matches: its text must not be sent. */
    readonly excludedBy: (document: vscode.TextDocument) => string | undefined;
}

type Progress = vscode.Progress<{ message?: string }>;

export class PromptCommands implements vscode.Disposable {
    private readonly recent: RecentPrompts;
    private readonly gate: PromptGate;
    /** Instruct replaced the base model in the worker: load the base model back when done. */
    private swapped = false;
    private offered = false;
    private lastRun: PromptRun | undefined;

    constructor(private readonly deps: PromptCommandsDeps) {
        this.recent = new RecentPrompts(deps.state);
        this.gate = new PromptGate({
            pause: (reason) => deps.controls.pauseFor(reason),
            windDown: () => this.restoreBaseModel(),
            onChange: (busy) => void vscode.commands.executeCommand("setContext", RUNNING_CONTEXT_KEY, busy),
        });
    }

    get last(): PromptRun | undefined {
        return this.lastRun;
    }

    get running(): boolean {
        return this.gate.busy;
    }

    register(): vscode.Disposable[] {
        return [
            vscode.commands.registerCommand(CONTINUE_COMMAND, () => this.continueHere()),
            vscode.commands.registerCommand(PROMPT_COMMAND, (args?: PromptArgs) => this.prompt(args)),
            vscode.commands.registerCommand(CANCEL_COMMAND, () => this.gate.cancel()),
            vscode.commands.registerCommand(CLEAR_RECENT_COMMAND, () => this.recent.clear()),
        ];
    }

    dispose(): void {
        this.gate.cancel();
    }

    /** The base model continues the document at the cursor; a selection, if any, is the whole prefix. */
    async continueHere(): Promise<PromptRun | undefined> {
        const editor = vscode.window.activeTextEditor;
        if (!editor) {
            void vscode.window.showInformationMessage("Solar: open a file to continue it.");
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
            return await this.run("continueHere", "Solar: continuing here", false, started, async (signal, progress) => {
                await this.restoreBaseModel();
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
    async prompt(args: PromptArgs = {}): Promise<PromptRun | undefined> {
        const settings = this.deps.settings();
        const editor = vscode.window.activeTextEditor;
        // Before the quick pick: asking a question only to have it refused wastes the user's typing.
        if (editor && !editor.selection.isEmpty && this.refuseExcluded(editor.document, (file, reason) => `the selection in ${file} is not sent to a model: ${reason}. Clear the selection to ask without it.`)) {
            return undefined;
        }
        let question = typeof args.prompt === "string" ? args.prompt.trim() : "";
        let output: PromptOutput = args.output ?? settings.promptOutput;
        if (!question) {
            const picked = await this.pickPrompt(settings.promptOutput, editor !== undefined);
            if (!picked) return undefined;
            ({ prompt: question, output } = picked);
        }
        if (!editor) output = "untitled";
        await this.recent.add(question);
        const started = performance.now();
        const selection = editor && !editor.selection.isEmpty ? selectionContext(editor) : undefined;
        const tracked = editor ? trackPoint(editor.document, editor.document.offsetAt(editor.selection.end)) : undefined;
        try {
            return await this.run("prompt", "Solar: answering", args.replaceRunning === true, started, (signal, progress) =>
                this.answer({ question, selection, output, editor, tracked, settings, signal, progress, started }),
            );
        } finally {
            tracked?.dispose();
        }
    }

    private async answer(job: {
        readonly question: string;
        readonly selection: SelectionContext | undefined;
        readonly output: PromptOutput;
        readonly editor: vscode.TextEditor | undefined;
        readonly tracked: TrackedPoint | undefined;
        readonly settings: Settings;
        readonly signal: AbortSignal;
        readonly progress: Progress;
        readonly started: number;
    }): Promise<PromptRun> {
        const { question, selection, editor, tracked, settings } = job;
        // A server serves the model it has: its template is Instruct's when its name says so.
        const remote = settings.backend !== "local";
        const served = this.deps.backend.state.kind === "ready" ? this.deps.backend.state.info.modelPath : "";
        const style: PromptStyle = (remote ? /instruct/i.test(served) : settings.instructModelPath !== "") ? "instruct" : "base";
        const info = style === "instruct" && !remote ? await this.useInstruct(settings, job.progress) : await this.useBase();
        const offeredInstruct = style === "base" && !remote && this.offerInstruct();
        const maxTokens = Math.min(settings["prompt.maxTokens"], info.contextSize - CONTEXT_MARGIN - 1);
        const built = await buildPrompt({
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
     * Takes the engine from ghost text (and from a running prompt, after asking), shows the progress
     * notification whose Cancel stops the run, and turns a failure before the stream into a message.
     */
    private async run(
        command: PromptRun["command"],
        title: string,
        replaceRunning: boolean,
        started: number,
        work: (signal: AbortSignal, progress: Progress) => Promise<PromptRun>,
    ): Promise<PromptRun | undefined> {
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
            void vscode.window.showErrorMessage(`Solar: ${message}`);
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
    private async stream(
        run: Pick<PromptRun, "command" | "style" | "output" | "promptText" | "cut" | "offeredInstruct">,
        target: {
            readonly editor: vscode.TextEditor;
            readonly point: InsertionPoint;
            readonly request: CompletionRequest;
            readonly signal: AbortSignal;
            readonly started: number;
            readonly progress: Progress;
            readonly trimStart: boolean;
        },
    ): Promise<PromptRun> {
        const { editor, point, request, signal, started, progress } = target;
        const document = editor.document;
        const into = new EditorTarget(editor);
        // EditorTarget waits for the change that made an edit stale: retry at once after it.
        const inserter = new StreamInserter(into, point, { retryDelayMs: 0 });
        const closed = vscode.workspace.onDidCloseTextDocument((closing) => closing === document && this.gate.cancel());
        let generated = "";
        let leading = target.trimStart;
        // Every report is a message to the workbench, which re-renders the notification: a few a second.
        let reportedAt = 0;
        const onText = (chunk: string) => {
            generated += chunk;
            if (leading) {
                chunk = chunk.replace(/^\s+/, "");
                if (!chunk) return;
                leading = false;
            }
            inserter.push(chunk);
            if (performance.now() - reportedAt > 250) {
                reportedAt = performance.now();
                progress.report({ message: `${generated.length.toLocaleString("en-US")} characters` });
            }
        };
        const modelPath = this.deps.backend.state.kind === "ready" ? this.deps.backend.state.info.modelPath : undefined;
        const finish = (fields: Pick<PromptRun, "outcome" | "stats" | "error">): PromptRun => {
            this.lastRun = {
                ...run,
                ...fields,
                modelPath,
                documentUri: document.uri.toString(),
                generated,
                inserted: into.inserted,
                firstCharMs: into.firstAt === undefined ? undefined : into.firstAt - started,
                streamMs: into.firstAt === undefined || into.lastAt === undefined ? undefined : into.lastAt - into.firstAt,
                totalMs: performance.now() - started,
                batches: inserter.batches,
            };
            return this.lastRun;
        };
        try {
            const result = await this.deps.backend.complete(request, { signal, onText });
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
            void vscode.window.showErrorMessage(`Solar: ${message}`);
            return finish({ outcome: "error", error: message });
        } finally {
            closed.dispose();
        }
    }

    /** Says why a file's text will not be sent, when solarComplete.exclude matches it. */
    private refuseExcluded(document: vscode.TextDocument, explain: (file: string, reason: string) => string): boolean {
        const pattern = this.deps.excludedBy(document);
        if (pattern === undefined) return false;
        const message = `Solar: ${explain(vscode.workspace.asRelativePath(document.uri), exclusionReason(pattern))}`;
        this.deps.log.info(message);
        void vscode.window.showWarningMessage(message);
        return true;
    }

    /** Solar Instruct in the worker (evicting the base model until the last prompt is done). */
    private async useInstruct(settings: Settings, progress: Progress): Promise<ModelInfo> {
        const state = this.deps.engine.state;
        if (state.kind === "ready" && state.info.modelPath === settings.instructModelPath) return state.info;
        const options = loadOptions({ ...settings, modelPath: settings.instructModelPath });
        if (!options) throw new Error("solarComplete.instructModelPath is empty.");
        progress.report({ message: "loading Solar Instruct…" });
        this.swapped = true;
        try {
            return await this.deps.engine.load(options);
        } catch (error) {
            throw new Error(`Solar Instruct could not be loaded from ${settings.instructModelPath}: ${error instanceof Error ? error.message : String(error)}`);
        }
    }

    private async useBase(): Promise<ModelInfo> {
        await this.restoreBaseModel();
        const state = this.deps.backend.state;
        if (state.kind === "ready") return state.info;
        throw new Error(state.kind === "loading" || state.kind === "starting" ? "The model is still loading; try again in a moment." : "No model is loaded (see the status bar).");
    }

    private async restoreBaseModel(): Promise<void> {
        if (!this.swapped) return;
        this.swapped = false;
        await this.deps.reloadBaseModel();
    }

    /** Once per session: say that Instruct answers better, and where to set it. */
    private offerInstruct(): boolean {
        if (this.offered) return false;
        this.offered = true;
        const open = "Open Settings";
        void vscode.window
            .showInformationMessage(
                "Solar: answering with the base model and a plain-text framing. Solar Instruct answers questions better: set solarComplete.instructModelPath to a local Solar Instruct GGUF file.",
                open,
            )
            .then((picked) => picked === open && vscode.commands.executeCommand("workbench.action.openSettings", "solarComplete.instructModelPath"));
        return true;
    }

    private pickPrompt(preferred: PromptOutput, canInsert: boolean): Promise<{ prompt: string; output: PromptOutput } | undefined> {
        type Item = vscode.QuickPickItem & { readonly pick: PromptPick };
        const other: PromptOutput = preferred === "untitled" ? "cursor" : "untitled";
        const otherButton = { iconPath: new vscode.ThemeIcon(other === "cursor" ? "insert" : "new-file"), tooltip: `Ask, ${OUTPUT_DESCRIPTIONS[other]}` };
        const removeButton = { iconPath: new vscode.ThemeIcon("close"), tooltip: "Remove from recent prompts" };
        const icons: Record<PromptPick["kind"], string> = { ask: "", recent: "$(history) ", clear: "$(clear-all) " };
        const quickPick = vscode.window.createQuickPick<Item>();
        quickPick.title = "Solar: Prompt";
        quickPick.placeholder = `Ask Solar${canInsert ? " (about the selection, if any)" : ""}; Enter: ${OUTPUT_DESCRIPTIONS[canInsert ? preferred : "untitled"]}`;
        const refresh = () => {
            quickPick.items = promptPicks(quickPick.value, this.recent.list(), preferred, canInsert).map((pick) => ({
                pick,
                label: `${pick.kind === "ask" ? (pick.output === "cursor" ? "$(insert) " : "$(new-file) ") : icons[pick.kind]}${pick.label}`,
                description: pick.description,
                alwaysShow: pick.kind === "ask",
                buttons: pick.kind === "recent" ? [...(canInsert ? [otherButton] : []), removeButton] : [],
            }));
        };
        return new Promise((resolve) => {
            let settled = false;
            const done = (value: { prompt: string; output: PromptOutput } | undefined) => {
                if (settled) return;
                settled = true;
                resolve(value);
                quickPick.hide();
            };
            quickPick.onDidChangeValue(refresh);
            quickPick.onDidAccept(() => {
                const pick = quickPick.selectedItems[0]?.pick;
                if (pick?.kind === "clear") {
                    void this.recent.clear().then(refresh);
                } else if (pick) {
                    done({ prompt: pick.prompt, output: pick.output });
                }
            });
            quickPick.onDidTriggerItemButton(({ item, button }) => {
                if (item.pick.kind !== "recent") return;
                if (button === removeButton) void this.recent.remove(item.pick.prompt).then(refresh);
                else done({ prompt: item.pick.prompt, output: other });
            });
            quickPick.onDidHide(() => {
                done(undefined);
                quickPick.dispose();
            });
            refresh();
            quickPick.show();
        });
    }
}

function selectionContext(editor: vscode.TextEditor): SelectionContext {
    const document = editor.document;
    return {
        text: document.getText(editor.selection),
        languageId: document.languageId,
        fileName: document.isUntitled ? undefined : vscode.workspace.asRelativePath(document.uri),
    };
}

/** A new Markdown document that starts with the question (quoted), ready for the answer below it. */
async function openAnswerDocument(question: string, cut: MiddleCut | undefined, beside: boolean) {
    const content = answerHeader(question, cut);
    const document = await vscode.workspace.openTextDocument({ language: "markdown", content });
    const editor = await vscode.window.showTextDocument(document, { viewColumn: beside ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active, preview: false });
    return { editor, tracked: trackPoint(document, document.getText().length) };
}

/** The question, quoted, above the answer; and the cut, if the selection lost its middle. */
export function answerHeader(question: string, cut: MiddleCut | undefined): string {
    const quote = (text: string) => `> ${text.split(/\r?\n/).join("\n> ")}\n\n`;
    return quote(question) + (cut ? quote(cutMarker(cut)) : "");
}

async function confirmTakeover(): Promise<boolean> {
    const stop = "Stop It and Start";
    const picked = await vscode.window.showWarningMessage("A Solar prompt is still running. Stop it and start this one?", { modal: true }, stop);
    return picked === stop;
}
