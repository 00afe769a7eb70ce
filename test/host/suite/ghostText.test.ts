// Ghost text in a real VS Code extension host, with the real worker and generated models: the
// provider's suggestion, commit, cancellation by typing, settings that reload the model, snooze and
// language switches, bad model paths, and a keystroke storm. Model paths come from the runner's env.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import type { SolarCompleteApi } from "../../../src/extension";
import { expectedSuggestion } from "../../fixtures/expectedSuggestion";
import { copyFixture, type CopyFixture } from "../../fixtures/models";
import { until } from "./until";

const EXTENSION_ID = "solar-complete.solar-complete";
const config = () => vscode.workspace.getConfiguration("solarComplete");


describe("ghost text in VS Code", function () {
    let api: SolarCompleteApi;
    let fixture: CopyFixture;
    let workspace: string;
    const tinyModel = process.env.SOLAR_TEST_TINY_MODEL ?? "";

    before(async () => {
        assert.ok(process.env.SOLAR_TEST_COPY_CODE_MODEL && tinyModel, "the runner passes SOLAR_TEST_COPY_CODE_MODEL and SOLAR_TEST_TINY_MODEL");
        fixture = await copyFixture("copy-code");
        assert.equal(fixture.path, process.env.SOLAR_TEST_COPY_CODE_MODEL, "runner and suite agree on the copy model");
        workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? "";
        api = (await vscode.extensions.getExtension<SolarCompleteApi>(EXTENSION_ID)?.activate()) as SolarCompleteApi;
        await useModel(fixture.path);
    });

    async function useModel(modelPath: string): Promise<void> {
        await config().update("modelPath", modelPath, vscode.ConfigurationTarget.Global);
        await until(`model ${path.basename(modelPath)}`, () => api.engine.state.kind === "ready" && api.engine.state.info.modelPath === modelPath);
    }

    /** Opens a new file holding `text`, cursor at the end. */
    async function open(name: string, text: string): Promise<vscode.TextEditor> {
        const file = path.join(workspace, name);
        fs.writeFileSync(file, text);
        const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
        const end = editor.document.positionAt(text.length);
        editor.selection = new vscode.Selection(end, end);
        return editor;
    }

    /** What ghost text should show after `prefix`: the copy model's raw output, post-processed. */
    function expectedAfter(prefix: string): string {
        const suggestion = expectedSuggestion(fixture, prefix, api.settings());
        assert.ok(suggestion, `no suggestion expected after ${JSON.stringify(prefix.slice(-30))}`);
        return suggestion;
    }

    /** Asks for ghost text, then runs `accept` until the document changes (the item reaches the widget a moment after the engine answers). */
    async function triggerAndAccept(editor: vscode.TextEditor, accept: string): Promise<void> {
        const before = editor.document.getText();
        const completions = (await api.engine.counters()).completions;
        await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
        await until("a completion", async () => (await api.engine.counters()).completions > completions);
        await until(`${accept} to change the document`, async () => {
            await vscode.commands.executeCommand(accept);
            return editor.document.getText() !== before;
        }, 10_000);
    }

    /** Triggers ghost text and accepts it; returns what was inserted. */
    async function triggerAndCommit(editor: vscode.TextEditor): Promise<string> {
        const before = editor.document.getText();
        await triggerAndAccept(editor, "editor.action.inlineSuggest.commit");
        // An accept may arrive as more than one edit: read the text once it stopped changing.
        let settled = "";
        await until("the document to settle", async () => {
            const now = editor.document.getText();
            const stable = now === settled;
            settled = now;
            await new Promise((resolve) => setTimeout(resolve, 100));
            return stable;
        });
        return settled.slice(before.length);
    }

    it("shows the copy model's continuation, and commit inserts exactly it", async () => {
        const cut = fixture.cutPoints.find((c) => fixture.text[c.offset - 1] === "\n" && c.offset > 200);
        assert.ok(cut);
        const prefix = fixture.text.slice(0, cut.offset);
        const editor = await open("commit.ts", prefix);
        const inserted = await triggerAndCommit(editor);
        assert.equal(inserted, expectedAfter(prefix));
        assert.ok(fixture.text.slice(cut.offset).startsWith(inserted.trimEnd()), JSON.stringify(inserted));
    });

    it("partial accept: VS Code's accept-next-word and accept-next-line take part of our suggestion", async () => {
        const cut = fixture.cutPoints.find((c) => fixture.text[c.offset - 1] === "\n" && c.offset > 200);
        assert.ok(cut);
        const prefix = fixture.text.slice(0, cut.offset);
        const suggestion = expectedAfter(prefix);
        const editor = await open("partial.ts", prefix);
        await triggerAndAccept(editor, "editor.action.inlineSuggest.acceptNextWord");
        const word = editor.document.getText().slice(prefix.length);
        assert.ok(word.length > 0 && suggestion.startsWith(word) && !word.includes("\n"), JSON.stringify(word));
        await vscode.commands.executeCommand("editor.action.inlineSuggest.acceptNextLine");
        await until("the rest of the line accepted", () => editor.document.getText().length > prefix.length + word.length);
        const line = editor.document.getText().slice(prefix.length);
        assert.equal(line.replace(/\n$/, ""), suggestion.split("\n")[0]);
    });

    it("typing a character cancels the request in flight (the engine reports the abort)", async () => {
        await config().update("maxTokens", 1024, vscode.ConfigurationTarget.Global);
        await useModel(tinyModel);
        try {
            const editor = await open("cancel.ts", "export function main() {\n    const value = ");
            const aborted = (await api.engine.counters()).aborted;
            // Not awaited: the trigger command settles only once the provider answered.
            void vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
            await until("generation", () => api.status().text.includes("loading~spin"));
            await editor.edit((edit) => edit.insert(editor.selection.active, "4"));
            await until("the abort", async () => (await api.engine.counters()).aborted > aborted);
            assert.equal((await api.engine.counters()).maxConcurrent, 1);
        } finally {
            await config().update("maxTokens", undefined, vscode.ConfigurationTarget.Global);
            await useModel(fixture.path);
        }
    });

    it("a settings change reloads the model in the worker, without a window reload", async () => {
        await useModel(tinyModel);
        assert.equal(api.engine.state.kind === "ready" && api.engine.state.info.modelPath, tinyModel);
        await useModel(fixture.path);
    });

    it("snooze and a disabled language stop requests", async () => {
        const cut = fixture.cutPoints[10];
        const completions = (await api.engine.counters()).completions;
        /** Types (and maybe asks) in a fresh editor, then closes it so nothing asks after the switch is undone. */
        const typeIn = async (name: string, ask: boolean) => {
            const editor = await open(name, fixture.text.slice(0, cut.offset));
            for (const ch of "  ") await editor.edit((edit) => edit.insert(editor.selection.active, ch));
            if (ask) await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
            await new Promise((resolve) => setTimeout(resolve, 1500));
            await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
        };

        // Snooze silences typing; asking explicitly (Alt+\) is still answered, by design.
        await vscode.commands.executeCommand("solarComplete.snoozeFor", 5);
        assert.match(api.status().text, /debug-pause/);
        await typeIn("snoozed.ts", false);
        await vscode.commands.executeCommand("solarComplete.resume");

        // A language switched off gets nothing, even when asked.
        await config().update("enableLanguages", { "*": true, typescript: false }, vscode.ConfigurationTarget.Global);
        await typeIn("language-off.ts", true);
        await config().update("enableLanguages", undefined, vscode.ConfigurationTarget.Global);

        assert.equal((await api.engine.counters()).completions, completions);
    });

    it("a missing or corrupt model gives one notification, an error status, and a live host", async () => {
        const broken = path.join(workspace, "broken.gguf");
        fs.writeFileSync(broken, "<!DOCTYPE html><html>404</html>");
        const shown = api.notifications().length;
        try {
            for (const [modelPath, expected] of [[path.join(workspace, "missing.gguf"), /not found/], [broken, /Not a GGUF model file/]] as const) {
                await config().update("modelPath", modelPath, vscode.ConfigurationTarget.Global);
                // This model's error, not the previous one's: the reload starts a moment after the update.
                await until("the error state", () => api.engine.state.kind === "noModel" && expected.test(api.engine.state.error?.message ?? ""));
                assert.equal(api.status().severity, "error");
            }
            // Keystrokes while there is no model: still one notification per failure, not per keystroke.
            const editor = await open("typing.ts", "const a = 1;\n");
            for (const ch of "let b = 2;") await editor.edit((edit) => edit.insert(editor.selection.active, ch));
            await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
            await new Promise((resolve) => setTimeout(resolve, 500));
            const messages = api.notifications().slice(shown);
            assert.equal(messages.length, 2, messages.join("\n"));
            assert.match(messages[0], /not found/);
            assert.match(messages[1], /Not a GGUF model file/);
        } finally {
            await useModel(fixture.path);
        }
    });

    it("a 300-keystroke storm keeps one generation in flight, and the final suggestion is right", async () => {
        // The storm types the file's own text: auto-indent and auto-closing would add to it.
        const editorConfig = vscode.workspace.getConfiguration("editor");
        const typingAids = ["autoIndent", "autoClosingBrackets", "autoClosingQuotes"];
        for (const key of typingAids) await editorConfig.update(key, key === "autoIndent" ? "none" : "never", vscode.ConfigurationTarget.Global);
        after(async () => {
            for (const key of typingAids) await editorConfig.update(key, undefined, vscode.ConfigurationTarget.Global);
        });
        const start = fixture.cutPoints[2].offset;
        const editor = await open("storm.ts", fixture.text.slice(0, start));
        const typed = fixture.text.slice(start, start + 300);
        for (const ch of typed) await vscode.commands.executeCommand("type", { text: ch });
        const prefix = fixture.text.slice(0, start + typed.length);
        assert.equal(editor.document.getText().slice(0, prefix.length), prefix, "what was typed arrived intact");
        const inserted = await triggerAndCommit(editor);
        assert.equal(inserted, expectedAfter(prefix));
        assert.equal((await api.engine.counters()).maxConcurrent, 1);
    });
});
