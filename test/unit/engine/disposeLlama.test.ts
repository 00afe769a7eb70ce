// The bounded llama.dispose(): node-llama-cpp 3.21.1 can wait forever after a failed model load (see
// disposeLlama); the engine's stop must still finish. The real hang depends on GC timing, so a
// Llama whose dispose never settles stands in for it here; badModels.test.ts runs the real case.

import * as assert from "node:assert/strict";
import { disposeLlama } from "../../../src/engine/llamaRuntime";

describe("disposeLlama", () => {
    it("gives up on a dispose that never settles, after the timeout, and says so once", async () => {
        const logs: string[] = [];
        const started = performance.now();
        await disposeLlama({ dispose: () => new Promise<void>(() => undefined) }, (level, message) => logs.push(`${level}: ${message}`), 50);
        assert.ok(performance.now() - started >= 45);
        assert.equal(logs.length, 1);
        assert.match(logs[0], /^warn: .*did not finish disposing within 0.05 s/);
    });

    it("returns as soon as a normal dispose does, logging nothing", async () => {
        const logs: string[] = [];
        let disposed = false;
        await disposeLlama({ dispose: async () => void (disposed = true) }, (_level, message) => logs.push(message), 60_000);
        assert.ok(disposed);
        assert.deepEqual(logs, []);
    });
});
