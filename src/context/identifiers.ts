// The identifiers of a text as a set of integer ids, so that comparing a chunk with the window around
// the cursor is integer work: retrieval.ts scores every chunk of every open document per keystroke.
//
// A token is a word of letters, digits, "_" and "$" that starts with a letter, "_" or "$": the
// identifiers of C-like languages, plus any Unicode letter (with its combining marks) so that prose and
// non-English names count too; emoji and punctuation separate words. Numbers are not words: "0" and
// "100" would link unrelated code.
//
// Case-folded, because the same name comes in several cases that mean the same thing: `User` the type
// and `user` the value, `getUser` and `GetUser`, a word that starts a sentence in prose. Two different
// names that differ only in case are rare, and merging them only nudges a score.
//
// Dropped: 1-character words (loop counters, `x`), the stop words (stopWords.ts), and words longer than
// MAX_IDENTIFIER_LENGTH, which are data (base64, hashes), not names anyone repeats.

import { STOP_WORDS } from "./stopWords";

const WORD = /[\p{L}_$][\p{L}\p{M}\p{N}_$]*/gu;
export const MAX_IDENTIFIER_LENGTH = 64;

/** The id of a dropped word. Real ids start at 1, so a bitmap over ids needs `size + 1` entries. */
export const NO_ID = 0;

/**
 * Case-folded identifiers to dense integer ids, shared by every document, the ring buffer and the
 * window, so the same word has the same id everywhere. Ids are never reused: ContextIndex starts a
 * new vocabulary when this one grows past its limit.
 */
export class Vocabulary {
    private readonly byWord = new Map<string, number>();
    // Each spelling as written, to skip case folding and the stop-word test for words seen before:
    // most tokens of a document repeat.
    private readonly bySpelling = new Map<string, number>();

    /** How many ids have been given out (the largest id). */
    get size(): number {
        return this.byWord.size;
    }

    /** The id of `token` as written in the text, adding it when new; NO_ID for a dropped word. */
    intern(token: string): number {
        const known = this.bySpelling.get(token);
        if (known !== undefined) return known;
        const word = foldedWord(token);
        let id = NO_ID;
        if (word !== undefined) {
            id = this.byWord.get(word) ?? this.byWord.size + 1;
            if (id > this.byWord.size) this.byWord.set(word, id);
        }
        this.bySpelling.set(token, id);
        return id;
    }

    /** The id of `token` without adding anything: undefined for a word no indexed text has. */
    find(token: string): number | undefined {
        const known = this.bySpelling.get(token);
        if (known !== undefined) return known;
        const word = foldedWord(token);
        return word === undefined ? NO_ID : this.byWord.get(word);
    }
}

/** The word a token is compared as, or undefined when it does not count. */
function foldedWord(token: string): string | undefined {
    if (token.length < 2 || token.length > MAX_IDENTIFIER_LENGTH) return undefined;
    const word = token.toLowerCase();
    // Folding can shorten a word ("İ" is two code units lower-cased, but "ǅ" stays one): test again.
    return word.length < 2 || STOP_WORDS.has(word) ? undefined : word;
}

/** Calls `visit` with each token of `text` as written, in order. */
export function forEachToken(text: string, visit: (token: string) => void): void {
    const word = new RegExp(WORD.source, WORD.flags);
    for (let match = word.exec(text); match !== null; match = word.exec(text)) visit(match[0]);
}

/** The ids of `text`'s identifiers, with repeats, interning new ones; dropped words are left out. */
export function identifierIds(text: string, vocabulary: Vocabulary): number[] {
    const ids: number[] = [];
    forEachToken(text, (token) => {
        const id = vocabulary.intern(token);
        if (id !== NO_ID) ids.push(id);
    });
    return ids;
}

/** A set of ids as a sorted Uint32Array without repeats: compact, and two sets intersect by merging. */
export function toIdSet(ids: ArrayLike<number>): Uint32Array {
    const sorted = Uint32Array.from(ids).sort();
    let kept = 0;
    for (let i = 0; i < sorted.length; i++) {
        if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[kept++] = sorted[i];
    }
    return sorted.slice(0, kept);
}

/** The identifier set of `text`, interning new words. */
export function identifierSet(text: string, vocabulary: Vocabulary): Uint32Array {
    return toIdSet(identifierIds(text, vocabulary));
}

/** A text's identifiers compared with indexed ones, without growing the vocabulary. */
export interface ProbeSet {
    /** The ids of its identifiers some indexed text also has. */
    readonly ids: Uint32Array;
    /** How many distinct identifiers no indexed text has: they count in every union, never in an intersection. */
    readonly unknown: number;
}

/**
 * The identifiers of the window around the cursor. Looked up, not interned: the window changes with
 * every keystroke, and a half-typed word must not take an id forever.
 */
export function probeSet(text: string, vocabulary: Vocabulary): ProbeSet {
    const ids: number[] = [];
    const unknown = new Set<string>();
    forEachToken(text, (token) => {
        const id = vocabulary.find(token);
        if (id === undefined) unknown.add(token.toLowerCase());
        else if (id !== NO_ID) ids.push(id);
    });
    return { ids: toIdSet(ids), unknown: unknown.size };
}

/** |a ∩ b| of two sorted id sets. */
export function intersectionSize(a: Uint32Array, b: Uint32Array): number {
    let [i, j, shared] = [0, 0, 0];
    while (i < a.length && j < b.length) {
        if (a[i] === b[j]) {
            shared++;
            i++;
            j++;
        } else if (a[i] < b[j]) i++;
        else j++;
    }
    return shared;
}

/**
 * Jaccard similarity at which two texts count as copies of each other: the ring keeps one of them,
 * retrieval offers one (snippetChoice.ts says why 0.8).
 */
export const NEAR_COPY_SIMILARITY = 0.8;

/** Jaccard similarity |a ∩ b| / |a ∪ b| of two sorted id sets; 0 when both are empty. */
export function jaccard(a: Uint32Array, b: Uint32Array): number {
    const shared = intersectionSize(a, b);
    const union = a.length + b.length - shared;
    return union === 0 ? 0 : shared / union;
}
