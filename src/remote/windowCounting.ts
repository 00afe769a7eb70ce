// Exact token counts for the prompt window when the tokenizer is across the network. The window
// builder is a pure synchronous function of its counts; here it runs against a cache of counts,
// and each count it lacks is fetched (one /tokenize round trip) before running it again. It always
// asks in the same order, so each run gets one step further; a keystroke whose anchored window holds
// costs one round trip.

import { buildPromptWindow, type PromptWindow, type PromptWindowRequest } from "../completion/promptWindow";
import type { CountCache } from "./remoteTokenizer";

const NEED_COUNT = Symbol("need a count");
/** More than the builder ever asks for in one window (1 + its placement search). */
const MAX_ROUNDS = 32;

export async function buildPromptWindowRemote(
    request: Omit<PromptWindowRequest, "countTokens">,
    count: (text: string) => Promise<number>,
    cache: CountCache,
): Promise<PromptWindow> {
    // Counts fetched for this window stay here even if the shared cache evicts them meanwhile.
    const known = new Map<string, number>();
    for (let round = 0; round < MAX_ROUNDS; round++) {
        let missing: string | undefined;
        try {
            return buildPromptWindow({
                ...request,
                countTokens: (text) => {
                    const n = known.get(text) ?? cache.get(text);
                    if (n !== undefined) return n;
                    missing = text;
                    throw NEED_COUNT;
                },
            });
        } catch (error) {
            if (error !== NEED_COUNT || missing === undefined) throw error;
        }
        const n = await count(missing);
        known.set(missing, n);
        cache.set(missing, n);
    }
    throw new Error(`The prompt window needed more than ${MAX_ROUNDS} token counts.`);
}
