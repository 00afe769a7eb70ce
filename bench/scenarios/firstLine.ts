// 15. From the keystroke to the first complete line of the suggestion, along the same typing trace as
// `waste` (bench/ghostTrace.ts), with the streaming stop and without it, in one run. Ghost text
// appears when the request returns, so "shown" is what the user waits for: for a single-line
// suggestion that is the first line; for a multi-line one, the whole suggestion. "streamed" is when
// the line break after the first line with text arrived from the engine: what a display that
// showed lines as they come could reach. Only keystrokes that asked the engine count (the typing
// cache answers the others in well under a millisecond, in both arms); the debounce is left out.
// Tokens to the first line are the hardware-independent part: at Solar's ~4 tokens/s on a laptop
// CPU each one is ~250 ms.

import { ghostTraces, type Arm, type Context, type KeystrokeRecord, type RequestRecord } from "../ghostTrace";
import type { Bench } from "../harness";
import { round, summarize } from "../stats";

type Shown = KeystrokeRecord & { readonly request: RequestRecord; readonly suggestion: string };

function shown(records: readonly KeystrokeRecord[], arm: Arm, context?: Context): Shown[] {
    return records.filter((r): r is Shown => r.arm === arm && r.request !== undefined && r.suggestion !== undefined && (context === undefined || r.context === context));
}

function figures(records: readonly KeystrokeRecord[], context?: Context) {
    const ours = shown(records, "stop", context);
    const base = shown(records, "baseline", context);
    const ms = summarize(ours.map((r) => r.ms));
    const baseMs = summarize(base.map((r) => r.ms));
    const streamed = summarize(ours.flatMap((r) => (r.request.firstLineStreamedMs === undefined ? [] : [r.request.firstLineStreamedMs])));
    const tokens = summarize(ours.map((r) => r.request.tokensToFirstLine));
    const generated = summarize(ours.map((r) => r.request.generatedTokens));
    const baseGenerated = summarize(base.map((r) => r.request.generatedTokens));
    return {
        suggestions: ours.length,
        baseline_suggestions: base.length,
        shown_ms_p50: round(ms.p50),
        shown_ms_p95: round(ms.p95),
        baseline_shown_ms_p50: round(baseMs.p50),
        baseline_shown_ms_p95: round(baseMs.p95),
        speedup_p50: round(baseMs.p50 / ms.p50),
        speedup_p95: round(baseMs.p95 / ms.p95),
        streamed_ms_p50: round(streamed.p50),
        streamed_ms_p95: round(streamed.p95),
        tokens_to_first_line_p50: round(tokens.p50),
        tokens_to_first_line_p95: round(tokens.p95),
        generated_tokens_p50: round(generated.p50),
        baseline_generated_tokens_p50: round(baseGenerated.p50),
    };
}

export async function firstLine(bench: Bench) {
    const records = await ghostTraces(bench);
    const all = figures(records);
    bench.progress(`first_line: shown p50 ${all.shown_ms_p50} ms, p95 ${all.shown_ms_p95} ms (baseline ${all.baseline_shown_ms_p50} / ${all.baseline_shown_ms_p95} ms)`);
    return {
        models: "copy models of a TypeScript, a Python and a Markdown file (one block: fast tokens, so prompt and transport weigh more than on Solar)",
        ...all,
        single_line: figures(records, "single_line"),
        multi_line: figures(records, "multi_line"),
    };
}
