import { alignedStartNear, cutPointAtOrBefore, isCutPoint } from "../text/cutPoints";
import { MAX_CHARS_PER_TOKEN } from "./limits";

/** Where the last window started, plus a fingerprint of the text there. Opaque to callers. */
export interface WindowAnchor {
    readonly start: number;
    readonly head: string;
}

export interface PromptWindowRequest {
    /** The whole document; may be megabytes, or one huge line. */
    readonly text: string;
    /** UTF-16 offset of the cursor. */
    readonly cursor: number;
    /** Exact number of tokens the engine evaluates for this prompt text, BOS included. */
    readonly countTokens: (text: string) => number;
    /** Most prompt tokens allowed: context size - max new tokens - margin. */
    readonly budget: number;
    /**
     * The anchor returned for the previous request on the same document, or several recent ones,
     * newest first: the first that still holds and fits is kept, so a jump away and back finds the
     * window (and the engine's cached state) it left.
     */
    readonly previous?: WindowAnchor | readonly WindowAnchor[];
}

export interface PromptWindow {
    /** text.slice(start, end) */
    readonly prompt: string;
    readonly start: number;
    /** The cursor used: moved back when the given one split a surrogate pair or a CRLF. */
    readonly end: number;
    /** countTokens(prompt), never above the budget. */
    readonly promptTokens: number;
    readonly anchor: WindowAnchor;
    /** The previous anchor was not kept: the engine's cache misses from the start of the window. */
    readonly moved: boolean;
}

// More than MAX_CHARS_PER_TOKEN chars per token of budget can never fit (the longest Llama-2 pieces,
// "▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁" and "================", are 16 UTF-16 units): such a window is rejected uncounted.

// When the start has to be placed, aim below the budget: every move re-evaluates the whole window,
// so leave about a quarter of it to type into before the next move.
const FILL_TARGET = 0.72;
const FILL_MIN = 0.6;
const FILL_MAX = 0.8;

// Only the first guess of a fresh window uses it; later guesses use the density just measured.
const GUESS_CHARS_PER_TOKEN = 3;
// Usually one or two counts land in the fill band; the rest bisects density jumps (emoji, CJK,
// minified runs). Each count is O(window), so this bounds the cost of a move.
const MAX_PLACEMENT_COUNTS = 8;
const DENSITY_GUESSES = 3;
// Line starts this close to the guess are preferred to the exact guess; 10% of the window stays
// inside the fill band for text of even density.
const ALIGN_REACH_FRACTION = 0.1;
const MIN_ALIGN_REACH = 64;

const HEAD_CHARS = 32;

interface Placement {
    readonly start: number;
    readonly tokens: number;
}

interface Search {
    readonly text: string;
    readonly end: number;
    readonly countTokens: (text: string) => number;
    readonly emptyTokens: number;
    readonly budget: number;
}

/**
 * The prompt is the text from an anchored start to the cursor. The start stays put while the
 * window fits, so successive prompts share their token prefix and the engine's KV cache; it only
 * moves, in one line-aligned jump to ~72% of the budget, when the window no longer fits or the
 * anchor no longer describes the document.
 */
export function buildPromptWindow(req: PromptWindowRequest): PromptWindow {
    const { text, countTokens, budget, previous } = req;
    const end = cursorIn(text, req.cursor);
    const emptyTokens = countTokens("");
    if (!(budget >= emptyTokens)) {
        throw new RangeError(`Prompt budget ${budget} is below the ${emptyTokens} tokens of an empty prompt.`);
    }
    const search: Search = { text, end, countTokens, emptyTokens, budget };

    let placement: Placement | undefined;
    let moved = true;
    // The newest anchor that holds but no longer fits says where to search from, as one anchor did.
    let overflowed: { readonly anchor: WindowAnchor; readonly tokens: number } | undefined;
    for (const remembered of anchorsOf(previous)) {
        const anchor = relocated(remembered, text);
        if (!anchorHolds(anchor, text, end, budget)) continue;
        const tokens = countTokens(text.slice(anchor.start, end));
        if (tokens <= budget) {
            placement = { start: anchor.start, tokens };
            moved = false;
            break;
        }
        overflowed ??= { anchor, tokens };
    }
    if (placement === undefined && overflowed !== undefined) {
        const { anchor, tokens } = overflowed;
        placement = place(search, anchor.start + 1, densityOf(search, anchor.start, tokens));
    }
    placement ??= wholePrefix(search) ?? place(search, Math.max(0, end - budget * MAX_CHARS_PER_TOKEN), GUESS_CHARS_PER_TOKEN);

    const { start, tokens } = placement;
    return {
        prompt: text.slice(start, end),
        start,
        end,
        promptTokens: tokens,
        anchor: { start, head: text.slice(start, Math.min(start + HEAD_CHARS, end)) },
        moved,
    };
}

/**
 * A document whose whole prefix fits starts at 0: the most context, and a start that never has to
 * move until the prefix outgrows the budget. Only tried when it can possibly fit.
 */
function wholePrefix(search: Search): Placement | undefined {
    if (search.end > search.budget * MAX_CHARS_PER_TOKEN) return undefined;
    const tokens = search.countTokens(search.text.slice(0, search.end));
    return tokens <= search.budget ? { start: 0, tokens } : undefined;
}

/** At most this many remembered anchors are tried: each that holds costs one count. */
const MAX_ANCHORS = 4;

function anchorsOf(previous: PromptWindowRequest["previous"]): readonly WindowAnchor[] {
    if (previous === undefined) return [];
    return isAnchorList(previous) ? previous.slice(0, MAX_ANCHORS) : [previous];
}

function isAnchorList(previous: WindowAnchor | readonly WindowAnchor[]): previous is readonly WindowAnchor[] {
    return Array.isArray(previous);
}

/** How far an edit above may have moved an anchor's text and still be followed. */
const RELOCATE_CHARS = 4096;

/**
 * The anchor where its head now is: an edit above it (typing near the top of the file, then jumping
 * back) shifts its offset but not its text, and the window there is still the one the engine's KV
 * state holds. The head is searched for near the old offset only; if it is not found, the anchor is
 * returned as it was and fails anchorHolds.
 */
function relocated(anchor: WindowAnchor, text: string): WindowAnchor {
    const { start, head } = anchor;
    if (head.length === 0 || !Number.isInteger(start) || text.startsWith(head, start)) return anchor;
    const after = text.indexOf(head, start);
    const before = text.lastIndexOf(head, start);
    const candidates = [after, before].filter((at) => at >= 0 && Math.abs(at - start) <= RELOCATE_CHARS);
    if (candidates.length === 0) return anchor;
    const nearest = candidates.reduce((a, b) => (Math.abs(a - start) <= Math.abs(b - start) ? a : b));
    return { start: nearest, head };
}

function cursorIn(text: string, cursor: number): number {
    if (!Number.isFinite(cursor)) {
        throw new RangeError(`Cursor ${cursor} is not an offset.`);
    }
    return cutPointAtOrBefore(text, Math.min(Math.max(Math.trunc(cursor), 0), text.length));
}

function anchorHolds(anchor: WindowAnchor, text: string, end: number, budget: number): boolean {
    const { start, head } = anchor;
    return (
        Number.isInteger(start) &&
        start >= 0 &&
        start <= end &&
        // Too long to fit whatever it holds: do not pay for counting it.
        end - start <= budget * MAX_CHARS_PER_TOKEN &&
        isCutPoint(text, start) &&
        text.startsWith(head, start)
    );
}

function densityOf(search: Search, start: number, tokens: number): number {
    const textTokens = tokens - search.emptyTokens;
    return textTokens > 0 ? (search.end - start) / textTokens : GUESS_CHARS_PER_TOKEN;
}

/**
 * Finds a start in [lowest, end] whose window holds FILL_MIN..FILL_MAX of the budget, preferring line
 * starts. Counts are exact but not strictly monotonic in the start (a cut can merge or split the
 * first piece), so the search trusts only what it measured: `fit` is the lowest start seen at or
 * under FILL_MAX; starts below `lowest` were seen over it or are too long to fit at all.
 */
function place(search: Search, lowest: number, charsPerToken: number): Placement {
    const { text, end, countTokens, emptyTokens, budget } = search;
    const low = budget * FILL_MIN;
    const high = Math.max(budget * FILL_MAX, emptyTokens);
    const targetTextTokens = budget * FILL_TARGET - emptyTokens;

    let best: Placement = { start: end, tokens: emptyTokens };
    let density = charsPerToken;
    for (let round = 0; round < MAX_PLACEMENT_COUNTS && lowest < best.start; round++) {
        const fit = best.start;
        const midpoint = Math.floor((lowest + fit) / 2);
        const targetChars = targetTextTokens * density;
        const alignReach = Math.max(MIN_ALIGN_REACH, Math.round(targetChars * ALIGN_REACH_FRACTION));
        let start =
            round < DENSITY_GUESSES
                ? alignedStartNear(text, Math.round(end - targetChars), lowest, fit, alignReach)
                : alignedStartNear(text, midpoint, lowest, fit, (fit - lowest) >> 2);
        if (start === fit) {
            // Alignment fell back onto a start already measured; bisect without it.
            start = alignedStartNear(text, midpoint, lowest, fit, 0);
            if (start === fit) {
                break;
            }
        }
        const tokens = countTokens(text.slice(start, end));
        if (tokens <= high) {
            best = { start, tokens };
            if (tokens >= low || start === 0) {
                break;
            }
        } else {
            lowest = start + 1;
        }
        density = densityOf(search, start, tokens);
    }
    return best;
}
