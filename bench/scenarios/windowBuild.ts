// 6. Building the prompt window for big documents, with the counter the worker uses (the model's own
// tokenizer through LlamaEngine.countTokens) and Solar's budget for the default 64 new tokens.
// - keystroke: one character typed at the cursor, with the previous anchor (what runs per keystroke);
// - fresh: no anchor (a newly opened document, or a jump);
// - whole: tokenizing everything before the cursor, what a window cut in tokens would have to do.
// The three alternate within each size.

import { buildPromptWindow, type WindowAnchor } from "../../src/backend/window";
import { CONTEXT_MARGIN } from "../../src/backend/limits";
import { codeOfLength, flat, lineStartBefore, minifiedOfLength } from "../documents";
import { elapsed, openEngine, withResources, type Bench } from "../harness";
import { median, round, rounded, summarize } from "../stats";

const PRODUCT_MAX_TOKENS = 64;

interface Case {
    readonly name: string;
    readonly make: () => string;
    readonly cursorAt: number;
}

const CASES: readonly Case[] = [
    { name: "10KB", make: () => codeOfLength(10_000, 11), cursorAt: 0.6 },
    { name: "1MB", make: () => codeOfLength(1_000_000, 12), cursorAt: 0.6 },
    { name: "10MB", make: () => codeOfLength(10_000_000, 13), cursorAt: 0.6 },
    { name: "minified_5MB", make: () => minifiedOfLength(5_000_000, 14), cursorAt: 0.5 },
];

export async function windowBuild(bench: Bench) {
    const plan = bench.plan.windowBuild;
    return withResources(async (keep) => {
        const engine = keep(await openEngine(bench, "tiny"));
        const countTokens = (text: string) => engine.countTokens(text);
        const budget = engine.info.contextSize - PRODUCT_MAX_TOKENS - CONTEXT_MARGIN;
        const results: Record<string, unknown> = { budget_tokens: budget };
        const headline: Record<string, number> = {};

        for (const c of CASES) {
            const text = c.make();
            const raw = Math.floor(text.length * c.cursorAt);
            const cursor = c.name.startsWith("minified") ? raw : lineStartBefore(text, raw);
            // Two flat documents with a keystroke at the cursor, used in turn: the anchor holds for both.
            const typed = [flat(text.slice(0, cursor) + "x" + text.slice(cursor)), flat(text.slice(0, cursor) + "xy" + text.slice(cursor))];
            const build = (doc: string, at: number, previous?: WindowAnchor) => {
                const t0 = performance.now();
                const window = buildPromptWindow({ text: doc, cursor: at, countTokens, budget, previous });
                return { window, ms: elapsed(t0) };
            };

            const first = build(text, cursor);
            const anchor = first.window.anchor;
            const fresh: number[] = [];
            const keystroke: number[] = [];
            const whole: number[] = [];
            // A keystroke at the cursor must keep the anchor; a move would make it a fresh build.
            let moved = 0;
            const wholeEvery = Math.max(1, Math.floor(plan.keyReps / plan.wholeReps));
            for (let rep = 0; rep < plan.keyReps; rep++) {
                const k = rep % 2;
                const step = build(typed[k], cursor + 1 + k, anchor);
                if (step.window.moved) moved++;
                keystroke.push(step.ms);
                if (rep < plan.freshReps) fresh.push(build(typed[k], cursor + 1 + k).ms);
                if (rep % wholeEvery === 0 && whole.length < plan.wholeReps) {
                    const t0 = performance.now();
                    countTokens(typed[k].slice(0, cursor + 1 + k));
                    whole.push(elapsed(t0));
                }
            }
            const key = summarize(keystroke);
            headline[`${c.name}_ms`] = round(key.p50);
            results[c.name] = {
                chars: text.length,
                window_tokens: first.window.promptTokens,
                keystroke_ms: rounded(key),
                keystrokes_that_moved_the_window: moved,
                fresh_ms: rounded(summarize(fresh)),
                whole_prefix_tokenize_ms: round(median(whole)),
                speedup_vs_whole_tokenize: round(median(whole) / key.p50),
            };
            bench.progress(`window_build ${c.name}: keystroke p50 ${key.p50.toFixed(2)} ms, fresh p50 ${median(fresh).toFixed(1)} ms, whole ${median(whole).toFixed(0)} ms`);
        }
        return { model: "tiny (same vocabulary as Solar)", ...headline, ...results };
    });
}
