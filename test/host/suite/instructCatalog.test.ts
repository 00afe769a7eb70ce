// Solar Instruct from the catalog in a real VS Code: with solarComplete.instructQuantization set and
// no instructModelPath, Prompt… downloads the catalog's Instruct file (the same verified, resumable
// downloader as the base model; consent is given in advance by the runner, SOLAR_DOWNLOAD_CONSENT)
// from a loopback mirror started here, answers with Instruct's template, and instructModelPath
// still overrides it. The consent's wording and licence are unit-tested (test/unit/modelLicence.test.ts).

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import type { SolarCompleteApi } from "../../../src/extension";
import type { AskRun } from "../../../src/ask/askRun";
import { catalogEntry, downloadUrl } from "../../../src/model/catalog";
import { copyFixture, type CopyFixture } from "../../fixtures/models";
import { startModelServer, type ModelServer } from "../../unit/support/modelServer";
import { until } from "./until";

const config = () => vscode.workspace.getConfiguration("solarComplete");
const GLOBAL = vscode.ConfigurationTarget.Global;
const KEYS = ["instructQuantization", "instructModelPath", "downloadEndpoint", "storageFolder", "prompt.maxTokens"];

describe("Solar Instruct from the catalog in VS Code", function () {
    let api: SolarCompleteApi;
    let prose: CopyFixture;
    let code: CopyFixture;
    let mirror: ModelServer;
    let storage: string;
    const before = new Map<string, unknown>();
    const instruct = catalogEntry("instruct", "Q4_0");

    this.beforeAll(async () => {
        assert.equal(process.env.SOLAR_DOWNLOAD_CONSENT, "always", "the runner agrees to downloads in advance");
        prose = await copyFixture("copy");
        code = await copyFixture("copy-code");
        api = (await vscode.extensions.getExtension<SolarCompleteApi>("solar-complete.solar-complete")?.activate()) as SolarCompleteApi;
        for (const key of KEYS) before.set(key, config().inspect(key)?.globalValue);
        mirror = await startModelServer();
        mirror.serve(new URL(downloadUrl(instruct, mirror.endpoint)).pathname, { file: prose.path, linkedSha: true });
        storage = fs.mkdtempSync(path.join(os.tmpdir(), "solar-host-instruct-"));
    });
    this.afterAll(async () => {
        for (const key of KEYS) await config().update(key, before.get(key), GLOBAL);
        await mirror?.close();
        fs.rmSync(storage, { recursive: true, force: true });
    });

    it("Prompt… downloads the chosen Instruct quantization, answers with its template; instructModelPath overrides it", async () => {
        await config().update("prompt.maxTokens", 8, GLOBAL);
        await config().update("downloadEndpoint", mirror.endpoint, GLOBAL);
        await config().update("storageFolder", storage, GLOBAL);
        await config().update("instructModelPath", undefined, GLOBAL);
        await config().update("instructQuantization", "Q4_0", GLOBAL);
        await until("the settings", () => api.settings().instructQuantization === "Q4_0" && api.settings().storageFolder === storage);
        await until("the base model ready", () => api.engine.state.kind === "ready");

        const run = await vscode.commands.executeCommand<AskRun>("solarComplete.prompt", { prompt: "Which animal jumps?", output: "untitled", replaceRunning: true });
        assert.equal(run?.outcome, "done", run?.error);
        assert.equal(run.style, "instruct");
        const file = path.join(storage, instruct.fileName);
        assert.equal(run.modelPath, file, "the downloaded catalog Instruct answered");
        assert.equal(fs.statSync(file).size, fs.statSync(prose.path).size);
        assert.deepEqual(fs.readdirSync(storage), [instruct.fileName], "no partial, lock or meta left");
        const instructPath = new URL(downloadUrl(instruct, mirror.endpoint)).pathname;
        // Only the Instruct file counts: with no modelPath, the base model asks this mirror too.
        const fetched = () => mirror.requests.filter((r) => r.path === instructPath).map((r) => r.status);
        assert.deepEqual(fetched(), [200]);

        // Downloaded once: the next prompt loads it from the storage folder.
        const again = await vscode.commands.executeCommand<AskRun>("solarComplete.prompt", { prompt: "And then?", output: "untitled", replaceRunning: true });
        assert.equal(again?.modelPath, file);
        assert.deepEqual(fetched(), [200]);

        // instructModelPath is the override.
        await config().update("instructModelPath", code.path, GLOBAL);
        await until("the override", () => api.settings().instructModelPath === code.path);
        const override = await vscode.commands.executeCommand<AskRun>("solarComplete.prompt", { prompt: "Which one?", output: "untitled", replaceRunning: true });
        assert.equal(override?.style, "instruct");
        assert.equal(override?.modelPath, code.path);
        // The answers are unsaved untitled documents: revert them, or closing would ask to save.
        for (let i = 0; i < 10 && vscode.window.activeTextEditor; i++) await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
    });
});
