// The remote backend: per-keystroke latency along keystroke_end's typing trace (end of a 3,500-token
// document, tiny model), our local engine through the worker against the same model served by a
// real llama-server on 127.0.0.1 (built from the llama.cpp source node-llama-cpp carries), through
// RemoteBackend. Alternating keystroke by keystroke; the server's own timings.prompt_n says how many
// tokens it evaluated per keystroke (its prompt cache, kept warm by the anchored window).

import type { CompletionBackend } from "../../src/backend/backend";
import { RemoteBackend } from "../../src/remote/remoteBackend";
import { startLlamaServer } from "../../test/fixtures/llamaServer";
import { codeOfTokens, TYPED_CODE, typing } from "../documents";
import { elapsed, KEYSTROKE_MAX_TOKENS, openClient, openRaw, withResources, type Bench } from "../harness";
import { median, pairedRatios, round, rounded, summarize } from "../stats";
import { DOCUMENT_TOKENS } from "./keystrokeEnd";

export async function remote(bench: Bench) {
    const { keys } = bench.plan.remote;
    return withResources(async (keep) => {
        const startedAt = performance.now();
        const server = keep(await startLlamaServer({ model: bench.models.tiny, threads: bench.threads }));
        const startMs = elapsed(startedAt);
        const backend = new RemoteBackend({ endpoint: server.url });
        keep({ stop: () => backend.stop() });
        await backend.connect();
        const { client } = await openClient(bench, "tiny");
        keep(client);
        const raw = keep(await openRaw(bench, "tiny"));
        const document = codeOfTokens(DOCUMENT_TOKENS, (t) => raw.tokenize(t).length);

        const first = { kind: "document" as const, text: document, cursor: document.length };
        const local = await keystrokeRunner(client, first);
        const remoteRuns = await keystrokeRunner(backend, first);
        let same = 0;
        let key = 0;
        for (const { text, cursor } of typing(document, document.length, TYPED_CODE, keys)) {
            // Rotate which goes first, so neither always runs on a cooler machine.
            const [a, b] = key++ % 2 === 0 ? [local, remoteRuns] : [remoteRuns, local];
            if ((await a.run(text, cursor)) === (await b.run(text, cursor))) same++;
        }
        bench.progress(`remote: ${keys} keystrokes, local and llama-server alternating`);

        const localLatency = summarize(local.ms);
        const remoteLatency = summarize(remoteRuns.ms);
        const evaluated = summarize(remoteRuns.evaluated);
        return {
            model: "tiny",
            server: "llama-server (llama.cpp from node-llama-cpp's source bundle), 127.0.0.1, --parallel 1",
            server_start_ms: round(startMs),
            document_tokens: summarize(remoteRuns.promptTokens).min,
            keystrokes: keys,
            max_tokens: KEYSTROKE_MAX_TOKENS,
            same_completion_fraction: round(same / keys),
            latency_ms_p50: round(localLatency.p50),
            remote_latency_ms_p50: round(remoteLatency.p50),
            remote_latency_ms_p95: round(remoteLatency.p95),
            remote_over_local_p50: round(median(pairedRatios(remoteRuns.ms, local.ms))),
            server_evaluated_tokens_p50: round(evaluated.p50),
            server_evaluated_tokens_p95: round(evaluated.p95),
            server_evaluated_tokens_max: evaluated.max,
            local_evaluated_tokens_p50: round(summarize(local.evaluated).p50),
            // Time to the first token (remote: the /tokenize round trip, the request, the server's
            // prompt) and the rest of the generation, each side's own clock.
            local_first_token_ms_p50: round(summarize(local.promptMs).p50),
            remote_first_token_ms_p50: round(summarize(remoteRuns.promptMs).p50),
            local_gen_ms_p50: round(summarize(local.genMs).p50),
            remote_gen_ms_p50: round(summarize(remoteRuns.genMs).p50),
            latency_ms: rounded(localLatency),
            remote_latency_ms: rounded(remoteLatency),
            trace: { local_ms: local.ms.map(round), remote_ms: remoteRuns.ms.map(round), server_evaluated_tokens: remoteRuns.evaluated },
        };
    });
}

/** Times keystrokes on one backend, keeping its anchored window from one to the next. */
async function keystrokeRunner(backend: CompletionBackend, first: { kind: "document"; text: string; cursor: number }) {
    let anchor = (await backend.complete({ prompt: first, maxTokens: KEYSTROKE_MAX_TOKENS })).window?.anchor;
    const runs = { ms: [] as number[], evaluated: [] as number[], promptTokens: [] as number[], promptMs: [] as number[], genMs: [] as number[] };
    const run = async (text: string, cursor: number): Promise<string> => {
        const t0 = performance.now();
        const result = await backend.complete({ prompt: { kind: "document", text, cursor, previous: anchor }, maxTokens: KEYSTROKE_MAX_TOKENS });
        runs.ms.push(elapsed(t0));
        runs.evaluated.push(result.stats.evaluatedTokens);
        runs.promptTokens.push(result.stats.promptTokens);
        runs.promptMs.push(result.stats.promptMs);
        runs.genMs.push(result.stats.genMs);
        anchor = result.window?.anchor;
        return result.text;
    };
    return { ...runs, run };
}
