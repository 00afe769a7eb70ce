import * as assert from "node:assert/strict";
import fc from "fast-check";
import { BestOf } from "../../../src/context/bestOf";

describe("context best-of-k", () => {
    const byScoreThenName = (a: [number, string], b: [number, string]) => b[0] - a[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);

    it("keeps the k best in order, whatever order they come in", () => {
        fc.assert(
            fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.string({ maxLength: 3 })), { maxLength: 60 }), fc.integer({ min: 0, max: 8 }), (items, k) => {
                const best = new BestOf<[number, string]>(k, byScoreThenName, (item) => item[0]);
                for (const item of items) if (best.admits(item[0])) best.offer(item);
                assert.deepEqual(best.best(), [...items].sort(byScoreThenName).slice(0, k));
            }),
        );
    });

    it("admits anything until full, then only scores at least the worst kept", () => {
        const best = new BestOf<[number, string]>(2, byScoreThenName, (item) => item[0]);
        assert.equal(best.admits(0), true);
        best.offer([3, "a"]);
        best.offer([5, "b"]);
        assert.equal(best.admits(2), false);
        assert.equal(best.admits(3), true);
        assert.equal(new BestOf<[number, string]>(0, byScoreThenName, (item) => item[0]).admits(9), false);
    });
});
