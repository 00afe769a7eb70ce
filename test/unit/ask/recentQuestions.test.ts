// Recent prompts (global state: newest first, no duplicates, capped, clearable) and the quick pick's
// items built from them.

import * as assert from "node:assert/strict";
import { askPicks } from "../../../src/ask/askPicks";
import { RECENT_QUESTIONS_KEY, RecentQuestions } from "../../../src/ask/recentQuestions";

function memento(initial: Record<string, unknown> = {}) {
    const values = new Map<string, unknown>(Object.entries(initial));
    return { values, get: <T>(key: string) => values.get(key) as T | undefined, update: async (key: string, value: unknown) => void values.set(key, value) };
}

describe("RecentQuestions", () => {
    it("keeps prompts newest first, without duplicates, up to the limit, and clears", async () => {
        const state = memento();
        const recent = new RecentQuestions(state, 3);
        for (const prompt of ["one", " two ", "three", "one", "", "four"]) await recent.add(prompt);
        assert.deepEqual(recent.list(), ["four", "one", "three"]);
        assert.deepEqual(state.values.get(RECENT_QUESTIONS_KEY), ["four", "one", "three"]);
        await recent.remove("one");
        assert.deepEqual(recent.list(), ["four", "three"]);
        await recent.clear();
        assert.deepEqual(recent.list(), []);
    });

    it("ignores whatever else is stored under its key", () => {
        assert.deepEqual(new RecentQuestions(memento({ [RECENT_QUESTIONS_KEY]: "oops" })).list(), []);
        assert.deepEqual(new RecentQuestions(memento({ [RECENT_QUESTIONS_KEY]: ["ok", 3, null, " "] })).list(), ["ok"]);
    });
});

describe("prompt quick pick items", () => {
    it("typed text: both outputs, the configured one first; recent prompts below", () => {
        const picks = askPicks(" explain ", ["explain", "refactor"], "cursor", true);
        assert.deepEqual(
            picks.map((p) => [p.kind, p.label, "output" in p ? p.output : undefined]),
            [
                ["ask", "explain", "cursor"],
                ["ask", "explain", "untitled"],
                ["recent", "refactor", "cursor"],
            ],
        );
    });

    it("nothing typed: the recent prompts and a way to clear them; without an editor only new documents", () => {
        const picks = askPicks("", ["a", "b"], "cursor", false);
        assert.deepEqual(
            picks.map((p) => [p.kind, p.label, "output" in p ? p.output : undefined]),
            [
                ["recent", "a", "untitled"],
                ["recent", "b", "untitled"],
                ["clear", "Clear recent prompts", undefined],
            ],
        );
        assert.deepEqual(askPicks("", [], "untitled", true), []);
    });
});
