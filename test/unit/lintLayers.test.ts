// The layers lint enforces, checked on snippets placed in each folder: the extension host never
// loads node-llama-cpp at run time, and only adapters load vscode.

import * as assert from "node:assert/strict";
import * as path from "node:path";
import { ESLint } from "eslint";

const ROOT = path.resolve(__dirname, "../..");

async function ruleIds(file: string, code: string): Promise<string[]> {
    const eslint = new ESLint({ cwd: ROOT });
    const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
    return result.messages.map((m) => m.ruleId ?? m.message);
}

describe("Layers in lint", function () {
    this.timeout(60_000);
    const staticLlama = 'import { getLlama } from "node-llama-cpp";\nexport const g = getLlama;\n';
    const dynamicLlama = 'export const load = () => import("node-llama-cpp");\n';
    const typeLlama = 'import type { Llama } from "node-llama-cpp";\nexport type L = Llama;\n';

    it("refuses node-llama-cpp at run time outside the engine and the CLI", async () => {
        for (const file of ["src/completion/x.ts", "src/model/x.ts", "src/extension.ts", "src/commands/x.ts"]) {
            assert.ok((await ruleIds(file, staticLlama)).includes("@typescript-eslint/no-restricted-imports"), file);
            assert.ok((await ruleIds(file, dynamicLlama)).includes("no-restricted-syntax"), file);
            assert.deepEqual(await ruleIds(file, typeLlama), [], `${file}: types are fine`);
        }
    });

    it("allows it in the engine and the CLI", async () => {
        for (const file of ["src/engine/x.ts", "src/cli/x.ts"]) {
            assert.deepEqual(await ruleIds(file, staticLlama), [], file);
            assert.deepEqual(await ruleIds(file, dynamicLlama), [], file);
        }
    });

    it("keeps each folder to the layers below it", async () => {
        const flagged = async (file: string, code: string) => (await ruleIds(file, code)).includes("@typescript-eslint/no-restricted-imports");
        assert.ok(await flagged("src/engine/x.ts", 'import { MODEL_KEYS } from "../config";\nexport const k = MODEL_KEYS;\n'), "the engine reads no settings");
        assert.ok(await flagged("src/engine/x.ts", 'import { shouldTrigger } from "../completion/triggerRules";\nexport const t = shouldTrigger;\n'), "the engine never calls up into completion");
        assert.ok(await flagged("src/remote/x.ts", 'import { WorkerClient } from "../engine/workerClient";\nexport const c = WorkerClient;\n'), "remote and engine never import each other");
        assert.ok(await flagged("src/completion/x.ts", 'import { WorkerClient } from "../engine/workerClient";\nexport const c = WorkerClient;\n'), "completion knows the contract, not the engine");
        assert.ok(await flagged("src/completion/x.ts", 'import { readSettings } from "../config";\nexport const r = readSettings;\n'), "completion takes settings as data");
        assert.deepEqual(await ruleIds("src/completion/x.ts", 'import type { Settings } from "../config";\nexport type S = Settings;\n'), []);
        assert.ok(await flagged("src/commands/x.ts", 'import { LlamaEngine } from "../engine/llamaEngine";\nexport const e = LlamaEngine;\n'), "adapters reach the engine through its client only");
        assert.deepEqual(await ruleIds("src/remote/x.ts", 'import { BackendError } from "../backend/backendError";\nexport const e = BackendError;\n'), []);
        const stop = 'import { streamingStopFor } from "../suggestion/streamingStop";\nexport const s = streamingStopFor;\n';
        assert.deepEqual(await ruleIds("src/engine/x.ts", stop), [], "both backends evaluate the streaming stop");
        assert.deepEqual(await ruleIds("src/remote/x.ts", stop), []);
        assert.ok(await flagged("src/suggestion/x.ts", 'import { BackendError } from "../backend/backendError";\nexport const e = BackendError;\n'), "post-processing knows the contract only as types");
        assert.ok(await flagged("src/suggestion/x.ts", 'import { shouldTrigger } from "../completion/triggerRules";\nexport const t = shouldTrigger;\n'), "nor the features above it");
        assert.ok(await flagged("src/power/x.ts", 'import { GhostTextControls } from "../completion/controls";\nexport const c = GhostTextControls;\n'), "the battery reader gets its pause injected");
        assert.ok(await flagged("src/power/x.ts", 'import { readSettings } from "../config";\nexport const r = readSettings;\n'), "and reads no settings");
        assert.ok(await flagged("src/completion/x.ts", 'import { BatteryPause } from "../power/batteryPause";\nexport const b = BatteryPause;\n'), "only an adapter wires the battery in");
        assert.deepEqual(await ruleIds("src/ui/x.ts", 'import { BatteryPause } from "../power/batteryPause";\nexport const b = BatteryPause;\n'), []);
    });

    it("still keeps vscode to the adapters", async () => {
        const code = 'import * as vscode from "vscode";\nexport const w = vscode.window;\n';
        assert.ok((await ruleIds("src/engine/x.ts", code)).includes("@typescript-eslint/no-restricted-imports"));
        assert.ok((await ruleIds("src/completion/x.ts", code)).includes("@typescript-eslint/no-restricted-imports"));
        assert.ok((await ruleIds("src/power/x.ts", code)).includes("@typescript-eslint/no-restricted-imports"));
        assert.deepEqual(await ruleIds("src/commands/x.ts", code), []);
    });
});
