// 7. Memory of the worker in a fresh process: RSS after the model is loaded and has answered once
// (every weight page touched), and after N completions, minus what the model must take anyway (the
// file, mmapped, and the KV cache). The rest is our overhead: the worker's V8 isolate, llama.cpp's
// library and compute buffers, the engine's JS. Growth across the completions would be a leak.

import { spawn } from "node:child_process";
import * as path from "node:path";
import { inspectGguf } from "../../src/model/ggufFile";
import type { Bench } from "../harness";
import { round } from "../stats";
import type { MemoryChildInput, MemoryChildOutput } from "./memoryChild";

const MB = 1024 * 1024;
/** node-llama-cpp's default KV cache type is F16. */
const KV_BYTES_PER_VALUE = 2;

function runChild(input: MemoryChildInput): Promise<MemoryChildOutput> {
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
            if (code === 0 && line.startsWith("{")) resolve(JSON.parse(line) as MemoryChildOutput);
            else reject(new Error(`memory child exited with ${code}: ${stderr.trim().slice(-2000)}`));
        });
    });
}

export async function memory(bench: Bench) {
    const { model, completions } = bench.plan.memory;
    const modelPath = bench.models[model];
    const gguf = await inspectGguf(modelPath);
    const sampleEvery = Math.max(1, Math.floor(completions / 10));
    const out = await runChild({ workerScript: bench.workerScript, modelPath, gpu: bench.gpu, threads: bench.threads, completions, sampleEvery });

    const headDim = gguf.embeddingLength / gguf.headCount;
    const kvBytes = gguf.blockCount * out.contextSize * 2 * gguf.headCountKv * headDim * KV_BYTES_PER_VALUE;
    const expected = gguf.fileSize + kvBytes;
    const last = out.samples[out.samples.length - 1];
    const middle = out.samples[Math.floor(out.samples.length / 2)];
    const overhead = (out.afterFirst - out.baseline - expected) / MB;
    // llama.cpp's extra buffers: weights repacked for the CPU's vector units (a second copy, in
    // anonymous memory) and the compute buffer, which grows with the batch size.
    const { batchSize, ...buffers } = out.llamaBuffersMib;
    const repackMib = Object.entries(buffers).filter(([k]) => k.includes("REPACK")).reduce((sum, [, v]) => sum + v, 0);
    const computeMib = Object.entries(buffers).filter(([k]) => k.endsWith("compute")).reduce((sum, [, v]) => sum + v, 0);
    const growth = (last.rss - out.afterFirst) / MB;
    bench.progress(`memory (${model}): overhead ${overhead.toFixed(1)} MB, growth ${growth.toFixed(1)} MB over ${last.completions} completions`);
    return {
        model,
        completions: last.completions,
        overhead_mb: round(overhead),
        growth_mb: round(growth),
        growth_second_half_mb: round((last.rss - middle.rss) / MB),
        growth_first_tenth_mb: round((out.samples[Math.min(1, out.samples.length - 1)].rss - out.afterFirst) / MB),
        expected_mb: round(expected / MB),
        model_file_mb: round(gguf.fileSize / MB),
        llama_cpp_repacked_weights_mb: round(repackMib),
        llama_cpp_compute_buffer_mb: round(computeMib),
        llama_cpp_batch_size: batchSize,
        overhead_beyond_llama_cpp_buffers_mb: round(overhead - repackMib - computeMib),
        llama_cpp_buffers_mib: buffers,
        kv_cache_mb: round(kvBytes / MB),
        process_rss_before_worker_mb: round(out.baseline / MB),
        worker_rss_after_load_mb: round((out.afterLoad - out.baseline) / MB),
        worker_rss_after_first_completion_mb: round((out.afterFirst - out.baseline) / MB),
        worker_rss_at_end_mb: round((last.rss - out.baseline) / MB),
        rss_breakdown_after_first_mb: mapValues(out.afterFirstDetail, (v) => round(v / MB)),
        rss_breakdown_at_end_mb: mapValues(out.endDetail, (v) => round(v / MB)),
        rss_samples_mb: out.samples.map((s) => ({ completions: s.completions, rss: round(s.rss / MB) })),
    };
}

function mapValues(record: Record<string, number>, f: (v: number) => number): Record<string, number> {
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));
}
