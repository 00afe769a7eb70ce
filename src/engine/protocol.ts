// The messages between the extension host (workerClient.ts) and the engine (worker.ts, in its own
// process or a worker thread). Plain data only: everything here crosses by structured clone. The
// request and result types are the backend contract's (src/backend/types.ts): the remote backend
// speaks them too.

import type { BackendErrorData, CompletionRequest, CompletionStats } from "../backend/types";
import type { GpuSetting } from "../gpu/gpuSetting";
import type { MemoryFigures } from "../model/autoQuant";


export interface LoadOptions {
    readonly modelPath: string;
    readonly gpu: GpuSetting;
    /** Threads for llama.cpp; undefined means the default (cores - 1, at least 1). */
    readonly threads?: number;
    /** Upper bound on the context; the model's trained context may lower it. Solar: 4096. */
    readonly maxContextSize?: number;
    /**
     * Tests only: skip the metadata values our check rejects because llama.cpp asserts on them, to
     * prove that a file crashing llama.cpp leaves the host alive. The structural check still runs.
     */
    readonly skipCrashCheck?: boolean;
    /**
     * Prompt-lookup drafting (speculative decoding from the prompt's own n-grams): "auto" uses it on a
     * GPU, where evaluating a few drafted tokens at once costs about one step, and not on a CPU, where
     * it measured slower (the default). Greedy output is the same either way.
     */
    readonly speculative?: "auto" | "on" | "off";
    /**
     * KV states kept side by side (1-8; absent: 1), each a whole KV cache (Solar at 4,096: ~805 MB
     * F16): a switch to another file and back reuses the first file's cached prompt instead of
     * evaluating it again. When memory does not allow that many, the engine keeps fewer (down to 1)
     * and logs it; ModelInfo.kvStates says how many it got.
     */
    readonly kvStates?: number;
}



/** Counters the engine keeps over its lifetime; tests and the status bar read them. */
export interface EngineCounters {
    readonly completions: number;
    readonly aborted: number;
    /** Preemptible requests refused (BUSY) because a non-preemptible one was running or queued. */
    readonly refused: number;
    /** The most completions that ever ran at the same time: must stay 1. */
    readonly maxConcurrent: number;
    readonly last?: CompletionStats;
    /** The engine's process (in a thread: the whole host's): resident bytes, and anonymous ones on Linux. */
    readonly memory: { readonly rss: number; readonly anon?: number };
}


export type HostToWorker =
    | { readonly type: "load"; readonly id: number; readonly options: LoadOptions }
    /** `stream`: send the text as it is generated ("text" messages); ghost text only needs the result. */
    | { readonly type: "complete"; readonly id: number; readonly request: CompletionRequest; readonly stream?: boolean }
    | { readonly type: "cancel"; readonly id: number }
    | { readonly type: "countTokens"; readonly id: number; readonly text: string }
    | { readonly type: "stats"; readonly id: number }
    /** Free memory as llama.cpp sees it, for "auto" quantization: the host never loads llama.cpp itself. */
    | { readonly type: "probeMemory"; readonly id: number; readonly gpu: GpuSetting }
    | { readonly type: "stop" }
    /** Test hook: die the way a real crash would. */
    | { readonly type: "crashForTest"; readonly mode: CrashMode };

/**
 * - "exception-when-idle": an uncaught exception once no llama.cpp call runs (a thread survives it);
 * - "exception-now": an uncaught exception at once, even inside a generation (ends in std::terminate);
 * - "abort": process.abort(), as GGML_ASSERT does. The last two kill a thread's whole process.
 */
export type CrashMode = "exception-when-idle" | "exception-now" | "abort";

export type { MemoryFigures };

export type WorkerToHost =
    | { readonly type: "text"; readonly id: number; readonly chunk: string }
    | { readonly type: "result"; readonly id: number; readonly value: unknown }
    | { readonly type: "error"; readonly id: number; readonly error: BackendErrorData }
    | { readonly type: "log"; readonly level: "debug" | "info" | "warn" | "error"; readonly message: string };
