// The Instruct↔base swap without a worker: Instruct is loaded once and reused while it is loaded,
// the base model comes back exactly once after a swap (and never without one), a failed load says
// which file, and the answer style follows the setting locally and the served model's name remotely.

import * as assert from "node:assert/strict";
import type { BackendState } from "../../../src/backend/backend";
import type { ModelInfo } from "../../../src/backend/types";
import { answerStyle, ModelSwap } from "../../../src/ask/modelSwap";

const BASE = "/models/solar-base.gguf";
const INSTRUCT = "/models/solar-instruct.gguf";

function info(modelPath: string): ModelInfo {
    return { modelPath, architecture: "llama", fileSize: 1, contextSize: 4096, trainedContextSize: 4096, backend: "CPU", gpu: false, threads: 2, loadMs: 1 };
}

/** A worker that holds one model: loading replaces it, as the real one does. */
function fakeWorker(initial: BackendState = { kind: "ready", info: info(BASE) }) {
    const calls: string[] = [];
    let state = initial;
    let failNext: Error | undefined;
    const swap = new ModelSwap({
        loadInstruct: async (path) => {
            calls.push(`loadInstruct ${path}`);
            if (failNext) {
                const error = failNext;
                failNext = undefined;
                throw error;
            }
            state = { kind: "ready", info: info(path) };
            return state.info;
        },
        reloadBase: async () => {
            calls.push("reloadBase");
            state = { kind: "ready", info: info(BASE) };
        },
        state: () => state,
    });
    return {
        swap,
        calls,
        setState: (next: BackendState) => (state = next),
        failNextLoad: (error: Error) => (failNext = error),
    };
}

describe("ModelSwap", () => {
    it("loads Instruct in place of the base model, reports the load, and reuses it while loaded", async () => {
        const worker = fakeWorker();
        let loadingReports = 0;
        const first = await worker.swap.useInstruct(INSTRUCT, () => loadingReports++);
        assert.equal(first.modelPath, INSTRUCT);
        const second = await worker.swap.useInstruct(INSTRUCT, () => loadingReports++);
        assert.equal(second.modelPath, INSTRUCT);
        assert.deepEqual(worker.calls, [`loadInstruct ${INSTRUCT}`]);
        assert.equal(loadingReports, 1);
    });

    it("brings the base model back once after a swap, and never without one", async () => {
        const worker = fakeWorker();
        await worker.swap.restoreBase();
        assert.deepEqual(worker.calls, [], "nothing was swapped: nothing to restore");
        await worker.swap.useInstruct(INSTRUCT, () => undefined);
        await worker.swap.restoreBase();
        await worker.swap.restoreBase();
        assert.deepEqual(worker.calls, [`loadInstruct ${INSTRUCT}`, "reloadBase"]);
    });

    it("useBase restores the base model first and answers with its info", async () => {
        const worker = fakeWorker();
        await worker.swap.useInstruct(INSTRUCT, () => undefined);
        const base = await worker.swap.useBase();
        assert.equal(base.modelPath, BASE);
        assert.deepEqual(worker.calls, [`loadInstruct ${INSTRUCT}`, "reloadBase"]);
        assert.equal((await worker.swap.useBase()).modelPath, BASE);
        assert.equal(worker.calls.length, 2, "no second reload");
    });

    it("useBase says why there is no model to answer with", async () => {
        const worker = fakeWorker({ kind: "loading", modelPath: BASE });
        await assert.rejects(worker.swap.useBase(), /still loading; try again in a moment/);
        worker.setState({ kind: "starting" });
        await assert.rejects(worker.swap.useBase(), /still loading/);
        worker.setState({ kind: "stopped" });
        await assert.rejects(worker.swap.useBase(), /No model is loaded \(see the status bar\)/);
    });

    it("a failed Instruct load names the file, and the base model still comes back", async () => {
        const worker = fakeWorker();
        worker.failNextLoad(new Error("not a GGUF file"));
        await assert.rejects(worker.swap.useInstruct(INSTRUCT, () => undefined), {
            message: `Solar Instruct could not be loaded from ${INSTRUCT}: not a GGUF file`,
        });
        await worker.swap.restoreBase();
        assert.deepEqual(worker.calls, [`loadInstruct ${INSTRUCT}`, "reloadBase"]);
    });

    it("refuses an empty Instruct path before touching the worker", async () => {
        const worker = fakeWorker({ kind: "stopped" });
        let loadingReports = 0;
        await assert.rejects(worker.swap.useInstruct("", () => loadingReports++), /instructModelPath is empty/);
        await worker.swap.restoreBase();
        assert.deepEqual(worker.calls, []);
        assert.equal(loadingReports, 0);
    });
});

describe("answerStyle", () => {
    it("locally: Instruct's template exactly when instructModelPath names a file", () => {
        assert.equal(answerStyle({ remote: false, servedModel: "", instructModelPath: INSTRUCT }), "instruct");
        assert.equal(answerStyle({ remote: false, servedModel: "solar-instruct", instructModelPath: "" }), "base");
    });

    it("remotely: the served model's name decides, whatever the local setting", () => {
        assert.equal(answerStyle({ remote: true, servedModel: "upstage/SOLAR-10.7B-Instruct-v1.0", instructModelPath: "" }), "instruct");
        assert.equal(answerStyle({ remote: true, servedModel: "solar-10.7b", instructModelPath: INSTRUCT }), "base");
        assert.equal(answerStyle({ remote: true, servedModel: "", instructModelPath: INSTRUCT }), "base");
    });
});
