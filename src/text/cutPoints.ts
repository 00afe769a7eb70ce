// Offsets are UTF-16 code units, as in VS Code and JavaScript strings. A cut point is an offset where
// slicing keeps every character whole. Splitting a surrogate pair would hand the tokenizer a lone
// surrogate (a U+FFFD it never sees in the document); splitting a CRLF would leave a lone CR at the
// end of a prompt, which the model reads as a different line ending.

const LF = 10;
const CR = 13;

function isHighSurrogate(code: number): boolean {
    return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
    return code >= 0xdc00 && code <= 0xdfff;
}

export function isCutPoint(text: string, offset: number): boolean {
    if (offset <= 0 || offset >= text.length) {
        return true;
    }
    const before = text.charCodeAt(offset - 1);
    const after = text.charCodeAt(offset);
    return !(isHighSurrogate(before) && isLowSurrogate(after)) && !(before === CR && after === LF);
}

// One step is always enough: the unit that starts a split is a high surrogate or a CR, and neither
// can be the second half of another split.
export function cutPointAtOrBefore(text: string, offset: number): number {
    return isCutPoint(text, offset) ? offset : offset - 1;
}

export function cutPointAtOrAfter(text: string, offset: number): number {
    return isCutPoint(text, offset) ? offset : offset + 1;
}

function isLineStart(text: string, offset: number): boolean {
    return offset === 0 || text.charCodeAt(offset - 1) === LF;
}

// After a space, tab or closing punctuation a Llama piece ends anyway, so a cut there changes the
// tokens of the first word least.
const SOFT_BREAK_AFTER = new Set([..." \t;,)]}>"].map((c) => c.charCodeAt(0)));

function isSoftBreak(text: string, offset: number): boolean {
    return offset > 0 && SOFT_BREAK_AFTER.has(text.charCodeAt(offset - 1));
}

// Bounded on purpose: the document may be a single 5 MB line, so the search must never walk to a
// line end it cannot see.
function nearest(
    text: string,
    offset: number,
    min: number,
    max: number,
    reach: number,
    accepts: (text: string, offset: number) => boolean,
): number | undefined {
    const lo = Math.max(min, offset - reach);
    const hi = Math.min(max, offset + reach);
    for (let distance = 0; offset - distance >= lo || offset + distance <= hi; distance++) {
        // Forward first on ties: a later start is a shorter window, the safer side of the budget.
        const later = offset + distance;
        if (later <= hi && later >= lo && accepts(text, later)) {
            return later;
        }
        const earlier = offset - distance;
        if (earlier >= lo && earlier <= hi && accepts(text, earlier)) {
            return earlier;
        }
    }
    return undefined;
}

const SOFT_BREAK_REACH = 64;

/**
 * A window start near `offset`, within [min, max] (max must be a cut point): the nearest line start
 * within `reach`, else a soft break close by, else the cut point at `offset`.
 */
export function alignedStartNear(text: string, offset: number, min: number, max: number, reach: number): number {
    const clamped = Math.min(Math.max(offset, min), max);
    return (
        nearest(text, clamped, min, max, reach, isLineStart) ??
        nearest(text, clamped, min, max, Math.min(reach, SOFT_BREAK_REACH), isSoftBreak) ??
        Math.min(cutPointAtOrAfter(text, clamped), max)
    );
}
