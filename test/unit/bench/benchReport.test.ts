// The benchmark's pure parts: statistics, target checks, the printed table, REPORT.md and the SVG plot.
// No model needed: results objects are made up here.

import * as assert from "node:assert/strict";
import { codeOfTokens, minifiedOfLength, typing } from "../../../bench/documents";
import { flattenForDisplay, renderReport } from "../../../bench/markdown";
import { logTicks, niceAbove, niceBelow, niceStep, renderLatencyPlot } from "../../../bench/plot";
import { checkTargets, formatNumber, lookup, renderTextTable, tableRows, TARGETS, type BenchResults } from "../../../bench/report";
import { mean, median, pairedRatios, quantile, round, sharedPrefixLength, spreadDelays, summarize } from "../../../bench/stats";

function results(scenarios: BenchResults["scenarios"]): BenchResults {
    return {
        date: "2026-11-22T09:00:00.000Z",
        mode: "quick",
        duration_s: 95,
        machine: { cpu_model: "Test CPU", cpu_count: 2, ram_gb: 24, platform: "linux", node: "v20", node_llama_cpp: "3.22.1", backend: "CPU, 1 thread", threads: 1 },
        scenarios,
        targets: checkTargets(scenarios),
    };
}

describe("bench statistics", () => {
    it("interpolates quantiles like numpy's default and ignores non-finite values", () => {
        assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
        assert.equal(quantile([10, 1, 5], 0), 1);
        assert.equal(quantile([10, 1, 5], 1), 10);
        assert.ok(Math.abs(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21], 0.95) - 20) < 1e-9);
        assert.equal(median([3, NaN, 1, Infinity, 2]), 2);
        assert.ok(Number.isNaN(median([])));
        assert.equal(mean([1, 2, 3, NaN]), 2);
    });

    it("summarizes repetitions", () => {
        const s = summarize([4, 1, 3, 2]);
        assert.deepEqual({ ...s, p95: round(s.p95) }, { n: 4, mean: 2.5, p50: 2.5, p95: 3.85, min: 1, max: 4 });
        const empty = summarize([]);
        assert.equal(empty.n, 0);
        assert.ok(Number.isNaN(empty.p95));
    });

    it("pairs ratios only where both sides were measured", () => {
        assert.deepEqual(pairedRatios([10, 20, 30, 40], [5, 0, NaN, 8]), [2, 5]);
        assert.deepEqual(pairedRatios([1, 2], [1]), [1]);
    });

    it("counts the shared token prefix a cache can reuse", () => {
        assert.equal(sharedPrefixLength([1, 2, 3, 4], [1, 2, 9, 4]), 2);
        assert.equal(sharedPrefixLength([1, 2], [1, 2, 3]), 2);
        assert.equal(sharedPrefixLength([], [1]), 0);
    });

    it("rounds to 3 significant digits below 100 and to integers above", () => {
        assert.equal(round(0.000391234), 0.000391);
        assert.equal(round(37.2456), 37.2);
        assert.equal(round(1234.5), 1235);
        assert.ok(Number.isNaN(round(NaN)));
    });

    it("spreads abort delays over the range in an order that does not drift", () => {
        const delays = spreadDelays(5, 0, 100);
        assert.deepEqual(delays, [0, 100, 25, 75, 50]);
        assert.deepEqual([...spreadDelays(30, 60, 400)].sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => 60 + (340 * i) / 29));
    });
});

describe("bench targets and table", () => {
    const scenarios = {
        keystroke_end: { evaluated_tokens_p95: 2, baseline_evaluated_tokens_p95: 3585, latency_ms_p50: 37.2, baseline_latency_ms_p50: 495, speedup: 14 },
        overhead: { ratio_p50: 1.17, latency_ms_p50: 36.4, raw_latency_ms_p50: 31.5 },
        window_build: { "10MB_ms": 2.4, "10MB": { whole_prefix_tokenize_ms: 5453, speedup_vs_whole_tokenize: 2138 } },
        generation: { gen_tok_s: 182, bound_tok_s: 421, fraction_of_bound: 0.431 },
    };

    it("checks each target and marks missing figures as not measured", () => {
        const checks = checkTargets(scenarios);
        assert.equal(checks.length, TARGETS.length);
        const byMetric = (m: string) => checks.find((c) => c.metric === m);
        assert.equal(byMetric("evaluated_tokens_p95")?.met, true);
        assert.equal(byMetric("ratio_p50")?.met, false);
        assert.equal(byMetric("10MB_ms")?.met, true);
        assert.equal(byMetric("fraction_of_bound")?.met, false);
        assert.equal(byMetric("p99_ms")?.met, null);
        assert.equal(byMetric("p99_ms")?.value, null);
    });

    it("reads nested figures by dotted path", () => {
        assert.equal(lookup(scenarios, "window_build", "10MB.whole_prefix_tokenize_ms"), 5453);
        assert.equal(lookup(scenarios, "window_build", "10MB.missing.deeper"), undefined);
        assert.equal(lookup(scenarios, "nope", "x"), undefined);
    });

    it("prints one row per figure of the scenarios that ran, with the verdict", () => {
        const rows = tableRows(results(scenarios));
        assert.ok(rows.every((r) => ["keystroke_end", "overhead", "window_build", "generation"].includes(r[0])));
        const overhead = rows.find((r) => r[0] === "overhead" && r[1].includes("tiny"));
        assert.deepEqual(overhead?.slice(2), ["36.4", "raw node-llama-cpp", "31.5", "1.17", "<= 1.1", "NO"]);
        const text = renderTextTable(rows);
        const lines = text.split("\n");
        assert.equal(lines.length, rows.length + 2);
        assert.ok(lines[0].startsWith("scenario"));
        assert.equal(lines[2].indexOf("evaluated"), lines[0].indexOf("figure"));
    });

    it("formats numbers for people", () => {
        assert.equal(formatNumber(3585), "3,585");
        assert.equal(formatNumber(0.000391), "0.000391");
        assert.equal(formatNumber(null), "-");
        assert.equal(formatNumber(NaN), "-");
        assert.equal(formatNumber(12), "12");
    });
});

describe("bench REPORT.md and plot", () => {
    it("writes the date, machine, table, target verdicts and every scenario, traces summarized", () => {
        const r = results({
            keystroke_long: { evaluated_fraction_mean: 0.0004, naive_evaluated_fraction_mean: 0.4, trace: { anchored_ms: Array(30).fill(30), naive_ms: Array(30).fill(900) } },
        });
        const md = renderReport(r, "keystroke-latency.svg");
        assert.ok(md.includes("2026-11-22T09:00:00.000Z"));
        assert.ok(md.includes("Test CPU x 2"));
        assert.ok(md.includes("| keystroke_long | evaluated fraction mean | 0.0004 | naive sliding window | 0.4 |  | <= 0.05 | yes |"));
        assert.ok(md.includes("keystroke_long.evaluated_fraction_mean = 0.0004 (target <= 0.05): met"));
        assert.ok(md.includes("cancel.prompt_p95_ms = - (target <= 50): not measured"));
        assert.ok(md.includes("![Latency per keystroke"));
        assert.ok(md.includes("| trace.anchored_ms | (30 values in results.json) |"));
    });

    it("flattens nested results for display", () => {
        assert.deepEqual(flattenForDisplay({ a: 1.23456, b: { c: "x", d: [1, 2] }, e: null }), [
            ["a", "1.23"],
            ["b.c", "x"],
            ["b.d", "1, 2"],
            ["e", "-"],
        ]);
    });

    it("draws an SVG with one line per series, gaps for missing points, on a log scale", () => {
        const svg = renderLatencyPlot({
            title: "Latency <per> keystroke",
            xLabel: "keystroke",
            yLabel: "ms",
            series: [
                { label: "anchored", color: "#1f77b4", values: [30, 28, 35, 31] },
                { label: "naive", color: "#d62728", values: [900, null, 1200, NaN] },
            ],
            markers: [2],
            markerLabel: "window moved",
        });
        assert.ok(svg.startsWith("<svg") && svg.trimEnd().endsWith("</svg>"));
        assert.ok(svg.includes("Latency &lt;per&gt; keystroke"));
        assert.equal((svg.match(/<polyline/g) ?? []).length, 1);
        assert.equal((svg.match(/<circle/g) ?? []).length, 2);
        assert.ok(svg.includes("stroke-dasharray"));
        assert.ok(svg.includes(">window moved<"));
        assert.ok(!svg.includes("NaN"));
    });

    it("picks readable axis ticks", () => {
        assert.deepEqual(logTicks(10, 1000), [10, 20, 50, 100, 200, 500, 1000]);
        assert.equal(niceStep(8), 1);
        assert.equal(niceStep(30), 5);
        assert.equal(niceStep(200), 20);
        assert.deepEqual([niceBelow(23), niceBelow(0.7), niceAbove(2350), niceAbove(1000)], [20, 0.5, 5000, 1000]);
    });
});

describe("bench documents", () => {
    const fakeCount = (text: string) => 1 + Math.ceil(text.length / 4);

    it("makes code of at least the asked token count, and not much more", () => {
        const doc = codeOfTokens(3500, fakeCount);
        assert.ok(fakeCount(doc) >= 3500);
        assert.ok(fakeCount(doc) < 3500 * 1.05, `${fakeCount(doc)}`);
        assert.equal(doc, codeOfTokens(3500, fakeCount), "deterministic");
    });

    it("makes a minified document with no line break", () => {
        const line = minifiedOfLength(50_000);
        assert.ok(line.length >= 50_000 && !line.includes("\n"));
    });

    it("types one character per keystroke at the cursor, cycling through the text", () => {
        const steps = [...typing("ab|cd".replace("|", ""), 2, "xy", 3)];
        assert.deepEqual(steps, [
            { text: "abxcd", cursor: 3 },
            { text: "abxycd", cursor: 4 },
            { text: "abxyxcd", cursor: 5 },
        ]);
    });
});

describe("bench notes on targets not met", () => {
    it("explains only the targets not met, with the run's own figures", () => {
        const r = results({
            overhead: { ratio_p50: 1.17, raw_latency_ms_p50: 31.5, tokenize_ms_p50: 2.6, medium: { ratio_p50: 1.03 } },
            keystroke_end: { evaluated_tokens_p95: 2 },
        });
        const md = renderReport(r, undefined);
        assert.ok(md.includes("### Targets not met"));
        assert.ok(md.includes("**overhead.ratio_p50** = 1.17 (target <= 1.1)."));
        assert.ok(md.includes("takes 2.6 ms") && md.includes("the ratio is 1.03"));
        assert.ok(!md.includes("**keystroke_end"));
        assert.ok(!md.includes("Latency per keystroke"));
    });
});
