// Model files in a real VS Code (ModelFileResolver, ModelLoader): with solarComplete.modelPath empty,
// the quantization setting picks a catalog file, which is downloaded from the runner's loopback
// mirror (generated models under catalog names: Q4_0 = tiny, Q4_K_M = copy-code) into the storage
// folder, then loaded without a window reload; ghost text keeps working after the switch.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import type { SolarCompleteApi } from "../../../src/extension";
import { catalogEntry } from "../../../src/model/catalog";
import { expectedSuggestion } from "../../fixtures/expectedSuggestion";
import { copyFixture, type CopyFixture } from "../../fixtures/models";
import { until } from "./until";

const config = () => vscode.workspace.getConfiguration("solarComplete");


describe("model files in VS Code: switching the quantization", function () {
    let api: SolarCompleteApi;
    let fixture: CopyFixture;
    const storage = process.env.SOLAR_TEST_MODEL_STORAGE ?? "";
    const fileOf = (quant: "Q4_0" | "Q4_K_M") => path.join(storage, catalogEntry("base", quant).fileName);
    const loaded = () => api.engine.state.kind === "ready" && api.engine.state.info.modelPath;

    before(async () => {
        assert.ok(storage && process.env.SOLAR_TEST_MODEL_ENDPOINT, "the runner serves the catalog on loopback");
        fixture = await copyFixture("copy-code");
        api = (await vscode.extensions.getExtension<SolarCompleteApi>("solar-complete.solar-complete")?.activate()) as SolarCompleteApi;
        assert.equal(api.settings().downloadEndpoint, process.env.SOLAR_TEST_MODEL_ENDPOINT);
    });

    after(async () => {
        await config().update("quantization", undefined, vscode.ConfigurationTarget.Global);
        await config().update("modelPath", process.env.SOLAR_TEST_COPY_CODE_MODEL, vscode.ConfigurationTarget.Global);
    });

    it("changing quantization downloads the other file and reloads the model; ghost text keeps working", async () => {
        // Catalog mode: no modelPath. Q4_K_M (the default) is the copy-code model on the mirror.
        await config().update("modelPath", undefined, vscode.ConfigurationTarget.Global);
        await config().update("quantization", "Q4_K_M", vscode.ConfigurationTarget.Global);
        await until("the Q4_K_M catalog model", () => loaded() === fileOf("Q4_K_M"), 60_000);

        await config().update("quantization", "Q4_0", vscode.ConfigurationTarget.Global);
        await until("the Q4_0 catalog model", () => loaded() === fileOf("Q4_0"), 60_000);
        assert.ok(fs.existsSync(fileOf("Q4_0")), "downloaded into the storage folder");
        assert.deepEqual(fs.readdirSync(storage).filter((f) => /\.(partial|lock|json)$/.test(f)), [], "no temporary files left");

        await config().update("quantization", "Q4_K_M", vscode.ConfigurationTarget.Global);
        await until("the Q4_K_M catalog model again", () => loaded() === fileOf("Q4_K_M"), 60_000);

        // Ghost text from the reloaded copy model: exactly its known continuation.
        const cut = fixture.cutPoints.find((c) => fixture.text[c.offset - 1] === "\n" && c.offset > 200);
        assert.ok(cut);
        const prefix = fixture.text.slice(0, cut.offset);
        const file = path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? "", "switched.ts");
        fs.writeFileSync(file, prefix);
        const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
        const end = editor.document.positionAt(prefix.length);
        editor.selection = new vscode.Selection(end, end);
        const completions = (await api.engine.counters()).completions;
        await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
        await until("a completion", async () => (await api.engine.counters()).completions > completions);
        await until("the suggestion committed", async () => {
            await vscode.commands.executeCommand("editor.action.inlineSuggest.commit");
            return editor.document.getText() !== prefix;
        }, 10_000);
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(editor.document.getText().slice(prefix.length), expectedSuggestion(fixture, prefix, api.settings()));
        await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
    });
});
