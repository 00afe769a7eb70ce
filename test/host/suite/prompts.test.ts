// Command-palette prompts in a real VS Code, with the real worker and generated models: Continue Here
// streams the copy model's exact continuation and undoes in one step, cancel keeps what was inserted,
// the user's typing elsewhere survives the stream, Prompt uses Solar Instruct's exact template (and
// the base model's framing without it), an overlong selection is cut with a marker, ghost text is
// paused while a prompt runs, and the time to the first streamed character on the medium model.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import type { SolarCompleteApi } from "../../../src/extension";
import type { AskRun } from "../../../src/ask/askRun";
import { answerHeader } from "../../../src/ask/answerHeader";
import { ASK_TITLE } from "../../../src/commands/codeActions";
import { baseFraming, CUT_MARKER_PATTERN } from "../../../src/ask/askPrompt";
import { expectedCompletion } from "../../fixtures/copy-table";
import { copyFixture, type CopyFixture } from "../../fixtures/models";
import { hostLog } from "./hostLog";
import { until } from "./until";

const EXTENSION_ID = "solar-complete.solar-complete";
const config = () => vscode.workspace.getConfiguration("solarComplete");
const GLOBAL = vscode.ConfigurationTarget.Global;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** VS Code stores the document's line ending whatever the text inserted used. */
const lf = (text: string) => text.replace(/\r\n?/g, "\n");


describe("command-palette prompts in VS Code", function () {
    let api: SolarCompleteApi;
    let code: CopyFixture;
    let prose: CopyFixture;
    let workspace: string;
    const tinyModel = process.env.SOLAR_TEST_TINY_MODEL ?? "";
    const mediumModel = process.env.SOLAR_TEST_MEDIUM_MODEL ?? "";

    before(async () => {
        assert.ok(tinyModel && mediumModel && process.env.SOLAR_TEST_COPY_MODEL, "the runner passes the tiny, medium and copy models");
        code = await copyFixture("copy-code");
        prose = await copyFixture("copy");
        assert.equal(prose.path, process.env.SOLAR_TEST_COPY_MODEL, "runner and suite agree on the copy model");
        workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? "";
        api = (await vscode.extensions.getExtension<SolarCompleteApi>(EXTENSION_ID)?.activate()) as SolarCompleteApi;
        await useModel(code.path);
    });
    afterEach(async () => {
        await vscode.commands.executeCommand("solarComplete.cancelPrompt");
        for (const key of ["prompt.maxTokens", "instructModelPath", "promptOutput"]) await config().update(key, undefined, GLOBAL);
        await useModel(code.path);
        await closeAllEditors();
    });

    /** Closes every tab, dropping unsaved changes (closeAllEditors would ask about them). */
    async function closeAllEditors(): Promise<void> {
        for (let i = 0; i < 50; i++) {
            const tab = vscode.window.tabGroups.all.flatMap((group) => group.tabs)[0];
            if (!tab) return;
            if (tab.input instanceof vscode.TabInputText) {
                await vscode.window.showTextDocument(tab.input.uri, { viewColumn: tab.group.viewColumn });
                await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
            } else {
                await vscode.window.tabGroups.close(tab);
            }
        }
    }

    /** Runs that showed the offer of Solar Instruct: once per session. */
    let offers = 0;

    async function useModel(modelPath: string): Promise<void> {
        await config().update("modelPath", modelPath, GLOBAL);
        await until(`model ${path.basename(modelPath)}`, () => api.engine.state.kind === "ready" && api.engine.state.info.modelPath === modelPath);
    }

    async function open(name: string, text: string, cursor = text.length): Promise<vscode.TextEditor> {
        const file = path.join(workspace, name);
        fs.writeFileSync(file, text);
        const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
        const at = editor.document.positionAt(cursor);
        editor.selection = new vscode.Selection(at, at);
        return editor;
    }

    /** The copy model's greedy answer to exactly `prompt` (BOS + its tokens). */
    function copyAnswer(fixture: CopyFixture, prompt: string, maxTokens: number): string {
        return expectedCompletion(fixture.vocab, fixture.table, [1, ...fixture.vocab.encode(prompt, { bos: false })], maxTokens).text;
    }

    const continueHere = () => vscode.commands.executeCommand<AskRun | undefined>("solarComplete.continueHere") as Promise<AskRun | undefined>;

    it("Continue Here streams exactly the copy model's continuation; one undo removes it all", async () => {
        const cut = code.cutPoints.find((c) => c.offset > 200 && code.text[c.offset - 1] === "\n");
        assert.ok(cut);
        const prefix = code.text.slice(0, cut.offset);
        const editor = await open("continue.ts", prefix);
        const expected = copyAnswer(code, prefix, api.settings()["prompt.maxTokens"]);
        assert.ok(expected.length > 100 && code.text.slice(cut.offset).startsWith(expected), "the fixture continues the file");

        let edits = 0;
        const counting = vscode.workspace.onDidChangeTextDocument((event) => event.document === editor.document && event.contentChanges.length > 0 && edits++);
        const run = await continueHere();
        counting.dispose();
        assert.ok(run);
        assert.equal(run.outcome, "done");
        assert.equal(editor.document.getText(), prefix + expected);
        assert.equal(run.inserted, expected);
        assert.ok(run.batches >= 2 && edits >= 2, `streamed in ${run.batches} edits (${edits} document changes), not at once`);

        // The insertion is one undo step, closed at its end: typing afterwards is a step of its own.
        await vscode.commands.executeCommand("type", { text: "x" });
        assert.equal(editor.document.getText(), `${prefix}${expected}x`);
        await vscode.commands.executeCommand("undo");
        assert.equal(editor.document.getText(), prefix + expected);
        await vscode.commands.executeCommand("undo");
        assert.equal(editor.document.getText(), prefix);
    });

    it("cancelling mid-stream stops the engine (it counts the abort) and keeps what was inserted", async () => {
        await config().update("prompt.maxTokens", 2048, GLOBAL);
        await useModel(tinyModel);
        const original = "export function main() {\n    const value = ";
        const editor = await open("cancel-continue.ts", original);
        const aborted = (await api.engine.counters()).aborted;
        const running = continueHere();
        await until("streamed text", () => editor.document.getText().length > original.length + 20);
        assert.equal(await vscode.commands.executeCommand("solarComplete.cancelPrompt"), true);
        const run = await running;
        assert.ok(run?.stats);
        assert.equal(run.outcome, "cancelled");
        assert.equal(run.stats.stopReason, "abort");
        assert.ok(run.stats.generatedTokens < 2048, `${run.stats.generatedTokens} tokens`);
        assert.ok((await api.engine.counters()).aborted > aborted, "the engine counted the abort");
        assert.equal(run.inserted, run.generated, "everything generated before the cancel was inserted");
        await sleep(200);
        assert.equal(editor.document.getText(), original + lf(run.inserted), "and it stays");
    });

    it("typing elsewhere in the document while it streams: the typing and the stream both survive intact", async () => {
        // The longest answer the setting allows: on a loaded machine each keystroke through the
        // workbench takes a while, and several must land while it streams.
        await config().update("prompt.maxTokens", 2048, GLOBAL);
        await useModel(tinyModel);
        const head = "// notes:";
        const body = "\nexport function main() {\n    const value = ";
        const tail = "\n}\n// end\n";
        const editor = await open("concurrent.ts", head + body + tail, head.length + body.length);
        const document = editor.document;
        let done = false;
        const running = continueHere().finally(() => (done = true));
        await until("streamed text", () => document.getText().length > (head + body + tail).length);
        // Real keystrokes, typed in the workbench like a user's (API edits would be refused as stale
        // while the stream edits): two cursors, one above the stream (each keystroke shifts its
        // insertion point) and one below it.
        const lastLine = document.lineCount - 1;
        assert.equal(document.lineAt(lastLine).text, "", "the generated text so far is on one line");
        editor.selections = [new vscode.Selection(0, head.length, 0, head.length), new vscode.Selection(lastLine, 0, lastLine, 0)];
        let typed = "";
        let whileStreaming = 0;
        while (!done && typed.length < 100) {
            await vscode.commands.executeCommand("type", { text: "x" });
            typed += "x";
            if (!done) whileStreaming++;
            await sleep(20);
        }
        const run = await running;
        assert.ok(run && run.outcome === "done", run?.error);
        assert.ok(!run.generated.includes("\n"), "the tiny model's answer to this prompt stays on one line, so the cursors above stay put");
        assert.ok(whileStreaming >= 4, `only ${whileStreaming} keystrokes landed while it streamed`);
        assert.ok(run.batches >= 2, `${run.batches} batches`);
        assert.equal(run.inserted, run.generated);
        assert.equal(document.getText(), `${head}${typed}${body}${lf(run.inserted)}${tail}${typed}`);
    });

    it("pauses ghost-text requests while a prompt runs (the status bar says so) and resumes them after", async () => {
        // The medium model: slow enough (a few seconds for 512 tokens) to keep the prompt running throughout.
        await config().update("prompt.maxTokens", 512, GLOBAL);
        await useModel(mediumModel);
        const original = "export function main() {\n    const value = ";
        const editor = await open("paused.ts", original);
        await sleep(500); // anything opening the file set off has settled
        const before = await api.engine.counters();
        let done = false;
        const running = continueHere().finally(() => (done = true));
        await until("streamed text", () => editor.document.getText().length > original.length);
        assert.match(api.status().text, /debug-pause/);
        assert.match(api.status().tooltip, /prompt is running/);
        // Asked explicitly and by typing: neither may reach the engine (where it would abort the prompt).
        await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
        const other = await vscode.workspace.openTextDocument({ language: "typescript", content: "const a = 1;\nconst b = " });
        const otherEditor = await vscode.window.showTextDocument(other, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false });
        for (const ch of " 2;") await vscode.commands.executeCommand("type", { text: ch });
        await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
        await sleep(100);
        // While the prompt runs, a ghost-text request could only be refused or abort the prompt.
        const during = await api.engine.counters();
        assert.ok(!done, "the prompt still runs");
        assert.equal(during.completions, before.completions, "nothing else ran while the prompt did");
        const run = await running;
        assert.ok(run?.stats);
        assert.equal(run.stats.stopReason, "maxTokens", "ghost text never aborted the prompt");
        const after = await api.engine.counters();
        assert.equal(after.refused, before.refused, "ghost text did not even ask");
        assert.equal(after.aborted, before.aborted);

        await until("ghost text to resume", () => !api.status().text.includes("debug-pause"));
        // A new line, so no suggestion cached from before can answer it.
        for (const ch of " = 7;\nconst d") await vscode.commands.executeCommand("type", { text: ch });
        await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
        await until("a ghost-text request", async () => (await api.engine.counters()).completions > after.completions, 10_000);
        assert.equal(otherEditor.document, other);
    });

    it("a second prompt stops the first (here without the dialog) and runs", async () => {
        await config().update("prompt.maxTokens", 2048, GLOBAL);
        // The medium model takes tens of seconds for 2,048 tokens (the tiny one ~3 s): the first prompt
        // is surely still running when the second arrives, however loaded the machine.
        await useModel(mediumModel);
        const editor = await open("takeover.ts", "export function main() {\n    const value = ");
        const first = continueHere();
        await until("the first prompt streaming", () => editor.document.getText().length > 60);
        await config().update("prompt.maxTokens", 16, GLOBAL);
        const second = await vscode.commands.executeCommand<AskRun>("solarComplete.prompt", { prompt: "What does main do?", output: "untitled", replaceRunning: true });
        assert.equal((await first)?.outcome, "cancelled");
        assert.equal(second?.outcome, "done", second?.error);
        if (second.offeredInstruct) offers++;
        await until("ghost text resumed", () => !api.status().text.includes("debug-pause"));
    });

    it("Prompt with Solar Instruct: its exact template, streamed into a new Markdown document; then the base model is back", async () => {
        await config().update("instructModelPath", prose.path, GLOBAL);
        const question = "Which animal jumps over the dog?";
        const run = await vscode.commands.executeCommand<AskRun>("solarComplete.prompt", { prompt: question, output: "untitled" });
        assert.equal(run?.outcome, "done", run?.error);
        assert.equal(run.style, "instruct");
        assert.equal(run.modelPath, prose.path, "Solar Instruct answered");
        assert.equal(run.promptText, `### User:\n${question}\n\n### Assistant:\n`);
        const answer = copyAnswer(prose, run.promptText, api.settings()["prompt.maxTokens"]).replace(/^\s+/, "");
        assert.ok(answer.length > 20);
        const document = vscode.window.activeTextEditor?.document;
        assert.ok(document?.isUntitled && document.languageId === "markdown");
        assert.equal(document.uri.toString(), run.documentUri);
        assert.equal(document.getText(), answerHeader(question, undefined) + answer);
        await until("the base model back", () => api.engine.state.kind === "ready" && api.engine.state.info.modelPath === code.path);
        await until("ghost text resumed", () => !api.status().text.includes("debug-pause"));
    });

    it("Prompt without Instruct: the base model answers a plain-text framing at the cursor, and Instruct is offered", async () => {
        const source = "const total = prices.reduce((sum, price) => sum + price, 0);\n";
        const editor = await open("ask.ts", source);
        editor.selection = new vscode.Selection(editor.document.positionAt(0), editor.document.positionAt(source.length - 1));
        const question = "What does this compute?";
        const run = await vscode.commands.executeCommand<AskRun>("solarComplete.prompt", { prompt: question, output: "cursor" });
        assert.equal(run?.outcome, "done", run?.error);
        assert.equal(run.style, "base");
        if (run.offeredInstruct) offers++;
        assert.equal(offers, 1, "Instruct is offered, once per session");
        const selection = { text: source.slice(0, -1), languageId: "typescript", fileName: "ask.ts" };
        assert.equal(run.promptText, baseFraming(question, selection));
        assert.match(run.promptText, /Selected code from ask\.ts:\n```typescript\nconst total = .*\n```\n\nQuestion: What does this compute\?\n\nAnswer:$/);
        const answer = copyAnswer(code, run.promptText, api.settings()["prompt.maxTokens"]).replace(/^\s+/, "");
        assert.ok(answer.length > 0);
        assert.equal(editor.document.getText(), source.slice(0, -1) + answer + "\n");
    });

    it("an overlong selection is cut in its middle behind a visible marker; prompt + answer stay within 4,096 tokens", async () => {
        await config().update("prompt.maxTokens", 64, GLOBAL);
        await useModel(tinyModel);
        const lines = Array.from({ length: 4000 }, (_, i) => `    const value${i} = compute(${i}, "item ${i}");\n`);
        const text = `export function big() {\n${lines.join("")}}\n`;
        const editor = await open("big.ts", text);
        editor.selection = new vscode.Selection(editor.document.positionAt(0), editor.document.positionAt(text.length));
        const run = await vscode.commands.executeCommand<AskRun>("solarComplete.prompt", { prompt: "Summarize this function.", output: "untitled" });
        assert.equal(run?.outcome, "done", run?.error);
        assert.ok(run.cut && run.cut.lines > 1000, JSON.stringify(run.cut));
        assert.match(run.promptText ?? "", CUT_MARKER_PATTERN);
        assert.ok(run.promptText?.includes("export function big() {\n    const value0 = compute(0, \"item 0\");\n"), "the head is kept");
        assert.ok(run.promptText?.includes(`    const value3999 = compute(3999, "item 3999");\n}\n`), "the tail is kept");
        assert.ok(run.stats);
        const { promptTokens, generatedTokens } = run.stats;
        assert.ok(promptTokens + 64 <= 4096 - 8, `prompt ${promptTokens} + 64 answer tokens`);
        assert.ok(promptTokens + generatedTokens <= 4096);
        assert.ok(promptTokens > 4096 - 8 - 64 - 64, `the window is used: ${promptTokens} prompt tokens`);
        const answerDocument = vscode.window.activeTextEditor?.document;
        assert.match(answerDocument?.getText() ?? "", CUT_MARKER_PATTERN, "the answer document shows the cut too");
    });

    it("offers 'Ask Solar about this selection...' as a code action on a selection, not on a bare cursor", async () => {
        const editor = await open("actions.ts", "const a = 1;\nconst b = 2;\n", 3);
        const actionsAt = (range: vscode.Range) =>
            vscode.commands.executeCommand<vscode.CodeAction[]>("vscode.executeCodeActionProvider", editor.document.uri, range);
        const selected = await actionsAt(new vscode.Range(0, 0, 1, 5));
        const ask = selected.find((action) => action.title === ASK_TITLE);
        assert.ok(ask, selected.map((a) => a.title).join(", "));
        assert.equal(ask.command?.command, "solarComplete.prompt");
        assert.ok(ask.kind?.value.startsWith("refactor.rewrite"));
        const bare = await actionsAt(new vscode.Range(0, 3, 0, 3));
        assert.ok(!bare.some((action) => action.title === ASK_TITLE));
    });

    it("time to the first streamed character and streaming rate, medium model", async () => {
        await config().update("prompt.maxTokens", 128, GLOBAL);
        await useModel(mediumModel);
        const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
        const long = Array.from({ length: 120 }, (_, i) => `    const value${i} = compute(${i}, "item ${i}");\n`).join("");
        for (const [label, body] of [["short file", code.text], ["longer file", `export function big() {\n${long}`]] as const) {
            const runs: AskRun[] = [];
            for (let i = 0; i < 3; i++) {
                // A different first line each time: every run evaluates its prompt cold.
                const text = `// run ${i}\n${body}`;
                const editor = await open(`timing-${label.split(" ")[0]}-${i}.ts`, text);
                const run = await continueHere();
                assert.ok(run?.stats && run.firstCharMs !== undefined && run.streamMs !== undefined, run?.error);
                assert.equal(editor.document.getText(), text + lf(run.inserted));
                assert.ok(run.batches >= 2, `${run.batches} batches`);
                runs.push(run);
            }
            const stats = runs.map((r) => r.stats!);
            const state = api.engine.state;
            hostLog(
                `      medium model, ${label} (${stats[0].promptTokens}-token prompt, ${stats[0].generatedTokens} tokens generated; ${state.kind === "ready" ? state.info.backend : "?"}), median of 3: ` +
                    `first character in the editor ${median(runs.map((r) => r.firstCharMs ?? 0)).toFixed(0)} ms after the command ` +
                    `(engine: prompt ${median(stats.map((s) => s.promptMs)).toFixed(0)} ms); ` +
                    `${median(stats.map((s) => (s.generatedTokens * 1000) / s.genMs)).toFixed(1)} tok/s generated, ` +
                    `${median(runs.map((r) => (r.inserted.length * 1000) / Math.max(1, r.streamMs ?? 0))).toFixed(0)} chars/s into the editor ` +
                    `in ${median(runs.map((r) => r.batches))} edits`,
            );
        }
    });
});
