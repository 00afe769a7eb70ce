// The backend contract's data: what ghost text and the command-palette features ask of whoever
// completes (the local engine or a server), and what comes back. Plain data, no behaviour: it crosses
// to the engine process by structured clone and is what the CLI prints with --json.

import type { WindowAnchor } from "./window";

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
    /** Local engine: the KV states kept side by side (LoadOptions.kvStates, fewer when memory ran out). */
    readonly kvStates?: number;
}

/** A prompt is either ready-made text or a document + cursor from which the engine cuts the window. */
export type PromptSource =
    | { readonly kind: "text"; readonly text: string }
    | {
          readonly kind: "document";
          readonly text: string;
          readonly cursor: number;
          /** The window's anchor from the last request on this document, or recent ones, newest first. */
          readonly previous?: WindowAnchor | readonly WindowAnchor[];
          /** Text from the user's other files, placed before the window. */
          readonly context?: PromptContext;
      };

/**
 * Snippet blocks from other files (src/context/snippetBlocks.ts), least relevant first, each ending
 * in a newline. They go before the window, in this order; when they would take more than `maxTokens`
 * (counted exactly), blocks are dropped from the front, so the most relevant stay nearest the cursor.
 */
export interface PromptContext {
    readonly blocks: readonly string[];
    readonly maxTokens: number;
}

/** How much of a request's context the prompt kept: its last `blocks` blocks, `tokens` tokens. */
export interface ContextUsed {
    readonly blocks: number;
    readonly tokens: number;
}

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
    /**
     * Ghost text: stop generating as soon as the suggestion post-processing would show can no longer
     * change (stopReason "suggestionFinal"). Prompt… and Continue Here show the raw text: they leave it out.
     */
    readonly ghost?: GhostTextStop;
}

/**
 * What the backend needs, beside the prompt, to judge the text as post-processing will
 * (src/suggestion/streamingStop.ts): the document prompt's text before and after the cursor are the
 * prefix and suffix, as ghost text post-processes them.
 */
export interface GhostTextStop {
    readonly languageId: string;
    readonly eol: "\n" | "\r\n";
    /** As post-processing's maxLines: 1 or less keeps the cursor's line only. */
    readonly maxLines: number;
}

/** "suggestionFinal": a ghost-text request whose suggestion could no longer change (CompletionRequest.ghost). */
export type StopReason = "maxTokens" | "eos" | "stopString" | "abort" | "timeLimit" | "contextFull" | "suggestionFinal";

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
    /** Local engine: which of its KV states served this request. */
    readonly kvState?: KvStateUse;
}

export interface KvStateUse {
    /** 0-based, of `slots`. */
    readonly slot: number;
    readonly slots: number;
    /** The prompt's prefix came from a state kept from before the previous request (a switch back). */
    readonly restored: boolean;
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
    /** Present when the request carried context blocks. */
    readonly context?: ContextUsed;
}

/** Errors carry a code so the host can decide what to show without parsing messages. */
export interface BackendErrorData {
    readonly message: string;
    readonly code: string;
}
