// Native crashes of the engine inside a real VS Code: the engine runs in its own process, so an
// abort there leaves this extension host (where this test runs) alive; the user gets one notification,
// the engine restarts by itself, and ghost text is exact again. A model file llama.cpp would crash on
// is refused up front with one clear message.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import type { SolarCompleteApi } from "../../../src/extension";
import { expectedSuggestion } from "../../fixtures/expectedSuggestion";
import { writeCrashingModels } from "../../fixtures/crashing-models";
import { copyFixture, type CopyFixture } from "../../fixtures/models";
import { until } from "./until";

const EXTENSION_ID = "solar-complete.solar-complete";
const config = () => vscode.workspace.getConfiguration("solarComplete");

describe("engine crashes in VS Code", function () {
    let api: SolarCompleteApi;
    let fixture: CopyFixture;
    let workspace: string;

    before(async () => {
        fixture = await copyFixture("copy-code");
        workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? "";
        api = (await vscode.extensions.getExtension<SolarCompleteApi>(EXTENSION_ID)?.activate()) as SolarCompleteApi;
        await useModel(fixture.path);
    });

    async function useModel(modelPath: string): Promise<void> {
        await config().update("modelPath", modelPath, vscode.ConfigurationTarget.Global);
        await until(`model ${path.basename(modelPath)}`, () => api.engine.state.kind === "ready" && api.engine.state.info.modelPath === modelPath, 60_000);
    }

    /** Opens `prefix` as a file, asks for ghost text, and waits for exactly the copy model's suggestion. */
    async function assertExactGhostText(name: string): Promise<void> {
        const cut = fixture.cutPoints.find((c) => fixture.text[c.offset - 1] === "\n" && c.offset > 200);
        assert.ok(cut);
        const prefix = fixture.text.slice(0, cut.offset);
        const expected = expectedSuggestion(fixture, prefix, api.settings());
        assert.ok(expected);
        const file = path.join(workspace, name);
        fs.writeFileSync(file, prefix);
        const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
        const end = editor.document.positionAt(prefix.length);
        editor.selection = new vscode.Selection(end, end);
        await until("the exact suggestion", async () => {
            await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
            await new Promise((resolve) => setTimeout(resolve, 100));
            return api.lastSuggestion()?.suggestion?.insertText === expected;
        }, 60_000);
        await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
    }

    it("runs the engine in its own process by default", () => {
        assert.equal(api.settings().engineHost, "process");
    });

    it("an abort() in the engine: the host lives, one notification, a restart, and exact ghost text after it", async () => {
        await assertExactGhostText("before-crash.ts");
        const shown = api.notifications().length;
        api.engine.crashForTest("abort");
        await until("the restart", () => api.engine.state.kind === "restarting");
        await until("the model back", () => api.engine.state.kind === "ready", 60_000);
        await assertExactGhostText("after-crash.ts");
        // Every notification is pushed by the time it is shown: wait for it, then count.
        const messages = await until("the crash notification", () => {
            const since = api.notifications().slice(shown);
            return since.length > 0 && since;
        });
        assert.equal(messages.length, 1, messages.join("\n"));
        assert.match(messages[0], /stopped unexpectedly: its process aborted \(SIGABRT\)/);
    });

    it("a file llama.cpp would crash on is refused with one clear message naming it", async () => {
        const [bad] = await writeCrashingModels(workspace, ["unknown-rope-scaling"]);
        const shown = api.notifications().length;
        try {
            await config().update("modelPath", bad.path, vscode.ConfigurationTarget.Global);
            await until("the refusal", () => api.engine.state.kind === "noModel" && /would crash on/.test(api.engine.state.error?.message ?? ""));
            const messages = await until("the notification", () => {
                const since = api.notifications().slice(shown);
                return since.length > 0 && since;
            });
            assert.equal(messages.length, 1);
            assert.ok(messages[0].includes(bad.path), messages[0]);
            assert.match(messages[0], /rope\.scaling\.type/);
            assert.equal(api.status().severity, "error");
        } finally {
            await useModel(fixture.path);
            fs.rmSync(bad.path, { force: true });
        }
    });
});
