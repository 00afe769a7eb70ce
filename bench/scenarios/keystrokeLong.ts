// 2. Typing in the middle of a 20,000-token file, far longer than the 4,096-token context. Ours: the
// anchored window through the worker. Naive: keep the last N tokens before the cursor (N = the same
// budget) and evaluate with a prefix cache; its start slides with every keystroke, so the cache
// misses almost everything. Alternating keystroke by keystroke, both on the tiny model.

import type { Token } from "node-llama-cpp";
import { CONTEXT_MARGIN } from "../../src/backend/limits";
import { codeOfTokens, lineStartBefore, TYPED_CODE, typing } from "../documents";
import { elapsed, KEYSTROKE_MAX_TOKENS, openClient, openRaw, withResources, type Bench } from "../harness";
import type { RawEngine } from "../rawEngine";
import { mean, median, pairedRatios, round, rounded, summarize } from "../stats";

export const LONG_DOCUMENT_TOKENS = 20_000;
// No Llama-2 piece is longer than 16 characters: this many characters always hold `budget` tokens.
const MAX_CHARS_PER_TOKEN = 16;

/** BOS + the last budget-1 tokens before the cursor: what "keep the last N tokens" evaluates. */
export function naiveWindow(raw: RawEngine, text: string, cursor: number, budget: number): Token[] {
    const tokens = raw.tokenize(text.slice(Math.max(0, cursor - budget * MAX_CHARS_PER_TOKEN), cursor));
    return tokens.length <= budget ? tokens : [tokens[0], ...tokens.slice(tokens.length - budget + 1)];
}

/** The naive window, every keystroke: share of the prompt evaluated, tokens evaluated, latency. */
interface Naive {
    readonly fraction: number[];
    readonly evaluated: number[];
    readonly ms: number[];
}

/** Ours, the same per keystroke, plus the keystrokes where the window moved. */
interface Ours extends Naive {
    readonly moves: number[];
}

/** The figures the report keeps, from both traces. */
function longReport(keys: number, budget: number, ours: Ours, naive: Naive) {
    const latency = summarize(ours.ms);
    const naiveLatency = summarize(naive.ms);
    return {
        model: "tiny",
        document_tokens: LONG_DOCUMENT_TOKENS,
        budget_tokens: budget,
        keystrokes: keys,
        evaluated_fraction_mean: round(mean(ours.fraction)),
        naive_evaluated_fraction_mean: round(mean(naive.fraction)),
        evaluated_tokens: rounded(summarize(ours.evaluated)),
        naive_evaluated_tokens: rounded(summarize(naive.evaluated)),
        latency_ms_p50: round(latency.p50),
        latency_ms_p95: round(latency.p95),
        naive_latency_ms_p50: round(naiveLatency.p50),
        naive_latency_ms_p95: round(naiveLatency.p95),
        naive_latency_ms_mean: round(naiveLatency.mean),
        latency_ms_mean: round(latency.mean),
        // The naive window re-evaluates everything only on keystrokes that add a token, so its
        // median keystroke is cheap: the ratio of total time over the trace is the fair summary.
        speedup: round(naiveLatency.mean / latency.mean),
        speedup_p95: round(naiveLatency.p95 / latency.p95),
        speedup_paired_p50: round(median(pairedRatios(naive.ms, ours.ms))),
        window_moves: ours.moves,
        trace: { anchored_ms: ours.ms.map(round), naive_ms: naive.ms.map(round) },
    };
}

export async function keystrokeLong(bench: Bench) {
    const { keys } = bench.plan.keystrokeLong;
    return withResources(async (keep) => {
        const { client, info } = await openClient(bench, "tiny");
        keep(client);
        const raw = keep(await openRaw(bench, "tiny"));
        const budget = info.contextSize - KEYSTROKE_MAX_TOKENS - CONTEXT_MARGIN;
        const document = codeOfTokens(LONG_DOCUMENT_TOKENS, (t) => raw.tokenize(t).length, 3);
        const cursor = lineStartBefore(document, Math.floor(document.length / 2));

        // Both start warm: the first request of a document is a cold start for any method.
        const warm = await client.complete({ prompt: { kind: "document", text: document, cursor }, maxTokens: KEYSTROKE_MAX_TOKENS });
        await raw.run(naiveWindow(raw, document, cursor, budget), { maxTokens: KEYSTROKE_MAX_TOKENS, reuse: true });
        let anchor = warm.window?.anchor;

        const ours: Ours = { fraction: [], evaluated: [], ms: [], moves: [] };
        const naive: Naive = { fraction: [], evaluated: [], ms: [] };
        let key = 0;
        for (const step of typing(document, cursor, TYPED_CODE, keys)) {
            const t0 = performance.now();
            const result = await client.complete({ prompt: { kind: "document", text: step.text, cursor: step.cursor, previous: anchor }, maxTokens: KEYSTROKE_MAX_TOKENS });
            ours.ms.push(elapsed(t0));
            anchor = result.window?.anchor;
            ours.evaluated.push(result.stats.evaluatedTokens);
            ours.fraction.push(result.stats.evaluatedTokens / result.stats.promptTokens);
            if (result.window?.moved) ours.moves.push(key);

            const t1 = performance.now();
            const run = await raw.run(naiveWindow(raw, step.text, step.cursor, budget), { maxTokens: KEYSTROKE_MAX_TOKENS, reuse: true });
            naive.ms.push(elapsed(t1));
            naive.evaluated.push(run.evaluatedTokens);
            naive.fraction.push(run.evaluatedTokens / run.promptTokens);
            if (++key % 50 === 0) bench.progress(`keystroke_long: ${key}/${keys}`);
        }
        return longReport(keys, budget, ours, naive);
    });
}
