// Where every backend turns a request into the exact prompt it sends: the answer's share of the
// context, then the prompt text (as given, or the document's anchored window) counted with the
// backend's own tokenizer, so prompt plus answer never exceed the context.
//
// The layout (context blocks, then the window: promptLayout.ts) is a pure synchronous function of its counts. A local tokenizer answers at
// once and the window is built in one pass. A tokenizer across the network answers later: each count
// the builder lacks is fetched (one /tokenize round trip) and the builder runs again. It always asks
// in the same order, so each run gets one step further; a keystroke whose anchored window holds
// costs one round trip.

import { assertFits, clampMaxTokens, promptBudget } from "./limits";
import { layoutPrompt, type LaidOutPrompt } from "./promptLayout";
import type { CompletionRequest, ContextUsed, WindowInfo } from "./types";

/** A count now (a local tokenizer, a cache hit), or later (a round trip). */
export type CountTokens = (text: string) => number | Promise<number>;

export interface ResolvedPrompt {
    readonly text: string;
    readonly promptTokens: number;
    /** The request's maxTokens, clamped to what the context leaves. */
    readonly maxTokens: number;
    /** Present when the prompt came from a document: where the window was cut. */
    readonly window?: WindowInfo;
    /** Present when the document request carried context. */
    readonly context?: ContextUsed;
}

export async function resolvePrompt(request: CompletionRequest, contextSize: number, count: CountTokens): Promise<ResolvedPrompt> {
    const maxTokens = clampMaxTokens(request.maxTokens, contextSize);
    const source = request.prompt;
    if (source.kind === "text") {
        const promptTokens = await count(source.text);
        assertFits(promptTokens, maxTokens, contextSize);
        return { text: source.text, promptTokens, maxTokens };
    }
    const budget = promptBudget(contextSize, maxTokens);
    const built = await withCounts(count, (countTokens) =>
        layoutPrompt({ text: source.text, cursor: source.cursor, budget, previous: source.previous, context: source.context, countTokens }),
    );
    const { window } = built;
    return {
        text: built.text,
        promptTokens: built.promptTokens,
        maxTokens,
        window: { start: window.start, end: window.end, anchor: window.anchor, moved: window.moved },
        ...(built.context ? { context: built.context } : {}),
    };
}

const NEED_COUNT = Symbol("need a count");
/** More than the layout ever asks for: the context's fit, 1 + the window's placement search. */
const MAX_ROUNDS = 48;

async function withCounts(count: CountTokens, build: (countTokens: (text: string) => number) => LaidOutPrompt): Promise<LaidOutPrompt> {
    // Counts fetched for this window, kept even if the tokenizer's own cache evicts them meanwhile.
    const known = new Map<string, number>();
    for (let round = 0; round < MAX_ROUNDS; round++) {
        let pending: Promise<number> | undefined;
        let missing = "";
        try {
            return build((text) => {
                const cached = known.get(text);
                if (cached !== undefined) return cached;
                const counted = count(text);
                if (typeof counted === "number") return counted;
                [missing, pending] = [text, counted];
                throw NEED_COUNT;
            });
        } catch (error) {
            if (error !== NEED_COUNT || pending === undefined) throw error;
        }
        known.set(missing, await pending);
    }
    throw new Error(`The prompt window needed more than ${MAX_ROUNDS} token counts.`);
}
