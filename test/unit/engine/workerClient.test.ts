// The engine's life cycle, with the real child process and worker thread: crashes reject pending
// calls and restart it, repeated crashes leave it stopped, and a graceful stop lets it exit by itself.

import * as assert from "node:assert/strict";
import type { WorkerClient } from "../../../src/engine/workerClient";
import { BackendError } from "../../../src/backend/backendError";
import { copyFixture, ensureModel, type CopyFixture } from "../../fixtures/models";
import { makeDocument } from "../support/documents";
import { inProcessClient, processClient, waitForState, workerClient } from "../support/engines";

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<BackendError> {
    const error = await promise.then(
        () => assert.fail(`expected ${code}`),
        (e: unknown) => e,
    );
    assert.ok(error instanceof BackendError, `not an BackendError: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
}

for (const [name, make] of [
    ["child process", processClient],
    ["worker thread", workerClient],
    ["in-process", inProcessClient],
] as const) {
    describe(`WorkerClient (${name})`, () => {
        let client: WorkerClient | undefined;
        afterEach(async () => {
            await client?.stop();
            client = undefined;
        });

        it("answers with a clear error when no model is loaded", async () => {
            client = make();
            await rejectsWith(client.countTokens("x"), "NOT_LOADED");
        });

        it("rejects pending calls when the engine dies, restarts it, and serves the next call", async () => {
            const states: string[] = [];
            client = make({ restartDelaysMs: [20, 20], onState: (s) => states.push(s.kind) });
            client.crashForTest();
            const error = await rejectsWith(client.countTokens("pending at the crash"), "ENGINE_CRASHED");
            assert.match(error.message, /stopped unexpectedly/);
            // The next call waits for the restart and reaches a live engine.
            await rejectsWith(client.countTokens("after"), "NOT_LOADED");
            assert.deepEqual(states.slice(0, 2), ["restarting", "noModel"]);
        });

        it("stays stopped in a failed state after repeated crashes instead of looping", async () => {
            client = make({ restartDelaysMs: [5, 5] });
            for (let crash = 0; crash < 3; crash++) {
                await waitForState(client, crash === 0 ? "starting" : "noModel");
                client.crashForTest();
                await rejectsWith(client.countTokens("x"), "ENGINE_CRASHED");
            }
            await waitForState(client, "failed");
            const error = await rejectsWith(client.countTokens("x"), "ENGINE_FAILED");
            assert.match(error.message, /crashed 3 times/);
        });

        it("stops gracefully and refuses calls afterwards", async () => {
            client = make();
            await client.stop();
            assert.equal(client.state.kind, "stopped");
            await rejectsWith(client.countTokens("x"), "STOPPED");
        });
    });
}

for (const [name, make] of [
    ["child process", processClient],
    ["worker thread", workerClient],
] as const)
describe(`WorkerClient with a model, in a real ${name}`, () => {
    let client: WorkerClient;
    let fixture: CopyFixture;
    let tinyPath: string;

    before(async () => {
        fixture = await copyFixture("copy");
        tinyPath = await ensureModel("tiny");
    });
    beforeEach(() => {
        client = make({ restartDelaysMs: [20, 20, 20] });
    });
    afterEach(async () => {
        await client.stop();
    });

    it("streams the text as it is generated, and the chunks add up to the result", async () => {
        await client.load({ modelPath: fixture.path, gpu: "cpu", threads: 1 });
        const cut = fixture.cutPoints[0];
        const chunks: string[] = [];
        const result = await client.complete(
            { prompt: { kind: "text", text: fixture.text.slice(0, cut.offset) }, maxTokens: 8 },
            { onText: (chunk) => chunks.push(chunk) },
        );
        assert.ok(chunks.length >= 2, `chunks: ${JSON.stringify(chunks)}`);
        assert.equal(chunks.join(""), result.text);
        assert.ok(fixture.text.slice(cut.offset).startsWith(result.text));
    });

    it("a new completion aborts the one in flight: never two at once", async () => {
        await client.load({ modelPath: tinyPath, gpu: "cpu", threads: 1 });
        const long = makeDocument(3000, (t) => t.length / 3);
        const requests = Array.from({ length: 20 }, (_, i) =>
            client.complete({ prompt: { kind: "document", text: long + "x".repeat(i), cursor: long.length + i }, maxTokens: 16 }),
        );
        const results = await Promise.all(requests);
        assert.ok(results.slice(0, -1).every((r) => r.stats.stopReason === "abort"), results.map((r) => r.stats.stopReason).join(","));
        assert.equal(results.at(-1)?.stats.stopReason, "maxTokens");
        const counters = await client.counters();
        assert.equal(counters.maxConcurrent, 1);
        assert.equal(counters.aborted, 19);
    });

    it("cancels through the AbortSignal and reports the abort in the stats", async () => {
        await client.load({ modelPath: tinyPath, gpu: "cpu", threads: 1 });
        const controller = new AbortController();
        const pending = client.complete(
            { prompt: { kind: "text", text: "Once upon a time" }, maxTokens: 3000 },
            { signal: controller.signal, onText: () => controller.abort() },
        );
        const result = await pending;
        assert.equal(result.stats.stopReason, "abort");
        assert.ok(result.stats.generatedTokens < 50);
    });

    it("after a crash, reloads the model by itself and completes again", async () => {
        await client.load({ modelPath: fixture.path, gpu: "cpu", threads: 1 });
        client.crashForTest();
        await rejectsWith(client.complete({ prompt: { kind: "text", text: "x" }, maxTokens: 2 }), "ENGINE_CRASHED");
        const cut = fixture.cutPoints[0];
        const result = await client.complete({ prompt: { kind: "text", text: fixture.text.slice(0, cut.offset) }, maxTokens: 6 });
        assert.ok(fixture.text.slice(cut.offset).startsWith(result.text) && result.text.length > 0, result.text);
        assert.equal(client.state.kind, "ready");
    });

    it("stops gracefully in the middle of a generation without taking the process down", async () => {
        await client.load({ modelPath: tinyPath, gpu: "cpu", threads: 1 });
        let streaming!: () => void;
        const started = new Promise<void>((resolve) => (streaming = resolve));
        const pending = client.complete({ prompt: { kind: "text", text: "Hello" }, maxTokens: 3000 }, { onText: () => streaming() });
        await started;
        await client.stop();
        assert.equal(client.state.kind, "stopped");
        // The generation was aborted by the stop and either answered or was rejected as stopped.
        const outcome = await pending.then((r) => r.stats.stopReason, (e: BackendError) => e.code);
        assert.ok(["abort", "STOPPED"].includes(outcome), outcome);
    });

    it("switching models disposes the old one in the same worker", async () => {
        const first = await client.load({ modelPath: tinyPath, gpu: "cpu", threads: 1 });
        const second = await client.load({ modelPath: fixture.path, gpu: "cpu", threads: 1 });
        assert.notEqual(first.modelPath, second.modelPath);
        const cut = fixture.cutPoints[0];
        const result = await client.complete({ prompt: { kind: "text", text: fixture.text.slice(0, cut.offset) }, maxTokens: 4 });
        assert.ok(fixture.text.slice(cut.offset).startsWith(result.text));
    });
});
