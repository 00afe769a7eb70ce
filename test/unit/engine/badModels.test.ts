// Every kind of bad model file, fed to the real engine in a real worker thread: each gives one clear
// error with its code, and the worker (and this process) stay alive to load a good model afterwards.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { WorkerClient } from "../../../src/engine/workerClient";
import { BackendError } from "../../../src/backend/backendError";
import { writeCorruptModels, type CorruptModelCase } from "../../fixtures/corrupt-models";
import { ensureModel } from "../../fixtures/models";
import { workerClient } from "../support/engines";

describe("Bad model files through the worker", () => {
    let folder: string;
    let cases: CorruptModelCase[];
    let validHeaderPath: string;
    let client: WorkerClient;
    const logs: string[] = [];

    before(async () => {
        folder = fs.mkdtempSync(path.join(os.tmpdir(), "solar-bad-models-"));
        ({ cases, validPath: validHeaderPath } = await writeCorruptModels(folder));
        client = workerClient({ log: (_level, message) => logs.push(message), restartDelaysMs: [] });
    });
    after(async () => {
        await client?.stop();
        fs.rmSync(folder, { recursive: true, force: true });
    });

    it("covers at least ten kinds of bad file", () => {
        assert.ok(cases.length >= 10, `${cases.length} cases`);
    });

    it("rejects each with its code and a message naming the file, and the worker survives", async () => {
        // A chmod 000 file is readable by root, so that case can't fail in a root process; cli.test.ts
        // checks it for real by running the engine as an unprivileged user.
        for (const bad of cases.filter((c) => c.skipReason === undefined)) {
            const error = await client.load({ modelPath: bad.path, gpu: "cpu", threads: 1 }).then(
                () => assert.fail(`${bad.name} loaded`),
                (e: unknown) => e,
            );
            assert.ok(error instanceof BackendError, `${bad.name}: ${String(error)}`);
            assert.equal(error.code, bad.expectedCode, `${bad.name}: ${error.message}`);
            assert.ok(error.message.includes(bad.path) || error.message.includes(path.basename(bad.path)), `${bad.name}: ${error.message}`);
            assert.doesNotMatch(error.message, /\n/, `${bad.name}: one line`);
            assert.equal(client.state.kind, "noModel");
        }
    });

    it("reports a file that passes the header check but that llama.cpp can't load, without dying", async () => {
        // The validator's small model has a consistent header but an 8-token vocabulary whose tensors
        // llama.cpp rejects: the native loader's error must come back as an error, not a crash.
        const error = await client.load({ modelPath: validHeaderPath, gpu: "cpu", threads: 1 }).then(
            () => assert.fail("an 8-token model loaded"),
            (e: unknown) => e as BackendError,
        );
        assert.equal(error.code, "LOAD_FAILED", error.message);
        assert.match(error.message, /valid\.gguf/);
        assert.equal(client.state.kind, "noModel");
    });

    it("loads a good model afterwards and completes with it", async () => {
        const info = await client.load({ modelPath: await ensureModel("tiny"), gpu: "cpu", threads: 1 });
        assert.equal(info.contextSize, 4096);
        const result = await client.complete({ prompt: { kind: "text", text: "let x =" }, maxTokens: 3 });
        assert.equal(result.stats.generatedTokens, 3);
        assert.equal(client.state.kind, "ready");
    });
});
