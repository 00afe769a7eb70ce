// The KV-state choice without a model: which slot a prompt takes (llama-server's rule: the longest
// shared prefix when it is at least half the prompt, and ours: that keeps half the state or holds the
// whole prompt; else an empty slot, else the least recently used), the limits on the number of states, the fallback to fewer, and the KV cache's size.

import * as assert from "node:assert/strict";
import {
    chooseSlot,
    createWithFewerOnFailure,
    KV_STATES,
    kvCacheBytes,
    normalizeKvStates,
    sharedPrefixLength,
    SLOT_SIMILARITY,
    type SlotView,
} from "../../../src/engine/sequencePool";

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const slot = (tokens: readonly number[], lastUsed: number): SlotView => ({ tokens, lastUsed });

describe("sequencePool: choosing a KV state", () => {
    const a = [1, ...range(100, 200)];
    const b = [1, ...range(500, 600)];

    it("counts the shared prefix", () => {
        assert.equal(sharedPrefixLength([], [1, 2]), 0);
        assert.equal(sharedPrefixLength([1, 2, 3], [1, 2, 4]), 2);
        assert.equal(sharedPrefixLength([1, 2], [1, 2, 3]), 2);
    });

    it("returns to the slot holding the prompt's prefix, whichever was used last", () => {
        const slots = [slot(a, 0), slot(b, 1)];
        assert.deepEqual(chooseSlot(slots, [...a, 7, 8, 9]), { slot: 0, reason: "prefix", sharedTokens: a.length });
        assert.deepEqual(chooseSlot(slots, [...b, 7]), { slot: 1, reason: "prefix", sharedTokens: b.length });
    });

    it("takes the longest shared prefix among several that qualify", () => {
        const short = [...a.slice(0, 70), 9, 9];
        const choice = chooseSlot([slot(short, 5), slot(a, 0)], [...a, 3]);
        assert.equal(choice.slot, 1);
        assert.equal(choice.sharedTokens, a.length);
    });

    it("on a tie, keeps the state that loses the fewest cached tokens, then the most recent", () => {
        const prompt = a.slice(0, 60);
        assert.equal(chooseSlot([slot(a, 9), slot(a.slice(0, 80), 0)], prompt).slot, 1);
        assert.equal(chooseSlot([slot(a, 0), slot(a, 3), slot(a, 1)], prompt).slot, 1);
    });

    it("needs the prefix to be at least half the prompt: a stranger goes to an empty slot", () => {
        // Shares 40 of 101 tokens with slot 0: not enough, so slot 0's state is kept for its own file.
        const prompt = [...a.slice(0, 40), ...range(900, 961)];
        assert.ok(sharedPrefixLength(a, prompt) < SLOT_SIMILARITY * prompt.length);
        assert.deepEqual(chooseSlot([slot(a, 0), slot([], -1)], prompt), { slot: 1, reason: "empty", sharedTokens: 0 });
        // Exactly half qualifies ("at least").
        const half = [...a.slice(0, 50), ...range(900, 950)];
        assert.equal(chooseSlot([slot(a.slice(0, 100), 0), slot([], -1)], half).reason, "prefix");
    });

    it("with every slot taken and none similar, evicts the least recently used", () => {
        const c = [1, ...range(2000, 2100)];
        const slots = [slot(a, 4), slot(b, 2), slot([1, ...range(3000, 3050)], 7)];
        assert.deepEqual(chooseSlot(slots, c), { slot: 1, reason: "leastRecent", sharedTokens: 1 });
    });

    it("the first prompt of all takes the first slot; a BOS alone is no reason to reuse a slot", () => {
        assert.deepEqual(chooseSlot([slot([], -1), slot([], -1)], a), { slot: 0, reason: "empty", sharedTokens: 0 });
        assert.equal(chooseSlot([slot(a, 0), slot([], -1)], b).slot, 1);
    });

    it("keeps a state that would lose most of its tokens, even when the prompt shares half with it", () => {
        // Context blocks shared by every prompt of a file, then a window far from the state's: a jump.
        const blocks = range(100, 160);
        const state = [1, ...blocks, ...range(2000, 2200)];
        const jump = [1, ...blocks, ...range(5000, 5040)];
        assert.ok(sharedPrefixLength(state, jump) >= SLOT_SIMILARITY * jump.length);
        assert.deepEqual(chooseSlot([slot(state, 0), slot([], -1)], jump), { slot: 1, reason: "empty", sharedTokens: 0 });
        // Typing on in the same place still reuses it.
        assert.equal(chooseSlot([slot(state, 0), slot([], -1)], [...state, 7]).slot, 0);
    });

    it("a prompt that is a prefix of a state reuses it (the cursor moved up in the same file)", () => {
        assert.deepEqual(chooseSlot([slot(b, 1), slot(a, 0)], a.slice(0, 30)), { slot: 1, reason: "prefix", sharedTokens: 30 });
    });
});

describe("sequencePool: how many states", () => {
    it("keeps the number of states within 1-8, 1 when absent", () => {
        assert.equal(normalizeKvStates(undefined), 1);
        assert.equal(KV_STATES.default, 1);
        assert.equal(normalizeKvStates(0), 1);
        assert.equal(normalizeKvStates(-3), 1);
        assert.equal(normalizeKvStates(2.7), 2);
        assert.equal(normalizeKvStates(99), 8);
        assert.equal(normalizeKvStates(Number.NaN), 1);
    });

    it("falls back to fewer states when creating them fails, and reports each failure", async () => {
        const tried: number[] = [];
        const fallbacks: number[] = [];
        const result = await createWithFewerOnFailure(
            4,
            async (states) => {
                tried.push(states);
                if (states > 2) throw new Error(`no memory for ${states}`);
                return `context with ${states}`;
            },
            (states) => fallbacks.push(states),
        );
        assert.deepEqual(result, { value: "context with 2", states: 2 });
        assert.deepEqual(tried, [4, 3, 2]);
        assert.deepEqual(fallbacks, [4, 3]);
    });

    it("rethrows when even one state fails", async () => {
        await assert.rejects(
            createWithFewerOnFailure(2, async () => Promise.reject(new Error("no memory at all")), () => undefined),
            /no memory at all/,
        );
    });

    it("sizes a KV state: Solar 10.7B at 4,096 cells is ~805 MB (F16)", () => {
        const solar = { blockCount: 48, embeddingLength: 4096, headCount: 32, headCountKv: 8 };
        assert.equal(kvCacheBytes(solar, 4096), 48 * 4096 * 1024 * 2 * 2);
        assert.equal(kvCacheBytes(solar, 1), 196_608);
    });
});
