// 1. Typing at the end of a 3,500-token document: our engine through the worker (anchored window,
// prefix reuse) against node-llama-cpp with the sequence cleared before each request (no reuse),
// on the same prompt, alternating keystroke by keystroke.

import { codeOfTokens, TYPED_CODE, typing } from "../documents";
import { elapsed, KEYSTROKE_MAX_TOKENS, openClient, openRaw, withResources, type Bench } from "../harness";
import { median, pairedRatios, round, rounded, summarize } from "../stats";

export const DOCUMENT_TOKENS = 3500;

/** Ours, every keystroke: tokens evaluated, latency and the prompt's length. */
interface Ours {
    readonly evaluated: number[];
    readonly ms: number[];
    readonly promptTokens: number[];
}

/** The fresh (no reuse) baseline, every `baselineEvery`-th keystroke. */
interface Baseline {
    readonly evaluated: number[];
    readonly ms: number[];
}

/** Latencies of the keystrokes that ran both, for the paired speedup. */
interface Pairs {
    readonly ours: number[];
    readonly base: number[];
}

/** The figures the report keeps, from both traces. */
function endReport(keys: number, ours: Ours, base: Baseline, pairs: Pairs) {
    const evaluated = summarize(ours.evaluated);
    const baseEvaluated = summarize(base.evaluated);
    const latency = summarize(ours.ms);
    const baseLatency = summarize(base.ms);
    return {
        model: "tiny",
        document_tokens: summarize(ours.promptTokens).min,
        keystrokes: keys,
        baseline_keystrokes: base.ms.length,
        max_tokens: KEYSTROKE_MAX_TOKENS,
        evaluated_tokens_p50: round(evaluated.p50),
        evaluated_tokens_p95: round(evaluated.p95),
        evaluated_tokens_max: evaluated.max,
        baseline_evaluated_tokens_p50: round(baseEvaluated.p50),
        baseline_evaluated_tokens_p95: round(baseEvaluated.p95),
        latency_ms_p50: round(latency.p50),
        latency_ms_p95: round(latency.p95),
        baseline_latency_ms_p50: round(baseLatency.p50),
        baseline_latency_ms_p95: round(baseLatency.p95),
        speedup: round(median(pairedRatios(pairs.base, pairs.ours))),
        latency_ms: rounded(latency),
        baseline_latency_ms: rounded(baseLatency),
        trace: { latency_ms: ours.ms.map(round), evaluated_tokens: ours.evaluated },
    };
}

export async function keystrokeEnd(bench: Bench) {
    const { keys, baselineEvery } = bench.plan.keystrokeEnd;
    return withResources(async (keep) => {
        const { client } = await openClient(bench, "tiny");
        keep(client);
        const raw = keep(await openRaw(bench, "tiny"));
        const document = codeOfTokens(DOCUMENT_TOKENS, (t) => raw.tokenize(t).length);

        const warm = await client.complete({ prompt: { kind: "document", text: document, cursor: document.length }, maxTokens: KEYSTROKE_MAX_TOKENS });
        let anchor = warm.window?.anchor;
        const ours: Ours = { evaluated: [], ms: [], promptTokens: [] };
        const base: Baseline = { evaluated: [], ms: [] };
        const pairs: Pairs = { ours: [], base: [] };

        let key = 0;
        for (const { text, cursor } of typing(document, document.length, TYPED_CODE, keys)) {
            const t0 = performance.now();
            const result = await client.complete({ prompt: { kind: "document", text, cursor, previous: anchor }, maxTokens: KEYSTROKE_MAX_TOKENS });
            const ms = elapsed(t0);
            anchor = result.window?.anchor;
            ours.evaluated.push(result.stats.evaluatedTokens);
            ours.promptTokens.push(result.stats.promptTokens);
            ours.ms.push(ms);

            if (key++ % baselineEvery === 0) {
                const start = result.window?.start ?? 0;
                const t1 = performance.now();
                const run = await raw.run(raw.tokenize(text.slice(start, cursor)), { maxTokens: KEYSTROKE_MAX_TOKENS, reuse: false });
                const baseMs = elapsed(t1);
                base.evaluated.push(run.evaluatedTokens);
                base.ms.push(baseMs);
                pairs.ours.push(ms);
                pairs.base.push(baseMs);
            }
        }
        bench.progress(`keystroke_end: ${keys} keystrokes, fresh baseline on ${base.ms.length}`);
        return endReport(keys, ours, base, pairs);
    });
}
