// The memory scenario's helper process: loads the model once with llama.cpp's info logs on, only to
// read the buffer sizes llama.cpp reports ("CPU_REPACK model buffer size = 90.14 MiB", "CPU compute
// buffer size = ..."), with the same context and batch size as LlamaEngine. A fresh process, so no
// logger or binding of the bench's interferes. Prints one JSON line. Run by memory.ts.

import { batchSizeFor } from "../../src/engine/llamaEngine";
import type { GpuSetting } from "../../src/gpu/gpuSetting";

export interface LlamaBuffersInput {
    readonly modelPath: string;
    readonly gpu: GpuSetting;
    readonly threads: number;
    readonly contextSize: number;
}

export interface LlamaBuffersOutput {
    /** llama.cpp's own account of its buffers (MiB), by name, and the batch size. */
    readonly buffersMib: Record<string, number>;
}

async function main(input: LlamaBuffersInput): Promise<LlamaBuffersOutput> {
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
        const context = await model.createContext({ contextSize: input.contextSize, sequences: 1, threads: input.threads, batchSize: batchSizeFor(llama) });
        await context.dispose();
        await model.dispose();
    } finally {
        await llama.dispose();
    }
    return { buffersMib: { ...sizes, batchSize: batchSizeFor(llama) } };
}

const input = JSON.parse(process.argv[2] ?? "{}") as LlamaBuffersInput;
main(input).then(
    (output) => process.stdout.write(`${JSON.stringify(output)}\n`),
    (error: unknown) => {
        process.stderr.write(`memory child: ${(error as Error).stack ?? String(error)}\n`);
        process.exitCode = 1;
    },
);
