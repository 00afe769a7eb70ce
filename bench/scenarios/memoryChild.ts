// The memory scenario's measuring process: a fresh Node process, so its RSS holds nothing but the
// worker and the model. Prints one JSON line. Run by memory.ts; not meant to be run by hand.

import * as fs from "node:fs";
import { WorkerClient } from "../../src/engine/workerClient";
import { batchSizeFor } from "../../src/engine/llamaEngine";
import type { GpuSetting } from "../../src/gpu/gpuSetting";
import { workerTransport } from "../../src/engine/transport";
import { codeOfLength, TYPED_CODE, typing } from "../documents";

export interface MemoryChildInput {
    readonly workerScript: string;
    readonly modelPath: string;
    readonly gpu: GpuSetting;
    readonly threads: number;
    readonly completions: number;
    readonly sampleEvery: number;
}

export interface MemoryChildOutput {
    readonly baseline: number;
    readonly afterLoad: number;
    readonly afterFirst: number;
    readonly samples: { readonly completions: number; readonly rss: number }[];
    readonly afterFirstDetail: Record<string, number>;
    readonly endDetail: Record<string, number>;
    readonly contextSize: number;
    /** llama.cpp's own account of its buffers (MiB) for the same model and context, by name, and the batch size. */
    readonly llamaBuffersMib: Record<string, number>;
}

const rss = () => process.memoryUsage().rss;

/** Resident anonymous / file-backed / shared memory from /proc (Linux only; empty elsewhere). */
function detail(): Record<string, number> {
    try {
        const status = fs.readFileSync("/proc/self/status", "utf8");
        const out: Record<string, number> = {};
        for (const key of ["RssAnon", "RssFile", "RssShmem"]) {
            const match = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status);
            if (match) out[key] = Number(match[1]) * 1024;
        }
        return out;
    } catch {
        return {};
    }
}

async function main(input: MemoryChildInput): Promise<MemoryChildOutput> {
    const baseline = rss();
    const client = new WorkerClient(workerTransport(input.workerScript));
    try {
        const info = await client.load({ modelPath: input.modelPath, gpu: input.gpu, threads: input.threads });
        const afterLoad = rss();
        const document = codeOfLength(8_000, 21);
        const first = await client.complete({ prompt: { kind: "document", text: document, cursor: document.length }, maxTokens: 8 });
        const afterFirst = rss();
        const afterFirstDetail = detail();
        const samples = [{ completions: 1, rss: afterFirst }];
        let anchor = first.window?.anchor;
        let done = 1;
        // Typing that wraps around: the document grows, then the next round starts from the original.
        while (done < input.completions) {
            for (const step of typing(document, document.length, TYPED_CODE, Math.min(400, input.completions - done))) {
                const result = await client.complete({ prompt: { kind: "document", text: step.text, cursor: step.cursor, previous: anchor }, maxTokens: 8 });
                anchor = result.window?.anchor;
                if (++done % input.sampleEvery === 0) samples.push({ completions: done, rss: rss() });
            }
        }
        const endDetail = detail();
        await client.stop();
        const llamaBuffersMib = await llamaBuffers(input, info.contextSize);
        return { baseline, afterLoad, afterFirst, samples, afterFirstDetail, endDetail, contextSize: info.contextSize, llamaBuffersMib };
    } finally {
        await client.stop();
    }
}

/**
 * Loads the model again (after the worker is gone) with llama.cpp's info logs on, only to read the
 * sizes it reports: "CPU_REPACK model buffer size = 90.14 MiB", "CPU compute buffer size = ...".
 * Same context size and batch size as LlamaEngine.
 */
async function llamaBuffers(input: MemoryChildInput, contextSize: number): Promise<Record<string, number>> {
    const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
    const sizes: Record<string, number> = {};
    const llama = await getLlama({
        gpu: input.gpu === "cpu" ? false : "auto",
        build: "never",
        logLevel: LlamaLogLevel.info,
        logger: (_level, message) => {
            const match = /(\S+)\s+(model|output|KV|compute) buffer size =\s+([\d.]+) MiB/.exec(message);
            if (match) sizes[`${match[1]} ${match[2]}`] = Number(match[3]);
        },
    });
    try {
        const model = await llama.loadModel({ modelPath: input.modelPath, useMmap: llama.gpu === false ? false : "auto" });
        const context = await model.createContext({ contextSize, sequences: 1, threads: input.threads, batchSize: batchSizeFor(llama) });
        await context.dispose();
        await model.dispose();
    } finally {
        await llama.dispose();
    }
    return { ...sizes, batchSize: batchSizeFor(llama) };
}

const input = JSON.parse(process.argv[2] ?? "{}") as MemoryChildInput;
main(input).then(
    (output) => process.stdout.write(`${JSON.stringify(output)}\n`),
    (error: unknown) => {
        process.stderr.write(`memory child: ${(error as Error).stack ?? String(error)}\n`);
        process.exitCode = 1;
    },
);
