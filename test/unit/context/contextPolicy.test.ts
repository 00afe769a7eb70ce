import * as assert from "node:assert/strict";
import { CALM_PAUSE_MS, ContextPolicy, type SnippetSet } from "../../../src/context/contextPolicy";

/** A retrieval whose answer the test sets, counting how often it is asked. */
function harness(settings = { enabled: true, maxTokens: 512 }) {
    let clock = 0;
    let answer: SnippetSet = { blocks: ["// Path: a.ts\n// one\n"], labels: ["a.ts:1-1"] };
    const asked: string[] = [];
    const policy = new ContextPolicy({
        select: ({ documentId }) => {
            asked.push(documentId);
            return answer;
        },
        now: () => clock,
        settings: () => settings,
    });
    return {
        policy,
        asked,
        typeFor: (ms: number) => (clock += ms),
        answer: (next: SnippetSet) => (answer = next),
    };
}

const q = (documentId: string, prefix: string) => ({ documentId, languageId: "typescript", prefix });

const OTHER: SnippetSet = { blocks: ["// Path: b.ts\n// two\n"], labels: ["b.ts:1-1"] };

describe("context policy: snippets change only at calm moments", () => {
    it("keeps a document's set keystroke after keystroke, whatever retrieval would now say", () => {
        const h = harness();
        const first = h.policy.contextFor(q("doc", "x"));
        h.answer(OTHER);
        for (let i = 0; i < 50; i++) {
            h.typeFor(150);
            assert.deepEqual(h.policy.contextFor(q("doc", `x${i}`))?.blocks, first?.blocks);
        }
        assert.deepEqual(h.asked, ["doc"]);
    });

    it("chooses afresh after a pause, and adopts the new set only if it differs", () => {
        const h = harness();
        h.policy.contextFor(q("doc", "x"));
        h.typeFor(CALM_PAUSE_MS);
        assert.deepEqual(h.policy.contextFor(q("doc", "x"))?.labels, ["a.ts:1-1"]);
        h.answer(OTHER);
        h.typeFor(CALM_PAUSE_MS);
        assert.deepEqual(h.policy.contextFor(q("doc", "x"))?.labels, ["b.ts:1-1"]);
        assert.equal(h.asked.length, 3);
    });

    it("returns to the set a document left after a switch away and back", () => {
        const h = harness();
        const a = h.policy.contextFor(q("a", "x"));
        h.answer(OTHER);
        h.typeFor(100);
        assert.deepEqual(h.policy.contextFor(q("b", "y"))?.labels, ["b.ts:1-1"]);
        h.typeFor(100);
        assert.deepEqual(h.policy.contextFor(q("a", "x")), a);
    });

    it("chooses again after a save, at each document's next request", () => {
        const h = harness();
        h.policy.contextFor(q("a", "x"));
        h.policy.contextFor(q("b", "x"));
        h.answer(OTHER);
        h.policy.markStale();
        h.typeFor(100);
        assert.deepEqual(h.policy.contextFor(q("a", "x"))?.labels, ["b.ts:1-1"]);
        h.typeFor(100);
        h.policy.contextFor(q("a", "x"));
        assert.deepEqual(h.asked, ["a", "b", "a"]);
    });

    it("gives nothing when context is off, its budget is 0, or retrieval found nothing", () => {
        assert.equal(harness({ enabled: false, maxTokens: 512 }).policy.contextFor(q("a", "x")), undefined);
        assert.equal(harness({ enabled: true, maxTokens: 0 }).policy.contextFor(q("a", "x")), undefined);
        const h = harness();
        h.answer({ blocks: [], labels: [] });
        assert.equal(h.policy.contextFor(q("a", "x")), undefined);
    });

    it("passes the budget on with the blocks", () => {
        assert.equal(harness({ enabled: true, maxTokens: 700 }).policy.contextFor(q("a", "x"))?.maxTokens, 700);
    });
});
