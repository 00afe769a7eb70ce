// Ghost text in a real VS Code with solarComplete.backend = openai-compatible: a real llama-server
// (started by the runner, SOLAR_TEST_LLAMA_SERVER_URL) serving the copy model answers instead of the
// worker, with the same suggestion; a dead endpoint gives one notification and an error status.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import type { SolarCompleteApi } from "../../../src/extension";
import { expectedSuggestion } from "../../fixtures/expectedSuggestion";
import { freePort } from "../../fixtures/llamaServer";
import { copyFixture, type CopyFixture } from "../../fixtures/models";
import { until } from "./until";

const EXTENSION_ID = "solar-complete.solar-complete";
const config = () => vscode.workspace.getConfiguration("solarComplete");

describe("ghost text from a remote llama-server", function () {
    let api: SolarCompleteApi;
    let fixture: CopyFixture;
    let workspace: string;
    const url = process.env.SOLAR_TEST_LLAMA_SERVER_URL ?? "";

    before(async () => {
        assert.ok(url, "the runner passes SOLAR_TEST_LLAMA_SERVER_URL");
        fixture = await copyFixture("copy-code");
        workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? "";
        api = (await vscode.extensions.getExtension<SolarCompleteApi>(EXTENSION_ID)?.activate()) as SolarCompleteApi;
        await config().update("remote.endpoint", url, vscode.ConfigurationTarget.Global);
        await config().update("backend", "openai-compatible", vscode.ConfigurationTarget.Global);
        await until("the server", () => api.backend.state.kind === "ready" && api.backend.state.info.backend === `llama-server at ${url}`);
    });
    after(async () => {
        await config().update("backend", undefined, vscode.ConfigurationTarget.Global);
        await config().update("remote.endpoint", undefined, vscode.ConfigurationTarget.Global);
        // api.engine exists only while the backend is local: the remote scope stopped the engine.
        await until("the local engine again", () => api.settings().backend === "local" && api.backend.active === api.engine);
    });

    it("shows the same continuation as the local engine, and commit inserts exactly it", async () => {
        const cut = fixture.cutPoints.find((c) => fixture.text[c.offset - 1] === "\n" && c.offset > 200);
        assert.ok(cut);
        const prefix = fixture.text.slice(0, cut.offset);
        const expected = expectedSuggestion(fixture, prefix, api.settings());
        assert.ok(expected);

        const file = path.join(workspace, "remote.ts");
        fs.writeFileSync(file, prefix);
        const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
        const end = editor.document.positionAt(prefix.length);
        editor.selection = new vscode.Selection(end, end);
        await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
        await until("the remote suggestion", () => api.lastSuggestion()?.suggestion?.insertText === expected);
        await until("commit to change the document", async () => {
            await vscode.commands.executeCommand("editor.action.inlineSuggest.commit");
            return editor.document.getText() !== prefix;
        }, 10_000);
        await until("the whole suggestion", () => editor.document.getText() === prefix + expected);
        assert.match(api.status().text, /sparkle/);
        assert.match(api.status().tooltip, /llama-server at/);
        await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
    });

    it("a dead endpoint: an unavailable status and one notification, however much is typed", async () => {
        const shown = api.notifications().length;
        try {
            const dead = `http://127.0.0.1:${await freePort()}`;
            await config().update("remote.endpoint", dead, vscode.ConfigurationTarget.Global);
            await until("the unavailable state", () => api.backend.state.kind === "unavailable");
            const state = api.backend.state;
            assert.ok(state.kind === "unavailable" && state.error.code === "REMOTE_UNREACHABLE", JSON.stringify(state));
            assert.match(api.status().tooltip, /Server unavailable/);
            const file = path.join(workspace, "dead.ts");
            fs.writeFileSync(file, "const a = 1;\n");
            const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
            for (const ch of "let b = 2;") await editor.edit((edit) => edit.insert(editor.selection.active, ch));
            await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
            await new Promise((resolve) => setTimeout(resolve, 2500)); // past a retry or two
            const messages = api.notifications().slice(shown);
            assert.equal(messages.length, 1, messages.join("\n"));
            assert.match(messages[0], /Cannot reach/);
            await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
        } finally {
            await config().update("remote.endpoint", url, vscode.ConfigurationTarget.Global);
            await until("the server again", () => api.backend.state.kind === "ready");
        }
    });
});
