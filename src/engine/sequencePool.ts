// Several KV states side by side, like llama-server's slots: one context with N sequences, each its own
// `contextSize` cells (node-llama-cpp gives every sequence a full context of cells), so a switch to
// another file and back finds the first file's prompt still cached instead of re-evaluating ~3,000
// tokens (minutes on a CPU for Solar). Switching costs nothing: the states are already in memory. The
// price is memory: each state is a whole KV cache, ~805 MB for Solar at 4,096 (F16). Saving a state to
// a file and loading it back was measured against this (bench scenario kv_states).
// Plain Node: the choice of a slot is a pure function, tested without a model.

import type { LlamaContext, LlamaContextSequence, LlamaModel, Token, TokenPredictor } from "node-llama-cpp";
import type { KvStateUse } from "../backend/types";
import type { GgufSummary } from "../model/ggufFile";
import type { Log } from "./llamaRuntime";

/** LoadOptions.kvStates: at least one state, at most 8 (8 Solar states are 6.4 GB of KV cache). */
export const KV_STATES = { min: 1, max: 8, default: 1 } as const;

/**
 * A slot is reused for a prompt when the prefix it shares with it is at least this fraction of the
 * prompt (llama-server's --slot-prompt-similarity default) and keeps at least that fraction of the
 * slot's own state, or the prompt lies within that state; otherwise the
 * prompt takes an empty slot or the least recently used one, so a state worth returning to is not
 * overwritten by a stranger. The second condition is ours: with context blocks before the window,
 * every prompt of a file shares the blocks (a third of the prompt or more), and a jump far away in
 * the file would otherwise overwrite the state of the place it left, which the jump back then
 * re-evaluates in full (measured: 2,820 tokens on the return, against 1 with it; bench context_reuse).
 */
export const SLOT_SIMILARITY = 0.5;
/** A prompt this close to a state's prefix (the cursor's piece may split differently) lies within it. */
const INSIDE_SLACK = 8;

/** What the choice needs to know of a slot: its cached tokens and when it last served (any clock). */
export interface SlotView {
    readonly tokens: readonly number[];
    readonly lastUsed: number;
}

export interface SlotChoice {
    readonly slot: number;
    /** "prefix": it shares enough of the prompt; "empty": nothing cached yet; "leastRecent": evicted. */
    readonly reason: "prefix" | "empty" | "leastRecent";
    readonly sharedTokens: number;
}

/** How many leading tokens two token arrays share. */
export function sharedPrefixLength(a: readonly number[], b: readonly number[]): number {
    const n = Math.min(a.length, b.length);
    let i = 0;
    while (i < n && a[i] === b[i]) i++;
    return i;
}

/**
 * The slot for `prompt`: the one sharing the longest prefix when that prefix is at least `similarity`
 * of the prompt, and either the prompt lies within the slot's state or the prefix is at least
 * `similarity` of that state (ties: the one that loses the fewest cached tokens past the prefix, then the most
 * recent); else the first empty slot; else the least recently used one. `slots` must not be empty.
 */
export function chooseSlot(slots: readonly SlotView[], prompt: readonly number[], similarity = SLOT_SIMILARITY): SlotChoice {
    let best: SlotChoice | undefined;
    let bestLoss = Infinity;
    slots.forEach((slot, index) => {
        const shared = sharedPrefixLength(slot.tokens, prompt);
        if (shared === 0 || shared < similarity * prompt.length) return;
        // Reusing a slot keeps only its shared prefix: fine when the prompt lies within the state (the
        // cursor moved up: nothing to evaluate now), or when most of the state survives (typing on).
        const insideState = shared >= prompt.length - INSIDE_SLACK;
        if (!insideState && shared < similarity * slot.tokens.length) return;
        const loss = slot.tokens.length - shared;
        const better =
            best === undefined ||
            shared > best.sharedTokens ||
            (shared === best.sharedTokens && (loss < bestLoss || (loss === bestLoss && slot.lastUsed > slots[best.slot].lastUsed)));
        if (better) {
            best = { slot: index, reason: "prefix", sharedTokens: shared };
            bestLoss = loss;
        }
    });
    if (best) return best;
    const empty = slots.findIndex((slot) => slot.tokens.length === 0);
    if (empty >= 0) return { slot: empty, reason: "empty", sharedTokens: 0 };
    let oldest = 0;
    slots.forEach((slot, index) => {
        if (slot.lastUsed < slots[oldest].lastUsed) oldest = index;
    });
    return { slot: oldest, reason: "leastRecent", sharedTokens: sharedPrefixLength(slots[oldest].tokens, prompt) };
}

/** An integer within KV_STATES; undefined gives the default. */
export function normalizeKvStates(requested: number | undefined): number {
    if (requested === undefined || !Number.isFinite(requested)) return KV_STATES.default;
    return Math.min(KV_STATES.max, Math.max(KV_STATES.min, Math.floor(requested)));
}

/**
 * Bytes llama.cpp allocates for `cells` KV cells of this model at F16 (node-llama-cpp's default
 * type): keys and values for every layer. context.stateSize is no such figure: it is the size of
 * the state as saved, which covers only the cells in use (17 bytes for an empty context).
 */
export function kvCacheBytes(shape: Pick<GgufSummary, "blockCount" | "embeddingLength" | "headCount" | "headCountKv">, cells: number): number {
    const headDim = shape.embeddingLength / shape.headCount;
    return shape.blockCount * cells * 2 * shape.headCountKv * headDim * 2;
}

/**
 * `create(wanted)`, and on failure (not enough memory for that many states) with one state fewer,
 * down to one; a failure with one state is rethrown. `onFallback` hears each failure that was retried.
 */
export async function createWithFewerOnFailure<T>(
    wanted: number,
    create: (states: number) => Promise<T>,
    onFallback: (states: number, error: unknown) => void,
): Promise<{ value: T; states: number }> {
    for (let states = wanted; ; states--) {
        try {
            return { value: await create(states), states };
        } catch (error) {
            if (states <= 1) throw error;
            onFallback(states, error);
        }
    }
}

export interface PoolOptions {
    readonly contextSize: number;
    readonly threads: number;
    readonly batchSize: number;
    readonly states: number;
    /** Drafting: a predictor of its own for each sequence (node-llama-cpp: never share one). */
    readonly predictor?: () => Promise<TokenPredictor>;
}

/** The context with as many of the wanted states as memory allows, one sequence per state. */
export async function openSequencePool(model: LlamaModel, options: PoolOptions, log: Log): Promise<{ context: LlamaContext; pool: SequencePool }> {
    const { value: context, states } = await createWithFewerOnFailure(
        options.states,
        (sequences) => model.createContext({ contextSize: options.contextSize, sequences, threads: options.threads, batchSize: options.batchSize }),
        (sequences, error) => log("warn", `Could not create ${sequences} KV states (${error instanceof Error ? error.message : String(error)}); trying ${sequences - 1}.`),
    );
    try {
        const sequences: LlamaContextSequence[] = [];
        for (let i = 0; i < states; i++) {
            sequences.push(context.getSequence(options.predictor ? { tokenPredictor: await options.predictor() } : undefined));
        }
        return { context, pool: new SequencePool(sequences) };
    } catch (error) {
        await context.dispose();
        throw error;
    }
}

/** The sequences of one context, and which served when: hands each prompt the slot chooseSlot picks. */
export class SequencePool {
    private readonly lastUsed: number[];
    private clock = 0;
    private current = 0;

    constructor(private readonly sequences: readonly LlamaContextSequence[]) {
        if (sequences.length === 0) throw new Error("A sequence pool needs at least one sequence.");
        this.lastUsed = sequences.map(() => -1);
    }

    get size(): number {
        return this.sequences.length;
    }

    /** The sequence the latest prompt was given. */
    get latest(): LlamaContextSequence {
        return this.sequences[this.current];
    }

    /** The sequence to evaluate `prompt` on, marked as used now. `restored`: a kept state other than the latest. */
    take(prompt: readonly Token[]): { sequence: LlamaContextSequence; kvState: KvStateUse } {
        const views = this.sequences.map((sequence, i) => ({ tokens: sequence.contextTokens, lastUsed: this.lastUsed[i] }));
        const choice = this.sequences.length === 1 ? { slot: 0, reason: "prefix" as const } : chooseSlot(views, prompt);
        const restored = choice.reason === "prefix" && choice.slot !== this.current && this.clock > 0;
        this.current = choice.slot;
        this.lastUsed[choice.slot] = this.clock++;
        return { sequence: this.sequences[choice.slot], kvState: { slot: choice.slot, slots: this.sequences.length, restored } };
    }
}
