// 5. From abort() on the host to the engine being idle again (the aborted call settled, so the queue
// is free for the next keystroke), through the worker, on the tiny model:
// - during a prompt: a 3,000-token prompt the cache cannot help with, aborted 40-300 ms in;
// - during generation: a long generation, aborted 20-200 ms after the first streamed text.
// Aborts that land outside the intended phase are counted and left out.

import type { CompletionResult } from "../../src/backend/types";
import { codeOfTokens } from "../documents";
import { elapsed, openClient, openRaw, sleep, withResources, type Bench, type OpenClient } from "../harness";
import { round, rounded, spreadDelays, summarize } from "../stats";

const PROMPT_TOKENS = 3000;
const GENERATION_MAX_TOKENS = 1000;

type Client = OpenClient["client"];

/** Settle times of the aborts that landed in the intended phase, and how many landed outside it. */
interface Aborts {
    readonly settleMs: number[];
    readonly missed: number;
}

/** Aborts the call and times how long it takes to settle: what the next keystroke would wait for. */
async function abortAndSettle(controller: AbortController, pending: Promise<CompletionResult>): Promise<{ result: CompletionResult; settleMs: number }> {
    const abortedAt = performance.now();
    controller.abort();
    const result = await pending;
    return { result, settleMs: elapsed(abortedAt) };
}

/** Aborts during the prompt; also keeps the longest prompt chunk of each, since a cancel waits for it. */
async function abortDuringPrompt(client: Client, document: string, reps: number): Promise<Aborts & { chunkMs: number[] }> {
    const settleMs: number[] = [];
    const chunkMs: number[] = [];
    let missed = 0;
    for (const [rep, delay] of spreadDelays(reps, 40, 300).entries()) {
        // A different first line each time: the cached prefix ends after a token or two.
        const text = `// run ${rep}\n${document}`;
        const controller = new AbortController();
        const pending = client.complete({ prompt: { kind: "text", text }, maxTokens: 1 }, { signal: controller.signal });
        await Promise.race([sleep(delay), pending]);
        const { result, settleMs: ms } = await abortAndSettle(controller, pending);
        const midPrompt = result.stats.stopReason === "abort" && result.stats.evaluatedTokens < result.stats.promptTokens;
        if (midPrompt) {
            settleMs.push(ms);
            chunkMs.push(result.stats.maxChunkMs);
        }
        else missed++;
    }
    return { settleMs, chunkMs, missed };
}

/** Aborts during generation, each `delay` after the first streamed text. */
async function abortDuringGeneration(client: Client, reps: number): Promise<Aborts> {
    const settleMs: number[] = [];
    let missed = 0;
    const start = "export function render(items: readonly Item[]): string {\n";
    for (const delay of spreadDelays(reps, 20, 200)) {
        const controller = new AbortController();
        let firstText: () => void = () => undefined;
        const streaming = new Promise<void>((resolve) => (firstText = resolve));
        const pending = client.complete(
            { prompt: { kind: "text", text: start }, maxTokens: GENERATION_MAX_TOKENS },
            { signal: controller.signal, onText: () => firstText() },
        );
        await Promise.race([streaming, pending]);
        await Promise.race([sleep(delay), pending]);
        const { result, settleMs: ms } = await abortAndSettle(controller, pending);
        if (result.stats.stopReason === "abort" && result.stats.generatedTokens > 0) settleMs.push(ms);
        else missed++;
    }
    return { settleMs, missed };
}

export async function cancel(bench: Bench) {
    const { reps } = bench.plan.cancel;
    return withResources(async (keep) => {
        const { client } = await openClient(bench, "tiny");
        keep(client);
        const raw = keep(await openRaw(bench, "tiny"));
        const document = codeOfTokens(PROMPT_TOKENS, (t) => raw.tokenize(t).length, 9);
        const prompt = await abortDuringPrompt(client, document, reps);
        const generation = await abortDuringGeneration(client, reps);
        // Why chunks overrun: the same chunk costs more the further into the context it lands.
        const byPosition = await raw.chunkTimes(raw.tokenize(document).slice(0, 256 * 12), 256);
        const p = summarize(prompt.settleMs);
        const g = summarize(generation.settleMs);
        bench.progress(`cancel: prompt p95 ${p.p95.toFixed(1)} ms, generation p95 ${g.p95.toFixed(1)} ms`);
        return {
            model: "tiny",
            prompt_p50_ms: round(p.p50),
            prompt_p95_ms: round(p.p95),
            generation_p50_ms: round(g.p50),
            generation_p95_ms: round(g.p95),
            prompt_ms: rounded(p),
            generation_ms: rounded(g),
            /** The longest prompt chunk of each aborted request: a cancel waits for the chunk in flight. */
            prompt_max_chunk_ms: rounded(summarize(prompt.chunkMs)),
            chunk_256_tokens_ms: { at_position_0: round(byPosition[0]), at_position_2816: round(byPosition[byPosition.length - 1]) },
            prompt_missed: prompt.missed,
            generation_missed: generation.missed,
        };
    });
}
