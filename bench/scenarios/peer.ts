// peer: keystroke-to-suggestion latency side by side with llama-server, on the same model file, the
// same threads and the same typing trace, in the same run. The server (built from the llama.cpp source
// node-llama-cpp carries, as the remote tests build it) is driven the way the best-known peers drive it:
// - "vscode" (llama.vscode): the last 256 lines before the cursor as the prompt of /completion with
//   cache_prompt, the server started with --cache-reuse 256 (its README's command line), so a prompt
//   whose first lines changed still reuses the KV cache by shifting the chunks that match. Solar has
//   no fill-in-the-middle tokens (/infill answers 501), so the prefix is the whole prompt.
// - "continue" (Continue): the text before the cursor with whole lines pruned from the top until it
//   fits the token budget (its pruneLinesFromTop), on every request; cache_prompt, the server's default.
// Ours: the product's engine path, an engine process fed `document` prompts with the anchored window.
//
// The trace types in the middle of a 20,000-token file, far longer than the 4,096-token context: at a
// line end, Enter, then code lines with their own Enters; halfway it jumps to a line a quarter into the
// file and does the same. Every round starts fresh servers and a fresh engine: recent llama-servers
// keep earlier prompts' KV state in host memory, so replaying the trace against a warm server would
// measure its cache, not what a user meets. Each arm gets one request at the starting cursor first
// (opening a file is a cold start for anyone); then keystroke by keystroke, rotating the arms' order.
// Tokens evaluated: the server's own timings.prompt_n, our engine's stats.evaluatedTokens.

import type { LlamaModel } from "node-llama-cpp";
import type { WindowAnchor } from "../../src/backend/window";
import { promptBudget } from "../../src/backend/limits";
import type { WorkerClient } from "../../src/engine/workerClient";
import { startLlamaServer } from "../../test/fixtures/llamaServer";
import { codeOfTokens } from "../documents";
import { elapsed, KEYSTROKE_MAX_TOKENS, openClient, withResources, type Bench, type ModelKey } from "../harness";
import { mean, pairedRatios, median, round, rounded, summarize } from "../stats";
import { LONG_DOCUMENT_TOKENS } from "./keystrokeLong";

/** llama.vscode's default `n_prefix`: lines of context before the cursor. */
export const VSCODE_PREFIX_LINES = 256;
/** llama.vscode's README starts llama-server with this (the minimum chunk reused by KV shifting). */
const VSCODE_CACHE_REUSE = 256;

/** What the user types at each of the two places: Enter first, then short lines, each with its Enter. */
export const PEER_TYPED = "\n    const total = order.price * count;\n    if (total > limit) return limit;\n";

export interface PeerKeystroke {
    readonly text: string;
    readonly cursor: number;
    /** The first keystroke at the second place: every method starts that window afresh. */
    readonly afterJump: boolean;
}

/** The end of the line holding `offset` (the offset of its "\n", or the text's end). */
function lineEndAt(text: string, offset: number): number {
    const end = text.indexOf("\n", offset);
    return end < 0 ? text.length : end;
}

/**
 * `keys` keystrokes: half at the end of the line in the middle of the document, half at the end of
 * the line a quarter into it (before the first place, so its offset is unchanged by the first half).
 */
export function peerTrace(document: string, keys: number): { readonly start: number; readonly keystrokes: PeerKeystroke[] } {
    const start = lineEndAt(document, Math.floor(document.length / 2));
    const second = lineEndAt(document, Math.floor(document.length / 4));
    const keystrokes: PeerKeystroke[] = [];
    let text = document;
    const halves: [number, number][] = [[start, Math.ceil(keys / 2)], [second, Math.floor(keys / 2)]];
    for (const [at, count] of halves) {
        for (let i = 0; i < count; i++) {
            const cursor = at + i;
            text = text.slice(0, cursor) + PEER_TYPED[i % PEER_TYPED.length] + text.slice(cursor);
            keystrokes.push({ text, cursor: cursor + 1, afterJump: at === second && i === 0 });
        }
    }
    return { start, keystrokes };
}

/** llama.vscode's prefix: the `lines` whole lines before the cursor's line, and that line up to the cursor. */
export function vscodePrefix(text: string, cursor: number, lines = VSCODE_PREFIX_LINES): string {
    let start = text.lastIndexOf("\n", cursor - 1);
    for (let n = 0; n < lines && start > 0; n++) start = text.lastIndexOf("\n", start - 1);
    return text.slice(start + 1, cursor);
}

/**
 * Continue's prefix: whole lines cut from the top until the rest fits `budget` tokens. Like Continue,
 * it counts line by line (each line with its "\n" counted alone, which overcounts a little, so the
 * real prompt stays inside the budget); the counts are memoized, the bench's saving, not Continue's.
 */
export function continuePrefix(countLine: (line: string) => number, budget: number) {
    return (text: string, cursor: number): string => {
        const lineStart = text.lastIndexOf("\n", cursor - 1) + 1;
        let tokens = countLine(text.slice(lineStart, cursor));
        let start = lineStart;
        while (start > 0) {
            const previous = text.lastIndexOf("\n", start - 2) + 1;
            const lineTokens = countLine(text.slice(previous, start));
            if (tokens + lineTokens > budget) break;
            tokens += lineTokens;
            start = previous;
        }
        return text.slice(start, cursor);
    };
}

interface Outcome {
    readonly evaluated: number;
    readonly generated: number;
    readonly promptTokens: number;
    /** Client-side work before the request: cutting the prompt. */
    readonly buildMs: number;
    /** The model's own time as the engine or server reports it: prompt evaluation + generation. */
    readonly modelMs: number;
    /** Its prompt evaluation alone. */
    readonly promptMs: number;
}

interface Arm {
    readonly name: ArmName;
    run(text: string, cursor: number): Promise<Outcome>;
}

type ArmName = "ours" | "vscode" | "continue";
const ARMS: readonly ArmName[] = ["ours", "vscode", "continue"];

function oursArm(client: WorkerClient): Arm {
    let anchor: WindowAnchor | undefined;
    return {
        name: "ours",
        async run(text, cursor) {
            const result = await client.complete({ prompt: { kind: "document", text, cursor, previous: anchor }, maxTokens: KEYSTROKE_MAX_TOKENS });
            anchor = result.window?.anchor;
            const { evaluatedTokens, generatedTokens, promptTokens, promptMs, genMs } = result.stats;
            return { evaluated: evaluatedTokens, generated: generatedTokens, promptTokens, buildMs: 0, modelMs: promptMs + genMs, promptMs };
        },
    };
}

interface ServerAnswer {
    readonly tokens_evaluated?: number;
    readonly timings?: { readonly prompt_n?: number; readonly predicted_n?: number; readonly prompt_ms?: number; readonly predicted_ms?: number };
}

function serverArm(name: ArmName, url: string, cut: (text: string, cursor: number) => string): Arm {
    return {
        name,
        async run(text, cursor) {
            const t0 = performance.now();
            const prompt = cut(text, cursor);
            const buildMs = elapsed(t0);
            // Greedy, no stop strings, the same number of new tokens as ours.
            const body = { prompt, n_predict: KEYSTROKE_MAX_TOKENS, cache_prompt: true, temperature: 0, stream: false };
            const response = await fetch(`${url}/completion`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
            if (!response.ok) throw new Error(`llama-server (${name}) answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
            const answer = (await response.json()) as ServerAnswer;
            const evaluated = answer.timings?.prompt_n;
            if (typeof evaluated !== "number") throw new Error(`llama-server (${name}) sent no timings.prompt_n`);
            const promptMs = answer.timings?.prompt_ms ?? NaN;
            const modelMs = promptMs + (answer.timings?.predicted_ms ?? NaN);
            return { evaluated, generated: answer.timings?.predicted_n ?? 0, promptTokens: answer.tokens_evaluated ?? 0, buildMs, modelMs, promptMs };
        },
    };
}

interface Samples {
    readonly ms: number[];
    readonly evaluated: number[];
    readonly generated: number[];
    readonly promptTokens: number[];
    readonly buildMs: number[];
    /** Wall time minus the model's own time: requests, messages, tokenizing, sampling, prompt cutting. */
    readonly outsideMs: number[];
    readonly promptMs: number[];
}

const emptySamples = (): Samples => ({ ms: [], evaluated: [], generated: [], promptTokens: [], buildMs: [], outsideMs: [], promptMs: [] });

interface Setup {
    readonly document: string;
    readonly countLine: (line: string) => number;
}

/** One round: fresh servers, a fresh engine, the whole trace. */
async function runRound(bench: Bench, model: ModelKey, keys: number, setup: Setup, into: Record<ArmName, Samples>, jumps: number[]) {
    return withResources(async (keep) => {
        const { client, info } = await openClient(bench, model, "process");
        keep(client);
        const serverOptions = { model: bench.models[model], threads: bench.threads, contextSize: info.contextSize };
        const vscodeServer = keep(await startLlamaServer({ ...serverOptions, extraArgs: ["--cache-reuse", String(VSCODE_CACHE_REUSE)] }));
        const continueServer = keep(await startLlamaServer(serverOptions));
        // The server adds BOS to the prompt; the budget is ours, so both prompts hold the same context.
        const budget = promptBudget(info.contextSize, KEYSTROKE_MAX_TOKENS) - 1;
        const arms: Arm[] = [
            oursArm(client),
            serverArm("vscode", vscodeServer.url, (text, cursor) => vscodePrefix(text, cursor)),
            serverArm("continue", continueServer.url, continuePrefix(setup.countLine, budget)),
        ];
        const { start, keystrokes } = peerTrace(setup.document, keys);
        for (const arm of arms) await arm.run(setup.document, start);
        let key = 0;
        for (const step of keystrokes) {
            if (step.afterJump) jumps.push(into.ours.ms.length);
            const order = arms.map((_, i) => arms[(i + key) % arms.length]);
            key++;
            for (const arm of order) {
                const t0 = performance.now();
                const outcome = await arm.run(step.text, step.cursor);
                const samples = into[arm.name];
                const ms = elapsed(t0);
                samples.ms.push(ms);
                samples.outsideMs.push(ms - outcome.modelMs);
                samples.promptMs.push(outcome.promptMs);
                samples.evaluated.push(outcome.evaluated);
                samples.generated.push(outcome.generated);
                samples.promptTokens.push(outcome.promptTokens);
                samples.buildMs.push(outcome.buildMs);
            }
        }
    });
}

function describe(samples: Samples, keep: (i: number) => boolean) {
    const pick = (xs: number[]) => xs.filter((_, i) => keep(i));
    const latency = summarize(pick(samples.ms));
    const evaluated = summarize(pick(samples.evaluated));
    return {
        latency_ms_mean: round(latency.mean),
        latency_ms_p50: round(latency.p50),
        latency_ms_p95: round(latency.p95),
        latency_ms_max: round(latency.max),
        evaluated_tokens_mean: round(evaluated.mean),
        evaluated_tokens_p50: round(evaluated.p50),
        evaluated_tokens_p95: round(evaluated.p95),
        evaluated_tokens_max: evaluated.max,
        evaluated_tokens_total: pick(samples.evaluated).reduce((a, b) => a + b, 0),
    };
}

async function compare(bench: Bench, model: ModelKey, keys: number, rounds: number, setup: Setup) {
    const samples = { ours: emptySamples(), vscode: emptySamples(), continue: emptySamples() } satisfies Record<ArmName, Samples>;
    const jumps: number[] = [];
    for (let r = 0; r < rounds; r++) {
        await runRound(bench, model, keys, setup, samples, jumps);
        bench.progress(`peer (${model}): round ${r + 1}/${rounds}, ${keys} keystrokes, ours / llama.vscode-style / Continue-style`);
    }
    const typing = (i: number) => !jumps.includes(i);
    const summary = (s: Samples) => ({
        ...describe(s, () => true),
        typing_only: describe(s, typing),
        prompt_tokens_mean: round(mean(s.promptTokens)),
        generated_tokens_mean: round(mean(s.generated)),
        prompt_build_ms_p50: round(summarize(s.buildMs).p50),
        // What the latency holds beyond the model's own prompt and generation time (typing keystrokes).
        outside_model_ms_p50: round(summarize(s.outsideMs.filter((_, i) => typing(i))).p50),
        // Typing keystrokes whose prompt missed the cache (more tokens evaluated than a reused chunk holds).
        typing_reevaluations: s.evaluated.filter((n, i) => typing(i) && n > VSCODE_CACHE_REUSE).length,
        // Prompt speed where a window starts afresh (the keystrokes after the jump): batches and chunking.
        jump_prompt_tok_s: round(mean(jumps.map((i) => (s.evaluated[i] / s.promptMs[i]) * 1000))),
        jump_evaluated_tokens_mean: round(mean(jumps.map((i) => s.evaluated[i]))),
        latency_ms: rounded(summarize(s.ms)),
    });
    const arms = { ours: summary(samples.ours), vscode: summary(samples.vscode), continue: summary(samples.continue) };
    const best: ArmName = arms.vscode.latency_ms_mean <= arms.continue.latency_ms_mean ? "vscode" : "continue";
    const ratio = (peer: ArmName, field: "latency_ms_mean" | "latency_ms_p95") => round(arms.ours[field] / arms[peer][field]);
    return {
        model,
        rounds,
        keystrokes_per_round: keys,
        ours_over_best_peer_mean: ratio(best, "latency_ms_mean"),
        best_peer: best,
        ours_over_vscode_mean: ratio("vscode", "latency_ms_mean"),
        ours_over_continue_mean: ratio("continue", "latency_ms_mean"),
        ours_over_vscode_p95: ratio("vscode", "latency_ms_p95"),
        ours_over_continue_p95: ratio("continue", "latency_ms_p95"),
        ours_over_vscode_typing_mean: round(arms.ours.typing_only.latency_ms_mean / arms.vscode.typing_only.latency_ms_mean),
        paired_ours_over_vscode_p50: round(median(pairedRatios(samples.ours.ms, samples.vscode.ms))),
        paired_ours_over_continue_p50: round(median(pairedRatios(samples.ours.ms, samples.continue.ms))),
        ...arms,
        trace: Object.fromEntries(ARMS.map((name) => [`${name}_ms`, samples[name].ms.map(round)])),
        trace_evaluated: Object.fromEntries(ARMS.map((name) => [name, samples[name].evaluated])),
        jump_keystrokes: jumps,
    };
}

export async function peer(bench: Bench) {
    const runs = bench.plan.peer;
    // Every test model has the Llama-2 / Solar vocabulary: the tiny one counts tokens for all.
    const counter: LlamaModel = await bench.llama.loadModel({ modelPath: bench.models.tiny });
    try {
        const lineCounts = new Map<string, number>();
        const countLine = (line: string): number => {
            let n = lineCounts.get(line);
            if (n === undefined) lineCounts.set(line, (n = counter.tokenize(line).length));
            return n;
        };
        // keystroke_long's 20,000-token file, with another seed: other lines, the same density.
        const document = codeOfTokens(LONG_DOCUMENT_TOKENS, (text) => counter.tokenize(text).length + 1, 7);
        const results: Record<string, Awaited<ReturnType<typeof compare>>> = {};
        for (const run of runs) results[run.model] = await compare(bench, run.model, run.keys, run.rounds, { document, countLine });
        const first = results[runs[0].model];
        return {
            server: `llama-server (llama.cpp from node-llama-cpp's source bundle), 127.0.0.1, --parallel 1, --threads ${bench.threads}, a fresh one per round; llama.vscode-style with --cache-reuse ${VSCODE_CACHE_REUSE}`,
            max_tokens: KEYSTROKE_MAX_TOKENS,
            vscode_prefix_lines: VSCODE_PREFIX_LINES,
            // The headline: the first model of the plan (tiny); the others beside it.
            ours_over_best_peer_mean: first.ours_over_best_peer_mean,
            ...results,
        };
    } finally {
        await counter.dispose();
    }
}
