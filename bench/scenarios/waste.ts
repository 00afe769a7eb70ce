// 14. Tokens generated but not shown, per suggestion, along the ghost-text typing trace
// (bench/ghostTrace.ts: TypeScript, Python and Markdown copy models, single-line and multi-line
// places), with the streaming stop and, in the same run, without it (the baseline arm: generate to
// the token limit, then post-process). A request's shown tokens are the leading generated tokens that
// the suggestion's lines needed, exact from the copy table; the rest is waste. Targets (issue 14):
// single-line at most 1 token at p95 (the line break that ends it); multi-line at most one line
// plus 2 (the break after the last shown line, the line a stop rule reads, its break), measured as
// waste minus the tokens of the model's line after the suggestion. Requests that showed nothing are
// counted apart: there every token is waste, whatever the stop does.

import { ghostTraces, type Arm, type Context, type KeystrokeRecord, type RequestRecord } from "../ghostTrace";
import type { Bench } from "../harness";
import { mean, round, rounded, summarize } from "../stats";

type WithRequest = KeystrokeRecord & { readonly request: RequestRecord };

function requests(records: readonly KeystrokeRecord[], arm: Arm, pick: (r: KeystrokeRecord) => boolean): WithRequest[] {
    return records.filter((r): r is WithRequest => r.arm === arm && r.request !== undefined && pick(r));
}

function armFigures(records: readonly WithRequest[]) {
    const shown = records.filter((r) => r.suggestion !== undefined);
    const empty = records.filter((r) => r.suggestion === undefined);
    const waste = shown.map((r) => r.request.generatedTokens - r.request.shownTokens);
    const excess = shown.map((r) => r.request.generatedTokens - r.request.shownTokens - r.request.nextLineTokens);
    return {
        requests: records.length,
        shown: shown.length,
        waste: summarize(waste),
        excess: summarize(excess),
        generated: summarize(records.map((r) => r.request.generatedTokens)),
        shownTokens: summarize(shown.map((r) => r.request.shownTokens)),
        nextLine: summarize(shown.map((r) => r.request.nextLineTokens)),
        empty: { requests: empty.length, generated_tokens_mean: round(mean(empty.map((r) => r.request.generatedTokens))) },
        stopReasons: countBy(records.map((r) => r.request.stopReason)),
    };
}

function countBy(values: readonly string[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
    return counts;
}

function contextFigures(records: readonly KeystrokeRecord[], context: Context, pick: (r: KeystrokeRecord) => boolean = () => true) {
    const inContext = (r: KeystrokeRecord) => r.context === context && pick(r);
    const ours = armFigures(requests(records, "stop", inContext));
    const base = armFigures(requests(records, "baseline", inContext));
    return {
        requests: ours.requests,
        baseline_requests: base.requests,
        shown_requests: ours.shown,
        baseline_shown_requests: base.shown,
        waste_p50: round(ours.waste.p50),
        waste_p95: round(ours.waste.p95),
        waste_max: ours.waste.max,
        baseline_waste_p50: round(base.waste.p50),
        baseline_waste_p95: round(base.waste.p95),
        // Multi-line: waste beyond the one line a stop rule has to read.
        excess_over_next_line_p95: round(ours.excess.p95),
        baseline_excess_over_next_line_p95: round(base.excess.p95),
        next_line_tokens_p50: round(ours.nextLine.p50),
        shown_tokens_p50: round(ours.shownTokens.p50),
        generated_tokens_mean: round(ours.generated.mean),
        baseline_generated_tokens_mean: round(base.generated.mean),
        waste_tokens: rounded(ours.waste),
        baseline_waste_tokens: rounded(base.waste),
        nothing_shown: ours.empty,
        baseline_nothing_shown: base.empty,
        stop_reasons: ours.stopReasons,
        baseline_stop_reasons: base.stopReasons,
    };
}

export async function waste(bench: Bench) {
    const records = await ghostTraces(bench);
    const ours = records.filter((r) => r.arm === "stop");
    const base = records.filter((r) => r.arm === "baseline");
    const withRequest = records.filter((r): r is WithRequest => r.request !== undefined);
    const total = (arm: Arm) => withRequest.filter((r) => r.arm === arm).reduce((sum, r) => sum + r.request.generatedTokens, 0);
    // Keystroke by keystroke (same order in both arms): did the user see the same ghost text?
    const same = ours.filter((r, i) => r.suggestion === base[i]?.suggestion).length;
    const single = contextFigures(records, "single_line");
    const multi = contextFigures(records, "multi_line");
    const languages = [...new Set(records.map((r) => r.languageId))];
    bench.progress(
        `waste: single-line p95 ${single.waste_p95} tokens (baseline ${single.baseline_waste_p95}), multi-line p95 ${multi.waste_p95} (baseline ${multi.baseline_waste_p95}, excess over the next line ${multi.excess_over_next_line_p95})`,
    );
    return {
        models: "copy models of a TypeScript, a Python and a Markdown file",
        keystrokes: ours.length,
        max_tokens: 64,
        single_line: single,
        multi_line: multi,
        by_place: {
            multiline_never: contextFigures(records, "single_line", (r) => r.place === "lines_multiline_never"),
            mid_line_explicit: contextFigures(records, "single_line", (r) => r.place === "mid_line_explicit"),
        },
        by_language: Object.fromEntries(
            languages.map((languageId) => {
                const of = (r: KeystrokeRecord) => r.languageId === languageId;
                const pick = (c: ReturnType<typeof contextFigures>) => ({ waste_p95: c.waste_p95, baseline_waste_p95: c.baseline_waste_p95, shown_requests: c.shown_requests, generated_tokens_mean: c.generated_tokens_mean, baseline_generated_tokens_mean: c.baseline_generated_tokens_mean });
                return [languageId, { single_line: pick(contextFigures(records, "single_line", of)), multi_line: pick(contextFigures(records, "multi_line", of)) }];
            }),
        ),
        trace: {
            requests: withRequest.filter((r) => r.arm === "stop").length,
            baseline_requests: withRequest.filter((r) => r.arm === "baseline").length,
            generated_tokens: total("stop"),
            baseline_generated_tokens: total("baseline"),
            generated_fraction_of_baseline: round(total("stop") / Math.max(1, total("baseline"))),
            // Below 1 only through the typing cache: a stopped generation keeps less text to type through.
            same_suggestion_fraction: round(same / Math.max(1, ours.length)),
            // The engine's text was the copy table's prediction: the token accounting is exact.
            predicted_fraction: round(withRequest.filter((r) => r.request.predicted).length / Math.max(1, withRequest.length)),
        },
    };
}
