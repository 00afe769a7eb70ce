// 8. Prompt and generation speed on the medium model, next to the bound memory bandwidth sets:
// bandwidth / bytes of weights read per token. Bandwidth, our engine (worker) and llama.cpp itself
// (node-llama-cpp in this process, same threads) are measured in turn, every repetition. llama.cpp
// with 2 threads is measured too, to show which thread count suits this machine.

import * as os from "node:os";
import { codeOfTokens } from "../documents";
import { measureBandwidth, weightsReadPerToken } from "../machine";
import { openClient, openRaw, withResources, type Bench, type OpenClient } from "../harness";
import type { RawEngine } from "../rawEngine";
import { median, round } from "../stats";

interface Speeds {
    prompt: number[];
    gen: number[];
    generated: number[];
}

type WeightsRead = Awaited<ReturnType<typeof weightsReadPerToken>>;

const speeds = (): Speeds => ({ prompt: [], gen: [], generated: [] });

function record(into: Speeds, evaluated: number, promptMs: number, generated: number, genMs: number): void {
    into.prompt.push(evaluated / (promptMs / 1000));
    // The first token arrives with the prompt; after it, each token is one decode step.
    if (generated > 1 && genMs > 0) into.gen.push((generated - 1) / (genMs / 1000));
    into.generated.push(generated);
}

async function rawRun(raw: RawEngine, text: string, maxTokens: number, into: Speeds): Promise<void> {
    const run = await raw.run(raw.tokenize(text), { maxTokens, reuse: false });
    record(into, run.evaluatedTokens, run.promptMs, run.generated.length, run.genMs);
}

/** Per repetition: memory bandwidth in GB/s (1 and 2 threads) and the speeds of each arm. */
interface Measured {
    readonly bandwidth: number[];
    readonly bandwidth2: number[];
    readonly ours: Speeds;
    readonly llama: Speeds;
    readonly llama2: Speeds;
}

/** Bandwidth, our engine and llama.cpp in turn, every repetition, so drift hits all of them alike. */
async function measure(bench: Bench, client: OpenClient["client"], raw: RawEngine, raw2: RawEngine | undefined, prompt: string): Promise<Measured> {
    const { reps, genTokens } = bench.plan.generation;
    const m: Measured = { bandwidth: [], bandwidth2: [], ours: speeds(), llama: speeds(), llama2: speeds() };
    for (let rep = 0; rep < reps; rep++) {
        // A new first line each time: every repetition evaluates the whole prompt.
        const text = `// repetition ${rep}\n${prompt}`;
        m.bandwidth.push(await measureBandwidth(1));
        const result = await client.complete({ prompt: { kind: "text", text }, maxTokens: genTokens });
        const s = result.stats;
        record(m.ours, s.evaluatedTokens, s.promptMs, s.generatedTokens, s.genMs);
        await rawRun(raw, text, genTokens, m.llama);
        if (raw2) {
            m.bandwidth2.push(await measureBandwidth(2));
            await rawRun(raw2, text, genTokens, m.llama2);
        }
        bench.progress(`generation ${rep + 1}/${reps}: ours ${median(m.ours.gen).toFixed(0)} tok/s, llama.cpp ${median(m.llama.gen).toFixed(0)} tok/s, ${median(m.bandwidth).toFixed(1)} GB/s`);
    }
    return m;
}

/** The figures the report keeps; `twoThreads` says whether the 2-thread arm ran. */
function speedReport(bench: Bench, weights: WeightsRead, m: Measured, twoThreads: boolean) {
    const { promptTokens, genTokens } = bench.plan.generation;
    const { ours, llama, llama2 } = m;
    const bw = median(m.bandwidth);
    const bound = (bw * 1e9) / weights.bytes;
    const gen = median(ours.gen);
    const bound2 = (median(m.bandwidth2) * 1e9) / weights.bytes;
    return {
        model: "medium",
        threads: bench.threads,
        prompt_tokens: promptTokens,
        max_new_tokens: genTokens,
        generated_tokens_min: Math.min(...ours.generated),
        gen_tok_s: round(gen),
        bound_tok_s: round(bound),
        fraction_of_bound: round(gen / bound),
        prompt_tok_s: round(median(ours.prompt)),
        llama_cpp_gen_tok_s: round(median(llama.gen)),
        llama_cpp_prompt_tok_s: round(median(llama.prompt)),
        llama_cpp_fraction_of_bound: round(median(llama.gen) / bound),
        ours_over_llama_cpp_gen: round(gen / median(llama.gen)),
        bandwidth_gb_s: round(bw),
        bandwidth_note: "single thread, memcmp of two 256 MB buffers (median of passes)",
        weights_read_per_token_mb: round(weights.bytes / 1024 ** 2),
        model_file_mb: round(weights.fileBytes / 1024 ** 2),
        two_threads: twoThreads
            ? {
                  bandwidth_gb_s: round(median(m.bandwidth2)),
                  bound_tok_s: round(bound2),
                  llama_cpp_gen_tok_s: round(median(llama2.gen)),
                  llama_cpp_prompt_tok_s: round(median(llama2.prompt)),
                  llama_cpp_fraction_of_bound: round(median(llama2.gen) / bound2),
              }
            : undefined,
    };
}

export async function generation(bench: Bench) {
    const { promptTokens } = bench.plan.generation;
    const weights = await weightsReadPerToken(bench.models.medium);
    const twoThreads = bench.threads !== 2 && os.cpus().length >= 2;
    return withResources(async (keep) => {
        const { client } = await openClient(bench, "medium");
        keep(client);
        const raw = keep(await openRaw(bench, "medium"));
        const raw2 = twoThreads ? keep(await openRaw(bench, "medium", 2)) : undefined;
        const prompt = codeOfTokens(promptTokens, (t) => raw.tokenize(t).length, 17);
        const measured = await measure(bench, client, raw, raw2, prompt);
        return speedReport(bench, weights, measured, raw2 !== undefined);
    });
}
