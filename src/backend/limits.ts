// The numbers every backend and every caller of one must agree on: Solar's window, the margin kept
// free in it, and how the answer's tokens and the prompt's share it. Written once, here.

import { BackendError } from "./backendError";

/** Solar's window; also the cap for any model with a longer trained context. */
export const SOLAR_CONTEXT_SIZE = 4096;
/** Tokens kept free between prompt + answer and the end of the context. */
export const CONTEXT_MARGIN = 8;
/**
 * No token of the Llama vocabulary is longer than 16 characters: a budget of N tokens never needs
 * more than 16 N characters of text, so that is all a window search (or an editor slice) reads.
 */
export const MAX_CHARS_PER_TOKEN = 16;

/** How much of a document ghost text sends: enough for any window (16 chars per token of a 4,096 budget). */
export const PREFIX_SLICE_CHARS = SOLAR_CONTEXT_SIZE * MAX_CHARS_PER_TOKEN;
/** And after the cursor: what post-processing reads of the code below. */
export const SUFFIX_SLICE_CHARS = 4096;

/** The most new tokens a request may ask for in this context: at least 1, leaving room for one prompt token. */
export function clampMaxTokens(requested: number, contextSize: number): number {
    return Math.max(1, Math.min(requested, contextSize - CONTEXT_MARGIN - 1));
}

/** Tokens left for the prompt beside `maxTokens` new ones. */
export function promptBudget(contextSize: number, maxTokens: number): number {
    return contextSize - maxTokens - CONTEXT_MARGIN;
}

/** Throws PROMPT_TOO_LONG when prompt and answer would not fit the context. */
export function assertFits(promptTokens: number, maxTokens: number, contextSize: number): void {
    if (promptTokens + maxTokens <= contextSize - CONTEXT_MARGIN) return;
    throw new BackendError(
        "PROMPT_TOO_LONG",
        `The prompt has ${promptTokens} tokens; with ${maxTokens} new tokens it does not fit the ${contextSize}-token context.`,
    );
}
