// 3. What our engine costs on top of llama.cpp: the same keystroke prompts through the product's RPC
// path (the engine in a child process: window building, chunked prompt, streaming detokenizer, IPC
// messages) and through raw node-llama-cpp in this process (tokenize, reuse the cached prefix, greedy
// generation) - same prompt tokens, same reuse, same max tokens. A third arm calls LlamaEngine in this
// thread, to split the engine's cost from the RPC's; a fourth runs the engine in a worker thread
// (solarComplete.engineHost "thread"), to price the process hop. Alternating keystroke by keystroke,
// rotating which goes first.

import { codeOfTokens, TYPED_CODE, typing } from "../documents";
import type { CompletionRequest, CompletionResult } from "../../src/backend/types";
import type { WindowAnchor } from "../../src/backend/window";
import type { EngineCounters } from "../../src/engine/protocol";
import { elapsed, KEYSTROKE_MAX_TOKENS, openClient, openEngine, openRaw, withResources, type Bench, type ModelKey } from "../harness";
import type { RawEngine } from "../rawEngine";
import { median, pairedRatios, quantile, round, summarize } from "../stats";
import { DOCUMENT_TOKENS } from "./keystrokeEnd";

interface Comparison {
    readonly model: ModelKey;
    readonly keystrokes: number;
    readonly ratio_p50: number;
    readonly ratio_p95: number;
    readonly latency_ms_p50: number;
    readonly raw_latency_ms_p50: number;
    /** LlamaEngine called directly in this thread: the engine's own cost, without the RPC. */
    readonly engine_in_process_ratio_p50: number;
    /** Engine process minus in-process engine, per keystroke: what the RPC and the process hop cost. */
    readonly rpc_ms_p50: number;
    /** The engine in a worker thread instead of a process, against raw. */
    readonly thread_ratio_p50: number;
    /** Process minus thread, per keystroke: what isolating native crashes costs in latency. */
    readonly process_hop_ms_p50: number;
    /** Resident memory of the engine process after the run (it holds the model and the KV cache). */
    readonly engine_process_rss_mb: number;
    readonly engine_process_anon_mb?: number;
    /** Tokenizing the prompt once, inside the raw figure: ours tokenizes it twice (window count + prompt). */
    readonly tokenize_ms_p50: number;
    /** Greedy on random weights: near-tied logits can flip with batch splits, so texts may differ. */
    readonly same_text_fraction: number;
    readonly same_token_count_fraction: number;
}

type Output = { text: string; tokens: number };
type Arm = () => Promise<Output>;

/** What the three arms of ours share: the worker client (process or thread) and LlamaEngine. */
interface Completer {
    complete(request: CompletionRequest): Promise<CompletionResult>;
}

/** Wall time per keystroke, one list per arm; `tokenize` is the part of `raw` spent tokenizing. */
interface Timings {
    readonly worker: number[];
    readonly thread: number[];
    readonly engine: number[];
    readonly raw: number[];
    readonly tokenize: number[];
}

interface Trace {
    readonly ms: Timings;
    /** Keystrokes where the engine process and raw gave the same text, and the same token count. */
    readonly sameText: number;
    readonly sameCount: number;
}

const request = (text: string, cursor: number, previous?: WindowAnchor): CompletionRequest => ({
    prompt: { kind: "document", text, cursor, previous },
    maxTokens: KEYSTROKE_MAX_TOKENS,
});

/** One of our arms: it keeps its own window anchor from keystroke to keystroke, as the product does. */
class Anchored {
    private anchor: WindowAnchor | undefined;

    constructor(private readonly backend: Completer) {}

    get start(): number {
        return this.anchor?.start ?? 0;
    }

    async warm(document: string): Promise<void> {
        this.anchor = (await this.backend.complete(request(document, document.length))).window?.anchor;
    }

    async complete(text: string, cursor: number): Promise<Output> {
        const result = await this.backend.complete(request(text, cursor, this.anchor));
        this.anchor = result.window?.anchor;
        return { text: result.text, tokens: result.stats.generatedTokens };
    }
}

/** Wraps an arm so that each call's wall time lands in `into`. */
function timed(into: number[], arm: Arm): Arm {
    return async () => {
        const t0 = performance.now();
        const out = await arm();
        into.push(elapsed(t0));
        return out;
    };
}

/** The raw arm: tokenize the same window (timed on its own too), reuse the cached prefix, greedy. */
async function rawComplete(raw: RawEngine, text: string, start: number, cursor: number, tokenizeMs: number[]): Promise<Output> {
    const t0 = performance.now();
    const tokens = raw.tokenize(text.slice(start, cursor));
    tokenizeMs.push(elapsed(t0));
    const run = await raw.run(tokens, { maxTokens: KEYSTROKE_MAX_TOKENS, reuse: true });
    return { text: raw.detokenize(run.generated, tokens.slice(-8)), tokens: run.generated.length };
}

/** Types `keys` keystrokes through all four arms, each keystroke in a rotated order. */
async function runTrace(ours: { worker: Anchored; thread: Anchored; engine: Anchored }, raw: RawEngine, document: string, keys: number): Promise<Trace> {
    const ms: Timings = { worker: [], thread: [], engine: [], raw: [], tokenize: [] };
    let sameText = 0;
    let sameCount = 0;
    let key = 0;
    for (const { text, cursor } of typing(document, document.length, TYPED_CODE, keys)) {
        // Same prompt: the window starts where ours is anchored (it does not move in this trace).
        const start = ours.worker.start;
        const worker = timed(ms.worker, () => ours.worker.complete(text, cursor));
        const inThread = timed(ms.thread, () => ours.thread.complete(text, cursor));
        const inProcess = timed(ms.engine, () => ours.engine.complete(text, cursor));
        const direct = timed(ms.raw, () => rawComplete(raw, text, start, cursor, ms.tokenize));
        // Rotate the order so no arm always runs first (or right after another one).
        const arms = [worker, inThread, inProcess, direct];
        const order = arms.map((_, i) => arms[(i + key) % arms.length]);
        key++;
        const outputs = new Map<Arm, Output>();
        for (const arm of order) outputs.set(arm, await arm());
        const [a, b] = [outputs.get(worker), outputs.get(direct)];
        if (a?.text === b?.text) sameText++;
        if (a?.tokens === b?.tokens) sameCount++;
    }
    return { ms, sameText, sameCount };
}

/** The figures the report keeps, from the trace and the engine process's memory after it. */
function comparison(model: ModelKey, keys: number, { ms, sameText, sameCount }: Trace, memory: EngineCounters["memory"]): Comparison {
    const ratios = pairedRatios(ms.worker, ms.raw);
    const mb = (bytes: number) => round(bytes / 1e6);
    return {
        model,
        keystrokes: keys,
        ratio_p50: round(median(ratios)),
        ratio_p95: round(quantile(ratios, 0.95)),
        latency_ms_p50: round(summarize(ms.worker).p50),
        raw_latency_ms_p50: round(summarize(ms.raw).p50),
        engine_in_process_ratio_p50: round(median(pairedRatios(ms.engine, ms.raw))),
        rpc_ms_p50: round(median(ms.worker.map((w, i) => w - ms.engine[i]))),
        thread_ratio_p50: round(median(pairedRatios(ms.thread, ms.raw))),
        process_hop_ms_p50: round(median(ms.worker.map((w, i) => w - ms.thread[i]))),
        engine_process_rss_mb: mb(memory.rss),
        ...(memory.anon !== undefined ? { engine_process_anon_mb: mb(memory.anon) } : {}),
        tokenize_ms_p50: round(median(ms.tokenize)),
        same_text_fraction: round(sameText / keys),
        same_token_count_fraction: round(sameCount / keys),
    };
}

async function compare(bench: Bench, model: ModelKey, keys: number): Promise<Comparison> {
    return withResources(async (keep) => {
        const { client } = await openClient(bench, model, "process");
        keep(client);
        const { client: thread } = await openClient(bench, model, "worker");
        keep(thread);
        const engine = keep(await openEngine(bench, model));
        const raw = keep(await openRaw(bench, model));
        const document = codeOfTokens(DOCUMENT_TOKENS, (t) => raw.tokenize(t).length, 5);
        const ours = { worker: new Anchored(client), thread: new Anchored(thread), engine: new Anchored(engine) };
        for (const arm of [ours.worker, ours.thread, ours.engine]) await arm.warm(document);
        await raw.run(raw.tokenize(document), { maxTokens: KEYSTROKE_MAX_TOKENS, reuse: true });

        const trace = await runTrace(ours, raw, document, keys);
        const { memory } = await client.counters();
        bench.progress(`overhead (${model}): ${keys} keystrokes, ours/raw p50 ${median(pairedRatios(trace.ms.worker, trace.ms.raw)).toFixed(3)}`);
        return comparison(model, keys, trace, memory);
    });
}

export async function overhead(bench: Bench) {
    const { keys, mediumKeys } = bench.plan.overhead;
    const tiny = await compare(bench, "tiny", keys);
    const medium = mediumKeys > 0 ? await compare(bench, "medium", mediumKeys) : undefined;
    return { ...tiny, medium };
}
