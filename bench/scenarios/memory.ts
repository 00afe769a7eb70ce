// 7. Memory of the engine process, the product's default host: its resident memory after the model is
// loaded and has answered once (every weight page touched) and every tenth of N completions (typing
// at the end of a document), minus what the model must take anyway: the weights (on the CPU loaded
// without mmap, so they are anonymous memory) and the KV cache. The rest is our overhead: Node and
// its V8 heap, llama.cpp's compute buffers, the engine's JS. Growth across the completions would be a
// leak. The target counts anonymous memory only: the file-backed rest of RSS is the Node and
// llama.cpp libraries, shared with other processes and reclaimable. Both figures are reported.
//
// Two engine processes side by side, completion by completion (rotating which goes first): one
// started exactly as the product starts it (with ENGINE_V8_FLAGS), one without those V8 flags, so
// the run prices the flags in memory and in latency.

import { spawn } from "node:child_process";
import * as path from "node:path";
import type { WindowAnchor } from "../../src/backend/window";
import { WorkerClient } from "../../src/engine/workerClient";
import { ENGINE_V8_FLAGS, engineForkOptions, processTransport } from "../../src/engine/transport";
import { inspectGguf } from "../../src/model/ggufFile";
import { codeOfLength, TYPED_CODE, typing } from "../documents";
import { withResources, type Bench } from "../harness";
import { median, pairedRatios, round } from "../stats";
import type { LlamaBuffersInput, LlamaBuffersOutput } from "./memoryChild";

const MB = 1024 * 1024;
/** node-llama-cpp's default KV cache type is F16. */
const KV_BYTES_PER_VALUE = 2;
const MAX_TOKENS = 8;

/** llama.cpp's own account of its buffers, read in a fresh process (memoryChild.ts). */
function llamaBuffers(input: LlamaBuffersInput): Promise<LlamaBuffersOutput> {
    const script = path.join(__dirname, "memoryChild.ts");
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", script, JSON.stringify(input)], { stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => (stdout += chunk));
        child.stderr.on("data", (chunk) => (stderr += chunk));
        child.on("error", reject);
        child.on("close", (code) => {
            const line = stdout.trim().split("\n").pop() ?? "";
            if (code === 0 && line.startsWith("{")) resolve(JSON.parse(line) as LlamaBuffersOutput);
            else reject(new Error(`memory child exited with ${code}: ${stderr.trim().slice(-2000)}`));
        });
    });
}

interface Sample {
    readonly completions: number;
    readonly rss: number;
    readonly anon: number;
}

interface Arm {
    readonly client: WorkerClient;
    readonly contextSize: number;
    anchor?: WindowAnchor;
    readonly ms: number[];
    readonly samples: Sample[];
    afterLoad?: Sample;
}

async function sample(arm: Arm, completions: number): Promise<Sample> {
    const { memory } = await arm.client.counters();
    // Off Linux there is no RssAnon: RSS stands in for it.
    return { completions, rss: memory.rss, anon: memory.anon ?? memory.rss };
}

/** Both arms (the product's V8 flags, and none) typing the same trace, alternately, sampled as they go. */
async function measureArms(bench: Bench, modelPath: string, completions: number): Promise<{ product: Arm; bare: Arm }> {
    const sampleEvery = Math.max(1, Math.floor(completions / 10));
    const document = codeOfLength(8_000, 21);
    return withResources(async (keep) => {
        // Load, then at once the first completion: an engine left idle for seconds has its garbage
        // collected by V8 on its own, and the other arm's first completion would give it that time.
        const open = async (execArgv?: readonly string[]): Promise<Arm> => {
            const transport = execArgv ? processTransport(bench.workerScript, { ...engineForkOptions(process), execArgv: [...execArgv] }) : processTransport(bench.workerScript);
            const client = keep(new WorkerClient(transport));
            const info = await client.load({ modelPath, gpu: bench.gpu, threads: bench.threads });
            const arm: Arm = { client, contextSize: info.contextSize, ms: [], samples: [] };
            arm.afterLoad = await sample(arm, 0);
            const first = await client.complete({ prompt: { kind: "document", text: document, cursor: document.length }, maxTokens: MAX_TOKENS });
            arm.anchor = first.window?.anchor;
            arm.samples.push(await sample(arm, 1));
            return arm;
        };
        const product = await open();
        const bare = await open([]);
        const arms = [product, bare];
        let done = 1;
        // Typing that wraps around: the document grows, then the next round starts from the original.
        while (done < completions) {
            for (const step of typing(document, document.length, TYPED_CODE, Math.min(400, completions - done))) {
                const order = done % 2 === 0 ? arms : [...arms].reverse();
                for (const arm of order) {
                    const t0 = performance.now();
                    const result = await arm.client.complete({ prompt: { kind: "document", text: step.text, cursor: step.cursor, previous: arm.anchor }, maxTokens: MAX_TOKENS });
                    arm.ms.push(performance.now() - t0);
                    arm.anchor = result.window?.anchor;
                }
                if (++done % sampleEvery === 0) for (const arm of arms) arm.samples.push(await sample(arm, done));
            }
        }
        return { product, bare };
    });
}

/** One arm's memory over the run, against what the model file and the KV cache must take. */
function describeArm(arm: Arm, expected: number) {
    const first = arm.samples[0];
    const last = arm.samples[arm.samples.length - 1];
    const middle = arm.samples[Math.floor(arm.samples.length / 2)];
    return {
        anon_overhead_mb: round((first.anon - expected) / MB),
        rss_overhead_mb: round((first.rss - expected) / MB),
        growth_mb: round((last.anon - first.anon) / MB),
        growth_rss_mb: round((last.rss - first.rss) / MB),
        growth_second_half_mb: round((last.anon - middle.anon) / MB),
        growth_first_tenth_mb: round((arm.samples[Math.min(1, arm.samples.length - 1)].anon - first.anon) / MB),
        anon_after_load_mb: round((arm.afterLoad?.anon ?? NaN) / MB),
        anon_after_first_completion_mb: round(first.anon / MB),
        anon_at_end_mb: round(last.anon / MB),
        // The most any sample held: dead objects' native memory stays until V8 collects them.
        anon_peak_mb: round(Math.max(...arm.samples.map((x) => x.anon)) / MB),
        rss_after_first_completion_mb: round(first.rss / MB),
        rss_at_end_mb: round(last.rss / MB),
        // RSS that is not anonymous: the Node and llama.cpp libraries, shared and reclaimable.
        file_backed_after_first_completion_mb: round((first.rss - first.anon) / MB),
        samples_mb: arm.samples.map((s) => ({ completions: s.completions, anon: round(s.anon / MB), rss: round(s.rss / MB) })),
    };
}

export async function memory(bench: Bench) {
    const { model, completions } = bench.plan.memory;
    const modelPath = bench.models[model];
    const gguf = await inspectGguf(modelPath);
    const measured = await measureArms(bench, modelPath, completions);

    const buffers = await llamaBuffers({ modelPath, gpu: bench.gpu, threads: bench.threads, contextSize: measured.product.contextSize });
    const headDim = gguf.embeddingLength / gguf.headCount;
    const kvBytes = gguf.blockCount * measured.product.contextSize * 2 * gguf.headCountKv * headDim * KV_BYTES_PER_VALUE;
    const expected = gguf.fileSize + kvBytes;
    const product = describeArm(measured.product, expected);
    const bare = describeArm(measured.bare, expected);
    // llama.cpp's buffers: the weights (the CPU_REPACK copy replaces the file's layout, it is not a
    // second copy once the file is not mmapped), the KV cache and the compute buffer.
    const { batchSize, ...sizes } = buffers.buffersMib;
    const sum = (match: (name: string) => boolean) => Object.entries(sizes).filter(([k]) => match(k)).reduce((total, [, v]) => total + v, 0);
    const llamaTotalMib = sum(() => true);
    const last = measured.product.samples[measured.product.samples.length - 1];
    bench.progress(`memory (${model}): overhead ${product.anon_overhead_mb} MB anonymous (${product.rss_overhead_mb} MB by RSS); without the V8 flags ${bare.anon_overhead_mb} MB; growth ${product.growth_mb} MB over ${last.completions} completions`);
    return {
        model,
        completions: last.completions,
        context_size: measured.product.contextSize,
        engine_v8_flags: ENGINE_V8_FLAGS.join(" ") || "(none)",
        ...product,
        without_v8_flags: bare,
        v8_flags_saving_anon_mb: round(bare.anon_overhead_mb - product.anon_overhead_mb),
        v8_flags_saving_at_end_anon_mb: round(bare.anon_at_end_mb - product.anon_at_end_mb),
        v8_flags_saving_peak_anon_mb: round(bare.anon_peak_mb - product.anon_peak_mb),
        // Per completion, product / without flags, measured alternately: what the flags cost in latency.
        v8_flags_latency_ratio_p50: round(median(pairedRatios(measured.product.ms, measured.bare.ms))),
        latency_ms_p50: round(median(measured.product.ms)),
        without_v8_flags_latency_ms_p50: round(median(measured.bare.ms)),
        expected_mb: round(expected / MB),
        model_file_mb: round(gguf.fileSize / MB),
        kv_cache_mb: round(kvBytes / MB),
        llama_cpp_weights_mb: round(sum((k) => k.endsWith("model"))),
        llama_cpp_compute_buffer_mb: round(sum((k) => k.endsWith("compute"))),
        llama_cpp_batch_size: batchSize,
        // Anonymous memory that is none of llama.cpp's buffers: Node, V8's heap, the engine, allocator slack.
        anon_beyond_llama_cpp_buffers_mb: round(product.anon_after_first_completion_mb - llamaTotalMib),
        llama_cpp_buffers_mib: sizes,
    };
}
