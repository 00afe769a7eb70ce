// The whole prompt of a document request: context blocks from other files, then the anchored window
// of the current file. The blocks come first and change only at calm moments (the host decides, see
// src/context/contextPolicy.ts), so a keystroke changes only the prompt's tail and the engine's KV
// cache keeps the blocks and the window's unchanged lines. The window keeps its own logic
// (window.ts): it gets the budget the kept blocks leave, and counts itself after them, so the exact
// count of blocks + window never exceeds the budget.

import type { ContextUsed, PromptContext } from "./types";
import { buildPromptWindow, type PromptWindow, type PromptWindowRequest } from "./window";

/** The context never takes more than this share of the prompt budget: the window is what is completed. */
const MAX_CONTEXT_SHARE = 0.5;

export interface LaidOutPrompt {
    /** The exact text evaluated: preamble + window.prompt. */
    readonly text: string;
    readonly promptTokens: number;
    readonly window: PromptWindow;
    readonly context?: ContextUsed;
}

export function layoutPrompt(request: PromptWindowRequest & { readonly context?: PromptContext }): LaidOutPrompt {
    const { countTokens, budget, context } = request;
    const emptyTokens = countTokens("");
    const kept = context ? fittedBlocks(context, countTokens, emptyTokens, Math.floor(budget * MAX_CONTEXT_SHARE)) : undefined;
    if (!kept || kept.blocks.length === 0) {
        const window = buildPromptWindow(request);
        return { text: window.prompt, promptTokens: window.promptTokens, window, ...(context ? { context: { blocks: 0, tokens: 0 } } : {}) };
    }
    const preamble = kept.blocks.join("");
    // The window is counted as it is evaluated, after the preamble: a count of the whole prompt less
    // the preamble's own tokens (BOS stays in, as in a window alone), so its budget means the same.
    const window = buildPromptWindow({
        ...request,
        budget: budget - kept.tokens,
        countTokens: (text) => countTokens(preamble + text) - kept.tokens,
    });
    return {
        text: preamble + window.prompt,
        promptTokens: window.promptTokens + kept.tokens,
        window,
        context: { blocks: kept.blocks.length, tokens: kept.tokens },
    };
}

/** The exact prompt text of a request that kept `used.blocks` of its context: for Show Last Prompt. */
export function promptTextOf(context: PromptContext | undefined, used: ContextUsed | undefined, windowText: string): string {
    const blocks = context && used ? context.blocks.slice(context.blocks.length - used.blocks) : [];
    return blocks.join("") + windowText;
}

/** The most relevant blocks (the last ones) whose exact count fits `maxTokens`, and that count. */
function fittedBlocks(
    context: PromptContext,
    countTokens: (text: string) => number,
    emptyTokens: number,
    shareCap: number,
): { readonly blocks: readonly string[]; readonly tokens: number } {
    const limit = Math.min(context.maxTokens, shareCap);
    // Usually the host's estimate fits and this is one count (cached by the tokenizer after the first
    // keystroke); otherwise the least relevant block goes first, then the next.
    for (let first = 0; first < context.blocks.length; first++) {
        const blocks = context.blocks.slice(first);
        const tokens = countTokens(blocks.join("")) - emptyTokens;
        if (tokens <= limit) return { blocks, tokens };
    }
    return { blocks: [], tokens: 0 };
}
