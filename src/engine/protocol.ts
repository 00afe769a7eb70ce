// The messages between the extension host (client.ts) and the engine worker (worker.ts).
// Plain data only: everything here crosses a worker_threads port by structured clone.

import type { WindowAnchor } from "../completion/promptWindow";
import type { MemoryFigures } from "../model/autoQuant";

export type GpuSetting = "auto" | "cuda" | "vulkan" | "metal" | "cpu";

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
     * it measured slower. Greedy output is the same either way.
     */
    readonly speculative?: "auto" | "on" | "off";
}

export interface ModelInfo {
    readonly modelPath: string;
    readonly architecture: string;
    readonly fileType?: string;
    readonly fileSize: number;
    readonly contextSize: number;
    readonly trainedContextSize: number;
    /** What actually runs, e.g. "CUDA, NVIDIA RTX 4090" or "CPU, 7 threads". */
    readonly backend: string;
    readonly gpu: "cuda" | "vulkan" | "metal" | false;
    readonly threads: number;
    readonly loadMs: number;
}

/** A prompt is either ready-made text or a document + cursor from which the engine cuts the window. */
export type PromptSource =
    | { readonly kind: "text"; readonly text: string }
    | {
          readonly kind: "document";
          readonly text: string;
          readonly cursor: number;
          readonly previous?: WindowAnchor;
      };

export interface CompletionRequest {
    readonly prompt: PromptSource;
    readonly maxTokens: number;
    readonly stop?: readonly string[];
    /** Wall-clock limit for the whole request (prompt + generation), in ms. */
    readonly timeLimitMs?: number;
    /** 0 = greedy (the default: completions should be deterministic). */
    readonly temperature?: number;
    readonly seed?: number;
    /**
     * Default true: a newer completion aborts this one (ghost text: the user typed on). False for a
     * command-palette prompt the user is waiting for: a newer preemptible request is refused (BUSY)
     * instead, so ghost text can never abort it. A newer non-preemptible request still aborts it.
     */
    readonly preemptible?: boolean;
}

export type StopReason = "maxTokens" | "eos" | "stopString" | "abort" | "timeLimit" | "contextFull";

export interface CompletionStats {
    readonly promptTokens: number;
    readonly reusedTokens: number;
    readonly evaluatedTokens: number;
    readonly promptMs: number;
    readonly genMs: number;
    readonly generatedTokens: number;
    readonly stopReason: StopReason;
    /** The longest prompt chunk, in ms: a cancel during the prompt settles within about this long. */
    readonly maxChunkMs: number;
    /** With drafting: drafted tokens the model confirmed, and those it refuted, in this request. */
    readonly draft?: { readonly accepted: number; readonly refuted: number };
}

export interface WindowInfo {
    readonly start: number;
    readonly end: number;
    readonly anchor: WindowAnchor;
    readonly moved: boolean;
}

export interface CompletionResult {
    readonly text: string;
    readonly stats: CompletionStats;
    /** Present when the prompt came from a document: where the window was cut. */
    readonly window?: WindowInfo;
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

/** Errors carry a code so the host can decide what to show without parsing messages. */
export interface EngineErrorData {
    readonly message: string;
    readonly code: string;
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
    | { readonly type: "error"; readonly id: number; readonly error: EngineErrorData }
    | { readonly type: "log"; readonly level: "debug" | "info" | "warn" | "error"; readonly message: string };
