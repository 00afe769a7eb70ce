// What every scenario gets: the plan (how many repetitions), the models, the main thread's llama.cpp
// binding for the in-process baselines, and engines opened the way the product opens them.

import * as path from "node:path";
import type { Llama } from "node-llama-cpp";
import { WorkerClient } from "../src/engine/workerClient";
import { LlamaEngine } from "../src/engine/llamaEngine";
import type { GpuSetting } from "../src/gpu/gpuSetting";
import type { ModelInfo } from "../src/backend/types";
import { inProcessTransport } from "../src/engine/inProcessTransport";
import { processTransport, workerTransport } from "../src/engine/transport";
import { RawEngine } from "./rawEngine";

export type ModelKey = "tiny" | "medium";

export interface Plan {
    readonly keystrokeEnd: { readonly keys: number; readonly baselineEvery: number };
    readonly keystrokeLong: { readonly keys: number };
    readonly overhead: { readonly keys: number; readonly mediumKeys: number };
    readonly eventLoop: { readonly keys: number };
    readonly cancel: { readonly reps: number };
    readonly stopTime: { readonly reps: number };
    readonly speculative: { readonly prompts: number; readonly maxTokens: number };
    readonly windowBuild: { readonly freshReps: number; readonly keyReps: number; readonly wholeReps: number };
    readonly memory: { readonly model: ModelKey; readonly completions: number };
    readonly generation: { readonly reps: number; readonly promptTokens: number; readonly genTokens: number };
    readonly remote: { readonly keys: number };
    /** waste and first_line: places typed per file (each two lines, or half a line), through both arms. */
    readonly ghostTrace: { readonly places: number };
    readonly download: { readonly megabytes: number; readonly rounds: number };
    /** Each entry: a model, keystrokes per round, rounds (each with fresh llama-servers and a fresh engine). */
    readonly peer: readonly { readonly model: ModelKey; readonly keys: number; readonly rounds: number }[];
    /** context_reuse: cycles of type, switch away and back, jump away and back. */
    readonly contextReuse: { readonly cycles: number };
}

export const FULL_PLAN: Plan = {
    keystrokeEnd: { keys: 100, baselineEvery: 1 },
    keystrokeLong: { keys: 200 },
    overhead: { keys: 100, mediumKeys: 30 },
    eventLoop: { keys: 200 },
    cancel: { reps: 30 },
    stopTime: { reps: 3 },
    speculative: { prompts: 30, maxTokens: 64 },
    windowBuild: { freshReps: 10, keyReps: 100, wholeReps: 3 },
    memory: { model: "medium", completions: 500 },
    generation: { reps: 4, promptTokens: 512, genTokens: 128 },
    remote: { keys: 100 },
    ghostTrace: { places: 6 },
    download: { megabytes: 1024, rounds: 3 },
    peer: [{ model: "tiny", keys: 120, rounds: 2 }, { model: "medium", keys: 40, rounds: 1 }],
    contextReuse: { cycles: 6 },
};

/** Under 3 minutes on 2 cores: the same scenarios with fewer repetitions, only the tiny model where it can. */
export const QUICK_PLAN: Plan = {
    keystrokeEnd: { keys: 100, baselineEvery: 5 },
    keystrokeLong: { keys: 30 },
    overhead: { keys: 30, mediumKeys: 0 },
    eventLoop: { keys: 40 },
    cancel: { reps: 10 },
    stopTime: { reps: 1 },
    speculative: { prompts: 6, maxTokens: 32 },
    windowBuild: { freshReps: 3, keyReps: 20, wholeReps: 1 },
    memory: { model: "tiny", completions: 300 },
    generation: { reps: 2, promptTokens: 256, genTokens: 64 },
    remote: { keys: 30 },
    ghostTrace: { places: 2 },
    download: { megabytes: 128, rounds: 1 },
    peer: [{ model: "tiny", keys: 16, rounds: 1 }],
    contextReuse: { cycles: 2 },
};

/** New tokens per keystroke completion in the keystroke scenarios. */
export const KEYSTROKE_MAX_TOKENS = 16;

export interface Bench {
    readonly plan: Plan;
    readonly threads: number;
    readonly gpu: GpuSetting;
    /** The main thread's binding: in-process baselines and token counters. */
    readonly llama: Llama;
    readonly models: Readonly<Record<ModelKey, string>>;
    readonly workerScript: string;
    readonly progress: (message: string) => void;
}

export const WORKER_SCRIPT = path.resolve(__dirname, "..", "dist", "worker.js");

export interface OpenClient {
    readonly client: WorkerClient;
    readonly info: ModelInfo;
}

/** The product's path: an WorkerClient over a child process (or a worker thread, or this thread, for comparison). */
export async function openClient(bench: Bench, model: ModelKey, where: "process" | "worker" | "inProcess" = "process"): Promise<OpenClient> {
    const transport = where === "process" ? processTransport(bench.workerScript) : where === "worker" ? workerTransport(bench.workerScript) : inProcessTransport();
    const client = new WorkerClient(transport, {
        log: (level, message) => (level === "error" ? bench.progress(`engine ${level}: ${message}`) : undefined),
    });
    try {
        const info = await client.load({ modelPath: bench.models[model], gpu: bench.gpu, threads: bench.threads });
        return { client, info };
    } catch (error) {
        await client.stop();
        throw error;
    }
}

/** Our engine module in this thread: its countTokens is the counter the worker builds windows with. */
export function openEngine(bench: Bench, model: ModelKey): Promise<LlamaEngine> {
    const quiet = () => undefined;
    return LlamaEngine.load(async () => bench.llama, { modelPath: bench.models[model], gpu: bench.gpu, threads: bench.threads }, quiet);
}

export function openRaw(bench: Bench, model: ModelKey, threads = bench.threads): Promise<RawEngine> {
    return RawEngine.load(bench.llama, bench.models[model], threads);
}

/** Runs `body` with the resources it opens closed afterwards, in reverse order, errors or not. */
export async function withResources<T>(body: (keep: <R extends Closable>(r: R) => R) => Promise<T>): Promise<T> {
    const opened: Closable[] = [];
    try {
        return await body((resource) => (opened.push(resource), resource));
    } finally {
        for (const resource of opened.reverse()) await close(resource);
    }
}

type Closable = { stop(): Promise<void> } | { dispose(): Promise<void> };

function close(resource: Closable): Promise<void> {
    return "stop" in resource ? resource.stop() : resource.dispose();
}

export function elapsed(since: number): number {
    return performance.now() - since;
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
