// Sharing the engine between a prompt and ghost text, with the real engine (in-process, copy model):
// a non-preemptible completion (a prompt) is never aborted by a preemptible one (ghost text), which
// is refused instead; a newer prompt still aborts an older one; and a ghost-text request whose
// debounce ends after a prompt started never reaches the engine.

import * as assert from "node:assert/strict";
import { DEFAULTS, type Settings } from "../../../src/config";
import type { WorkerClient } from "../../../src/engine/workerClient";
import { BackendError } from "../../../src/backend/backendError";
import type { CompletionRequest } from "../../../src/backend/types";
import { ensureModel } from "../../fixtures/models";
import { inProcessClient } from "../support/engines";
import { ghostTextService } from "../support/ghostText";

describe("a prompt and ghost text sharing the engine", () => {
    let client: WorkerClient;

    before(async () => {
        client = inProcessClient();
        await client.load({ modelPath: await ensureModel("tiny"), gpu: "cpu", threads: 1 });
    });
    after(() => client.stop());

    const prompt = (maxTokens: number): CompletionRequest => ({ prompt: { kind: "text", text: "const value = " }, maxTokens, preemptible: false });
    const ghost: CompletionRequest = { prompt: { kind: "document", text: "let a = 1;\nlet b = ", cursor: 19 }, maxTokens: 8 };

    it("a ghost-text request during a prompt is refused (BUSY) and the prompt runs to its end", async () => {
        const before = await client.counters();
        let streamed = 0;
        const running = client.complete(prompt(600), { onText: () => streamed++ });
        await new Promise<void>((resolve) => {
            const poll = () => (streamed > 0 ? resolve() : setImmediate(poll));
            poll();
        });
        const refused = await client.complete(ghost).then(
            () => undefined,
            (error: unknown) => error,
        );
        assert.ok(refused instanceof BackendError && refused.code === "BUSY", String(refused));
        const result = await running;
        assert.equal(result.stats.stopReason, "maxTokens");
        assert.equal(result.stats.generatedTokens, 600);
        const after = await client.counters();
        assert.equal(after.refused, before.refused + 1);
        assert.equal(after.aborted, before.aborted);
        // Once the prompt is done, ghost text is served again.
        assert.equal((await client.complete(ghost)).stats.stopReason, "maxTokens");
    });

    it("a newer prompt still aborts an older one; a ghost-text request still aborts an older ghost-text request", async () => {
        const first = client.complete(prompt(2000));
        const second = await client.complete(prompt(4));
        assert.equal((await first).stats.stopReason, "abort");
        assert.equal(second.stats.stopReason, "maxTokens");
        const olderGhost = client.complete({ ...ghost, maxTokens: 2000 });
        await client.complete(ghost);
        assert.equal((await olderGhost).stats.stopReason, "abort");
        assert.equal((await client.counters()).maxConcurrent, 1);
    });

    it("a ghost-text request whose debounce ends after a prompt started is not sent at all", async () => {
        const settings: Settings = { ...DEFAULTS, debounceMinMs: 100, debounceMaxMs: 100 };
        let pausedBy: string | undefined;
        const service = ghostTextService(client, () => settings, () => ({ pausedBy }));
        const before = await client.counters();
        const request = {
            documentId: "file:///a.ts", languageId: "typescript", text: "let a = 1;\nlet b = ", sliceStart: 0, cursor: 19,
            eol: "\n" as const, documentEmpty: false, selectionEmpty: true, explicit: false,
        };
        const pending = service.provide(request, new AbortController().signal);
        setTimeout(() => (pausedBy = "a Solar prompt is running"), 20); // the prompt starts during the debounce
        assert.equal(await pending, undefined);
        const after = await client.counters();
        assert.equal(after.completions, before.completions);
        assert.equal(after.refused, before.refused);
    });
});
