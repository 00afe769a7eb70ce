// Manual mode, excluded files and several candidates in a real VS Code, with the real worker and the
// copy model: what reaches the engine is read from its own counters, so "never sent" means the engine
// saw no request at all.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import type { SolarCompleteApi } from "../../../src/extension";
import { ASK_TITLE } from "../../../src/commands/codeActions";
import { copyFixture, type CopyFixture } from "../../fixtures/models";
import { until } from "./until";

const EXTENSION_ID = "solar-complete.solar-complete";
const config = () => vscode.workspace.getConfiguration("solarComplete");
const GLOBAL = vscode.ConfigurationTarget.Global;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("manual mode, excluded files and candidates in VS Code", function () {
    let api: SolarCompleteApi;
    let fixture: CopyFixture;
    let workspace: string;

    before(async () => {
        fixture = await copyFixture("copy-code");
        workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? "";
        api = (await vscode.extensions.getExtension<SolarCompleteApi>(EXTENSION_ID)?.activate()) as SolarCompleteApi;
        await config().update("modelPath", fixture.path, GLOBAL);
        await until("the copy model", () => api.engine.state.kind === "ready" && api.engine.state.info.modelPath === fixture.path);
    });
    afterEach(async () => {
        await config().update("trigger", undefined, GLOBAL);
        await config().update("exclude", undefined, vscode.ConfigurationTarget.Workspace);
        await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    });

    const completions = async () => (await api.engine.counters()).completions;

    async function open(name: string, text: string, cursor = text.length): Promise<vscode.TextEditor> {
        const file = path.join(workspace, name);
        fs.writeFileSync(file, text);
        const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
        const at = editor.document.positionAt(cursor);
        editor.selection = new vscode.Selection(at, at);
        return editor;
    }

    /** A place at the start of a line, where the copy model's answer spans several lines. */
    function lineStart(): number {
        const cut = fixture.cutPoints.find((c) => c.offset > 200 && fixture.text[c.offset - 1] === "\n");
        assert.ok(cut);
        return cut.offset;
    }

    /** Runs `command` until the document changes, then returns what was inserted once it settled. */
    async function acceptWith(editor: vscode.TextEditor, command: string): Promise<string> {
        const before = editor.document.getText();
        await until(`${command} to change the document`, async () => {
            await vscode.commands.executeCommand(command);
            return editor.document.getText() !== before;
        }, 10_000);
        await sleep(200);
        const after = editor.document.getText();
        const at = editor.document.offsetAt(editor.selection.active);
        return after.slice(at - (after.length - before.length), at);
    }

    it("manual mode: typing never reaches the engine, Solar: Suggest Here does, and an accept asks for nothing more", async () => {
        await config().update("trigger", "manual", GLOBAL);
        await until("manual mode", () => api.settings().trigger === "manual");
        const start = lineStart();
        const editor = await open("manual.ts", fixture.text.slice(0, start));
        assert.match(api.status().text, /manual/);
        assert.match(api.status().tooltip, /Manual mode/);

        const before = await completions();
        for (const ch of fixture.text.slice(start, start + 12)) await vscode.commands.executeCommand("type", { text: ch });
        await sleep(1500); // longer than the longest debounce a typed keystroke could wait
        assert.equal(await completions(), before, "typing reached the engine");

        const previous = api.lastCandidates();
        await vscode.commands.executeCommand("solarComplete.suggest");
        await until("the requested completion", async () => (await completions()) > before);
        await until("its candidates", () => api.lastCandidates() !== previous && api.lastCandidates().length > 0);
        const expected = api.lastCandidates()[0].insertText;
        const inserted = await acceptWith(editor, "editor.action.inlineSuggest.commit");
        assert.equal(inserted, expected);
        const afterAccept = await completions();
        await sleep(1500);
        assert.equal(await completions(), afterAccept, "no follow-up suggestion after an accept in manual mode");
    });

    it("an explicit request offers several candidates, Alt+] (showNext) moves to the next one, and the follow-up after an accept is typing", async () => {
        const editor = await open("cycle.ts", fixture.text.slice(0, lineStart()));
        const previous = api.lastCandidates();
        await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
        await until("the candidates", () => api.lastCandidates() !== previous);
        assert.ok(api.lastCandidates().length >= 2, JSON.stringify(api.lastCandidates()));
        const candidates = api.lastCandidates().map((c) => c.insertText);
        assert.equal(new Set(candidates).size, candidates.length, "distinct");
        assert.ok(candidates.length <= 3);
        await sleep(300); // the items reach the widget a moment after the provider answered
        await vscode.commands.executeCommand("editor.action.inlineSuggest.showNext");
        const inserted = await acceptWith(editor, "editor.action.inlineSuggest.commit");
        assert.equal(inserted, candidates[1], JSON.stringify(candidates));
        assert.equal((await api.engine.counters()).maxConcurrent, 1);
        // The suggestion we trigger after an accept counts as typing: one candidate, no samples.
        const shown = api.lastCandidates();
        await sleep(1500);
        assert.equal(api.lastCandidates(), shown, "the follow-up after the accept was taken for an explicit request");
    });

    it("an excluded file: nothing reaches the engine, even on request, and the status bar says why", async () => {
        const editor = await open(".env", "API_KEY=sk-live-1234567890\nDB_PASSWORD=");
        await until("the status bar", () => /excluded by solarComplete\.exclude: \*\*\/\.env\b/.test(api.status().tooltip));
        assert.equal(api.status().text, "$(lock) Solar");
        const before = await completions();
        const lastPrompt = api.lastPrompt();

        for (const ch of "hunter2") await vscode.commands.executeCommand("type", { text: ch });
        await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
        await vscode.commands.executeCommand("solarComplete.suggest");
        await vscode.commands.executeCommand("solarComplete.continueHere");
        editor.selection = new vscode.Selection(0, 0, 1, 5);
        const run = await vscode.commands.executeCommand("solarComplete.prompt", { prompt: "What is this?", output: "untitled", replaceRunning: true });
        assert.equal(run, undefined, "Prompt refused the selection");
        const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>("vscode.executeCodeActionProvider", editor.document.uri, editor.selection);
        assert.ok(!actions.some((action) => action.title === ASK_TITLE), "no Ask Solar code action on an excluded file");
        await sleep(1500);

        assert.equal(await completions(), before, "an excluded file's text reached the engine");
        assert.equal(api.lastPrompt(), lastPrompt);
        assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, editor.document.uri.fsPath, "no answer document opened");
    });

    it("workspace settings add exclude patterns without removing the user's", async () => {
        await config().update("exclude", ["**/*.secret"], vscode.ConfigurationTarget.Workspace);
        await until("the workspace pattern", () => api.settings().exclude.includes("**/*.secret"));
        assert.ok(api.settings().exclude.includes("**/.env"), "the default list still applies");
        await open("notes.secret", "token: abc\n");
        await until("the status bar", () => /excluded by solarComplete\.exclude: \*\*\/\*\.secret/.test(api.status().tooltip));
        const before = await completions();
        await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
        await sleep(1000);
        assert.equal(await completions(), before);
    });
});
