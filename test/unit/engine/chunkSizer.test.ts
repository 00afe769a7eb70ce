import * as assert from "node:assert/strict";
import { ChunkSizer } from "../../../src/engine/chunkSizer";

describe("ChunkSizer", () => {
    it("starts at the initial size and follows the measured speed toward the target duration", () => {
        const sizer = new ChunkSizer({ targetMs: 40, min: 8, max: 512, initial: 32 });
        assert.equal(sizer.next(), 32);
        sizer.record(32, 8); // 4 tokens/ms: a fast machine
        assert.equal(sizer.next(), 160);
    });

    it("stays within its bounds for very slow and very fast machines", () => {
        const slow = new ChunkSizer({ targetMs: 40, min: 8, max: 512, initial: 32 });
        slow.record(32, 3200); // 0.01 tokens/ms: Solar on two CPU cores
        assert.equal(slow.next(), 8);
        const fast = new ChunkSizer({ targetMs: 40, min: 8, max: 512, initial: 32 });
        fast.record(512, 5);
        assert.equal(fast.next(), 512);
    });

    it("smooths one outlier instead of jumping to it", () => {
        const sizer = new ChunkSizer({ targetMs: 40, min: 8, max: 512, initial: 32 });
        sizer.record(100, 25); // 4 tokens/ms
        sizer.record(100, 250); // one slow chunk: 0.4 tokens/ms
        const size = sizer.next();
        assert.ok(size > 40 && size < 160, `size ${size}`);
    });
});
