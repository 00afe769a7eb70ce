// Suggestions already generated, so that typing what the ghost text shows costs no request.
// Stored at prefix P with suggestion "foo(bar)": the user types "fo" and lookup(P + "fo") returns
// "o(bar)"; deleting back to P returns "foo(bar)" again. This is llama.vscode's walk-back over typed
// characters, done by position: an entry remembers where its cursor was, so a lookup checks each
// entry of the document once instead of trying every walk-back length.
//
// Keys. An entry is (document, absolute cursor offset, the last `keyChars` of the prefix): never the
// whole prefix, which may be 10 MB. Same offset and same tail is treated as the same prefix; an edit
// farther up that keeps the length can return a suggestion made before it, which is acceptable for
// ghost text (the model is prompted mostly by the nearby text) and any edit that changes the length
// before the cursor misses. Callers that pass a slice of the document say where it starts
// (`prefixStart`), so the absolute offset is right; a store with less than `keyChars` of context
// (unless it reaches the document start) is refused, since it could not be told apart.
//
// The suffix. Solar base is prefix-only: the raw suggestion does not depend on the text after the
// cursor, and post-processing against the live suffix runs after every lookup. So by default the
// suffix is not part of the key, which also keeps typing-through working when auto-closing inserts
// `)` after the cursor. A caller whose stored text did depend on the suffix (a fill-in-the-middle
// model, an already post-processed suggestion) passes `suffix` to store(); such an entry only
// matches lookups whose suffix starts the same (first `suffixChars`).
//
// Results. A remainder never starts inside a surrogate pair or a CRLF. A suggestion typed through to
// its end returns undefined: it is used up, and what comes next is a new question for the model.
// A suggestion stored as "" (the model had nothing to add) returns "" at exactly its prefix, so the
// same question is not asked again.

export interface CacheOptions {
    /** Most entries over all documents; the least recently used goes first. */
    readonly capacity: number;
    /** Most characters typed through an entry before it no longer applies. */
    readonly maxTypedChars: number;
    /** How much of the prefix, at its end, identifies an entry. */
    readonly keyChars: number;
    /** How much of the suffix an entry stored with one compares. */
    readonly suffixChars: number;
}

export const DEFAULT_CACHE_OPTIONS: CacheOptions = { capacity: 50, maxTypedChars: 64, keyChars: 4096, suffixChars: 256 };

export interface CachePosition {
    /** Document offset of `prefix[0]` when the prefix is a slice ending at the cursor; 0 by default. */
    readonly prefixStart?: number;
    /** Text after the cursor: see "The suffix" above. */
    readonly suffix?: string;
}

interface Entry {
    readonly documentId: string;
    /** Absolute offset of the cursor when the suggestion was made. */
    readonly end: number;
    readonly tail: string;
    readonly suffix: string | undefined;
    readonly suggestion: string;
}

export class CompletionCache {
    private readonly options: CacheOptions;
    // Map keeps insertion order: the first key is the least recently used.
    private readonly entries = new Map<string, Entry>();

    constructor(options: Partial<CacheOptions> = {}) {
        this.options = { ...DEFAULT_CACHE_OPTIONS, ...options };
    }

    get size(): number {
        return this.entries.size;
    }

    /**
     * Remembers `suggestion` for the cursor after `prefix`: a request's answer, or one pre-fetched
     * for the prefix that accepting a suggestion will produce. Returns false when refused (too
     * little context to identify the prefix).
     */
    store(documentId: string, prefix: string, suggestion: string, at: CachePosition = {}): boolean {
        const start = at.prefixStart ?? 0;
        const end = start + prefix.length;
        const tailLength = Math.min(this.options.keyChars, end);
        if (prefix.length < tailLength) return false;
        const tail = detach(prefix.slice(prefix.length - tailLength));
        const key = `${documentId}\u0000${end}\u0000${tail}`;
        const suffix = at.suffix === undefined ? undefined : detach(at.suffix.slice(0, this.options.suffixChars));
        this.entries.delete(key);
        this.entries.set(key, { documentId, end, tail, suffix, suggestion });
        while (this.entries.size > this.options.capacity) {
            const oldest = this.entries.keys().next();
            if (oldest.done) break;
            this.entries.delete(oldest.value);
        }
        return true;
    }

    /** What is left to show of a cached suggestion at this cursor, or undefined on a miss. */
    lookup(documentId: string, prefix: string, at: CachePosition = {}): string | undefined {
        const end = (at.prefixStart ?? 0) + prefix.length;
        let best: { key: string; typed: number; remainder: string } | undefined;
        for (const [key, entry] of this.entries) {
            if (entry.documentId !== documentId) continue;
            const typed = end - entry.end;
            if (typed < 0 || typed > this.options.maxTypedChars || typed > prefix.length) continue;
            // The fewest typed characters wins: the entry made closest to this cursor.
            if (best && typed >= best.typed) continue;
            const base = prefix.length - typed;
            // endsWith is false when base < tail.length: a lookup with less context can't confirm.
            if (!prefix.endsWith(entry.tail, base)) continue;
            if (!suffixMatches(entry.suffix, at.suffix, this.options.suffixChars)) continue;
            const remainder = typedThrough(prefix.slice(base), entry.suggestion);
            if (remainder !== undefined) best = { key, typed, remainder };
        }
        if (!best) return undefined;
        const entry = this.entries.get(best.key);
        if (entry) {
            this.entries.delete(best.key);
            this.entries.set(best.key, entry);
        }
        return best.remainder;
    }

    /** The document was closed. */
    forget(documentId: string): void {
        for (const [key, entry] of this.entries) if (entry.documentId === documentId) this.entries.delete(key);
    }

    /** Everything: another model gives other suggestions. */
    clear(): void {
        this.entries.clear();
    }
}

/**
 * A copy that does not keep `text`'s parent alive. V8 makes a slice of a long string a view into it,
 * so a 4 KB tail would otherwise hold the whole 10 MB document for as long as the entry lives.
 * Prepending a character forces a flat copy; the slice then views that copy.
 */
function detach(text: string): string {
    return ` ${text}`.slice(1);
}

function suffixMatches(stored: string | undefined, current: string | undefined, suffixChars: number): boolean {
    if (stored === undefined) return true;
    return current !== undefined && current.slice(0, suffixChars) === stored;
}

/**
 * The rest of `suggestion` after the user typed `typed` into it, or undefined when the typing left it
 * (or used it up). The editor writes the document's line break where the model wrote "\n", so "\r\n"
 * typed matches "\n" suggested and the other way round.
 */
export function typedThrough(typed: string, suggestion: string): string | undefined {
    if (typed.length === 0) return suggestion;
    let i = 0;
    let j = 0;
    while (i < typed.length) {
        if (j >= suggestion.length) return undefined;
        if (typed[i] === suggestion[j]) {
            i++;
            j++;
        } else if (typed[i] === "\r" && typed[i + 1] === "\n" && suggestion[j] === "\n") {
            i += 2;
            j++;
        } else if (typed[i] === "\n" && suggestion[j] === "\r" && suggestion[j + 1] === "\n") {
            i++;
            j += 2;
        } else {
            return undefined;
        }
    }
    if (j >= suggestion.length || splitsPair(suggestion, j)) return undefined;
    return suggestion.slice(j);
}

/** Whether `at` falls inside a surrogate pair or a CRLF: no cursor can be there. */
function splitsPair(text: string, at: number): boolean {
    const before = text.charCodeAt(at - 1);
    const after = text.charCodeAt(at);
    const highThenLow = before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
    return highThenLow || (before === 13 && after === 10);
}
