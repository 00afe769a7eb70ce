// Pure: a projection ON PAPER, not a measurement. Keystroke-to-ghost-text latency for Solar 10.7B
// Q4_K_M on hardware this run does not have (an RTX 3060-class GPU, an Apple M2), from the token
// counts this run measured (tokens evaluated per keystroke, tokens generated per suggestion) and
// llama.cpp speeds published for that hardware. Every published figure carries its source.
//
// The model of one keystroke: prompt time + generated tokens x time per generated token. A prompt of
// a few tokens costs about one forward pass over the weights (on a GPU, reading the weights is what a
// step costs, as for a generated token); a long one (a window moved) runs at the published
// prompt-processing speed. Solar's speed is interpolated between the published smaller and larger
// models by parameter count (time per token linear in parameters), or scaled from one published model
// where only one is published. Host-side costs (window, IPC, post-processing: a few ms on this CPU) and
// speculative drafting (on by default on GPUs) are left out.

import { DEFAULTS } from "../src/config";
import { formatNumber, lookup, renderMarkdownTable, type BenchResults } from "./report";

/** Solar 10.7B's parameter count (billions). */
export const SOLAR_PARAMS_B = 10.73;

export interface PublishedSpeed {
    readonly model: string;
    /** Billions of parameters. */
    readonly paramsB: number;
    /** Text generation, tokens/s (llama-bench tg128 or the source's equivalent). */
    readonly tgTokS?: number;
    /** Prompt processing, tokens/s (llama-bench pp512). */
    readonly ppTokS?: number;
    readonly source: string;
    readonly url: string;
}

export interface Hardware {
    readonly name: string;
    readonly note: string;
    readonly speeds: readonly PublishedSpeed[];
}

export const HARDWARE: readonly Hardware[] = [
    {
        name: "RTX 3060 12 GB (CUDA)",
        note: "360 GB/s; Solar Q4_K_M (6.5 GB) fits in its 12 GB with a 4,096-token KV cache (0.8 GB)",
        speeds: [
            {
                model: "Llama 2 7B Q4_0",
                paramsB: 6.74,
                tgTokS: 75.58,
                source: "llama.cpp's CUDA scoreboard, a user's RTX 3060 run (tg128, flash attention on, idle desktop; 67.27 with a busy desktop)",
                url: "https://github.com/ggml-org/llama.cpp/discussions/15013",
            },
            {
                model: "DeepSeek-R1-Distill-Qwen-14B Q4_K_M",
                paramsB: 14.77,
                tgTokS: 29.77,
                source: "Jeff Geerling's ai-benchmarks, llama.cpp on an RTX 3060 12 GB in an Intel 265K PC",
                url: "https://github.com/geerlingguy/ai-benchmarks/issues/40",
            },
        ],
    },
    {
        name: "Apple M2, 10-core GPU (Metal)",
        note: "100 GB/s unified memory; needs a 16 GB M2 (an 8 GB one cannot hold Solar Q4_K_M's 6.5 GB on the GPU)",
        speeds: [
            {
                model: "Llama 2 7B Q4_0",
                paramsB: 6.74,
                tgTokS: 21.91,
                ppTokS: 179.57,
                source: "llama.cpp's Apple Silicon benchmark, summary table (build 8e672ef, Nov 2023; newer builds are faster)",
                url: "https://github.com/ggml-org/llama.cpp/discussions/4167",
            },
        ],
    },
];

/** Seconds per token for Solar from the published rates: interpolated by parameters, or scaled from one model. */
export function solarSecondsPerToken(speeds: readonly PublishedSpeed[], rate: "tgTokS" | "ppTokS"): number | undefined {
    const points = speeds.filter((s) => s[rate] !== undefined).map((s) => ({ p: s.paramsB, t: 1 / (s[rate] as number) }));
    if (points.length === 0) return undefined;
    if (points.length === 1) return (points[0].t * SOLAR_PARAMS_B) / points[0].p;
    const [a, b] = [...points].sort((x, y) => x.p - y.p);
    return a.t + ((SOLAR_PARAMS_B - a.p) / (b.p - a.p)) * (b.t - a.t);
}

/** One keystroke's projected latency (ms), or undefined when a long prompt needs a speed nobody published. */
export function projectKeystrokeMs(evaluated: number, generated: number, speeds: readonly PublishedSpeed[]): number | undefined {
    const step = solarSecondsPerToken(speeds, "tgTokS");
    if (step === undefined) return undefined;
    const promptRate = solarSecondsPerToken(speeds, "ppTokS");
    // A short prompt is one pass over the weights; past what one pass covers, the prompt speed rules.
    const prompt = promptRate === undefined ? (evaluated <= SHORT_PROMPT_TOKENS ? step : undefined) : Math.max(step, evaluated * promptRate);
    return prompt === undefined ? undefined : (prompt + generated * step) * 1000;
}

/** Up to this many prompt tokens are taken to cost one forward pass when no prompt speed is published. */
const SHORT_PROMPT_TOKENS = 16;

interface Case {
    readonly label: string;
    /** Dotted paths into the results, the first one present wins. */
    readonly evaluated: readonly string[];
}

const CASES: readonly Case[] = [
    { label: "typing, median keystroke (ours)", evaluated: ["peer.tiny.ours.typing_only.evaluated_tokens_p50", "keystroke_long.evaluated_tokens.p50", "keystroke_end.evaluated_tokens_p50"] },
    { label: "typing, p95 keystroke (ours)", evaluated: ["peer.tiny.ours.typing_only.evaluated_tokens_p95", "keystroke_long.evaluated_tokens.p95", "keystroke_end.evaluated_tokens_p95"] },
    { label: "window moved: the keystroke after a jump (ours)", evaluated: ["peer.tiny.ours.jump_evaluated_tokens_mean"] },
    { label: "the same jump, llama.vscode-style llama-server", evaluated: ["peer.tiny.vscode.jump_evaluated_tokens_mean"] },
    { label: "a typing keystroke that missed the cache, llama.vscode-style", evaluated: ["peer.tiny.vscode.typing_only.evaluated_tokens_max"] },
    { label: "a typing keystroke whose cut moved, Continue-style", evaluated: ["peer.tiny.continue.typing_only.evaluated_tokens_max"] },
];

interface Generated {
    readonly label: string;
    readonly paths: readonly string[];
    readonly fallback?: number;
    /** Shown only when no measured figure (waste) was found. */
    readonly unlessMeasured?: boolean;
}

/** Tokens generated per suggestion: measured by the waste scenario where it ran, else the request limits. */
const GENERATED: readonly Generated[] = [
    { label: "single-line suggestion, streaming stop (waste, mean)", paths: ["waste.single_line.generated_tokens_mean"] },
    { label: "multi-line suggestion, streaming stop (waste, mean)", paths: ["waste.multi_line.generated_tokens_mean"] },
    { label: "without the streaming stop (waste baseline, multi-line mean)", paths: ["waste.multi_line.baseline_generated_tokens_mean"] },
    { label: "the bench's keystroke requests", paths: ["peer.max_tokens", "keystroke_end.max_tokens"], unlessMeasured: true },
    { label: "ghost text's limit, all generated", paths: [], fallback: DEFAULTS.maxTokens, unlessMeasured: true },
];

function firstNumber(results: BenchResults, paths: readonly string[]): { value: number; path: string } | undefined {
    for (const path of paths) {
        const [scenario, ...rest] = path.split(".");
        const value = lookup(results.scenarios, scenario, rest.join("."));
        if (typeof value === "number" && Number.isFinite(value)) return { value, path };
    }
    return undefined;
}

function ms(value: number | undefined): string {
    if (value === undefined) return "n/a";
    return value >= 1000 ? `${formatNumber(value / 1000)} s` : `${formatNumber(Math.round(value))} ms`;
}

/** The REPORT.md section: one projection table per machine, how it was made, and its sources. */
export function projectionSection(results: BenchResults): string[] {
    const cases = CASES.map((c) => ({ ...c, found: firstNumber(results, c.evaluated) })).filter((c) => c.found !== undefined);
    const found = GENERATED.map((g) => ({ ...g, found: firstNumber(results, g.paths) ?? (g.fallback === undefined ? undefined : { value: g.fallback, path: "src/config.ts DEFAULTS.maxTokens" }) }));
    const measured = found.some((g) => g.found && !g.unlessMeasured);
    const generated = found.filter((g) => g.found !== undefined && !(measured && g.unlessMeasured));
    if (cases.length === 0 || generated.length === 0) return [];
    const headers = ["keystroke", "tokens evaluated", ...generated.map((g) => `${formatNumber(g.found?.value)} generated: ${g.label}`)];
    const tables = HARDWARE.flatMap((h) => [
        `### ${h.name}`,
        "",
        renderMarkdownTable(
            cases.map((c) => {
                const evaluated = c.found?.value ?? 0;
                return [c.label, formatNumber(evaluated), ...generated.map((g) => ms(projectKeystrokeMs(evaluated, g.found?.value ?? 0, h.speeds)))];
            }),
            headers,
        ),
        "",
    ]);
    const rates = HARDWARE.map((h) => {
        const tg = solarSecondsPerToken(h.speeds, "tgTokS");
        const pp = solarSecondsPerToken(h.speeds, "ppTokS");
        const how = h.speeds.length > 1 ? `interpolated by parameter count between ${h.speeds.map((s) => `${s.model} (${s.paramsB}B)`).join(" and ")}` : `scaled by parameter count from ${h.speeds[0].model} (${h.speeds[0].paramsB}B): no larger model is in the source's table`;
        return `- ${h.name}: Solar (${SOLAR_PARAMS_B}B) at ${tg ? formatNumber(1 / tg) : "-"} tok/s generated${pp ? `, ${formatNumber(1 / pp)} tok/s prompt` : ", prompt speed not published for this card in the sources found, so long prompts are n/a"}, ${how}. ${h.note}.`;
    });
    const sources = HARDWARE.flatMap((h) => h.speeds.map((s) => `- ${h.name}, ${s.model}: ${s.tgTokS ? `${formatNumber(s.tgTokS)} tok/s generated` : ""}${s.ppTokS ? `, ${formatNumber(s.ppTokS)} tok/s prompt (pp512)` : ""}. ${s.source}. <${s.url}>`));
    const from = [...cases.map((c) => `${c.label}: ${c.found?.path}`), ...generated.map((g) => `${g.label}: ${g.found?.path}`)];
    return [
        "## GPU projection (on paper, not measured)",
        "",
        "**A projection, not a measurement.** Keystroke-to-ghost-text latency for Solar 10.7B Q4_K_M, from the token counts this run measured and llama.cpp speeds published for each machine. Model: prompt time (a few tokens cost one forward pass, like one generated token; a long prompt runs at the published prompt speed) + tokens generated x time per token. Solar sits between the published 7B and 14B models: its speed is interpolated by parameter count (time per token linear in parameters), which ignores the quantization differences (Q4_0 vs Q4_K_M) and vocabulary sizes between the published models. Host-side costs (a few ms) and speculative drafting are left out.",
        "",
        ...tables,
        "Solar's speeds used:",
        "",
        ...rates,
        "",
        "Token counts taken from this run's results:",
        "",
        ...from.map((f) => `- ${f}`),
        "",
        "Published speeds (sources):",
        "",
        ...sources,
        "",
    ];
}
