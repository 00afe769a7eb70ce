// Native crashes in the engine, for real: llama.cpp's GGML_ASSERT on crafted model files, abort(),
// and an uncaught exception while llama.cpp evaluates. With the engine in its own process this test
// process (standing in for the extension host) survives each, pending calls reject with a clear
// error, and the restarted engine gives the exact expected text. A file that crashed the engine is
// not loaded again until it changes.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { WorkerClient } from "../../../src/engine/workerClient";
import { BackendError } from "../../../src/backend/backendError";
import { inspectGguf, ModelFileError } from "../../../src/model/ggufFile";
import { expectedCompletion } from "../../fixtures/copy-table";
import { writeCrashingModels, type CrashingModel } from "../../fixtures/crashing-models";
import { copyFixture, ensureModel, type CopyFixture } from "../../fixtures/models";
import { processClient, waitForState } from "../support/engines";

async function failure(promise: Promise<unknown>, what: string): Promise<BackendError> {
    const error = await promise.then(
        () => assert.fail(`${what} succeeded`),
        (e: unknown) => e,
    );
    assert.ok(error instanceof BackendError, `${what}: not an BackendError: ${String(error)}`);
    return error;
}

describe("Native crashes in the engine process", function () {
    let fixture: CopyFixture;
    let folder: string;
    let crashing: CrashingModel[];
    let client: WorkerClient | undefined;

    before(async () => {
        fixture = await copyFixture("copy");
        folder = fs.mkdtempSync(path.join(os.tmpdir(), "solar-crashing-models-"));
        crashing = await writeCrashingModels(folder);
    });
    afterEach(async () => {
        await client?.stop();
        client = undefined;
    });
    after(() => fs.rmSync(folder, { recursive: true, force: true }));

    /** The copy model continues its text exactly: proof that the engine behind the client works. */
    async function assertExactCompletion(engine: WorkerClient): Promise<void> {
        await engine.load({ modelPath: fixture.path, gpu: "cpu", threads: 1 });
        const prompt = fixture.text.slice(0, fixture.cutPoints[0].offset);
        const result = await engine.complete({ prompt: { kind: "text", text: prompt }, maxTokens: 8 });
        const expected = expectedCompletion(fixture.vocab, fixture.table, [1, ...fixture.vocab.encode(prompt, { bos: false })], 8).text;
        assert.equal(result.text, expected);
    }

    it("survives abort() inside the engine, rejects the pending call, and completes exactly after the restart", async () => {
        client = processClient({ restartDelaysMs: [20, 20] });
        await assertExactCompletion(client);
        client.crashForTest("abort");
        const pending = client.countTokens("pending while it dies");
        const error = await failure(pending, "a call pending at the abort");
        assert.equal(error.code, "ENGINE_CRASHED");
        assert.match(error.message, /SIGABRT/);
        await waitForState(client, "ready");
        await assertExactCompletion(client);
    });

    it("survives an uncaught exception thrown while llama.cpp generates", async () => {
        const tiny = await ensureModel("tiny");
        client = processClient({ restartDelaysMs: [20, 20] });
        await client.load({ modelPath: tiny, gpu: "cpu", threads: 1 });
        let crashed = false;
        const generating = client.complete(
            { prompt: { kind: "text", text: "Once upon a time" }, maxTokens: 4000 },
            {
                onText: () => {
                    if (crashed) return;
                    crashed = true;
                    client?.crashForTest("exception-now");
                },
            },
        );
        const error = await failure(generating, "a generation the engine died in");
        assert.equal(error.code, "ENGINE_CRASHED");
        assert.match(error.message, /stopped unexpectedly/);
        await waitForState(client, "ready");
        await assertExactCompletion(client);
    });

    it("every crashing file passes a structural check and is refused by the crash check with one clear line", async () => {
        for (const model of crashing) {
            await inspectGguf(model.path, { checkCrashes: false });
            const error = await inspectGguf(model.path).then(() => assert.fail(`${model.name} passed`), (e: unknown) => e);
            assert.ok(error instanceof ModelFileError, `${model.name}: ${String(error)}`);
            assert.equal(error.code, "CRASHES_LLAMA", `${model.name}: ${error.message}`);
            assert.ok(error.message.includes(model.path), `${model.name}: ${error.message}`);
            assert.doesNotMatch(error.message, /\n/);
        }
    });

    it("a file that crashes llama.cpp names the file and the assertion, is not retried, and a good model then loads", async function () {
        this.timeout(240_000);
        const logs: string[] = [];
        client = processClient({ restartDelaysMs: crashing.map(() => 10), log: (_level, message) => logs.push(message) });
        for (const model of crashing) {
            const options = { modelPath: model.path, gpu: "cpu" as const, threads: 1, skipCrashCheck: true };
            const crash =
                model.phase === "load"
                    ? client.load(options)
                    : client.load(options).then(() => client?.complete({ prompt: { kind: "text", text: "def hello" }, maxTokens: 4 }));
            const error = await failure(crash, model.name);
            assert.equal(error.code, "MODEL_CRASHED", `${model.name}: ${error.message}`);
            assert.ok(error.message.includes(model.path), `${model.name}: ${error.message}`);
            assert.match(error.message, model.assertion, model.name);
            assert.match(error.message, model.phase === "load" ? /while loading/ : /first suggestion/, model.name);
            assert.doesNotMatch(error.message, /\n/);
            // After the restart the file is refused up front: no second crash.
            const state = await waitForState(client, "noModel");
            assert.equal(state.kind === "noModel" && state.error?.code, "MODEL_CRASHED", model.name);
            const again = await failure(client.load(options), `${model.name} again`);
            assert.equal(again.code, "MODEL_CRASHED");
        }
        assert.equal(logs.filter((line) => /stopped unexpectedly|engine crashed/i.test(line)).length, crashing.length, "one crash per file");
        await assertExactCompletion(client);
    });

    it("tries a crashed file again once it changed, or when the user asks", async () => {
        const [model] = crashing;
        client = processClient({ restartDelaysMs: [10, 10, 10] });
        const options = { modelPath: model.path, gpu: "cpu" as const, threads: 1, skipCrashCheck: true };
        await failure(client.load(options), "first load");
        await waitForState(client, "noModel");
        assert.equal((await failure(client.load(options), "refused")).code, "MODEL_CRASHED");
        client.forgetCrashedModels();
        // Asked again, it is really loaded again: and crashes again, from llama.cpp this time.
        const retried = await failure(client.load(options), "retried on request");
        assert.match(retried.message, model.assertion);
        await waitForState(client, "noModel");
        // A changed file (new modification time) is tried without being asked.
        const later = new Date(Date.now() + 5_000);
        fs.utimesSync(model.path, later, later);
        const changed = await failure(client.load(options), "changed file");
        assert.match(changed.message, model.assertion);
    });
});
