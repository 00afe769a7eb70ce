// Recently edited, viewed and copied ranges, after llama.vscode's ring of chunks: what the user just
// worked on is likely what the next completion needs, even in a file that is no longer open. Small and
// bounded: the oldest entry goes when a new one does not fit. A new range that overlaps one already
// held for the same file, or nearly repeats it, replaces it and becomes the newest: the ring keeps the
// latest text of an area once, not every keystroke's copy of it. Held oldest first in a plain array:
// with 16 entries a scan and a splice cost less than the bookkeeping of a circular index would save.

import { CHUNK_LINES, MAX_CHUNK_CHARS, chunkRanges } from "./chunks";
import { NEAR_COPY_SIMILARITY, identifierSet, jaccard, type Vocabulary } from "./identifiers";
import { rangesOverlap, splitLines } from "./lines";

export const RING_CAPACITY = 16;

export type RingSource = "edit" | "view" | "clipboard";

export interface RingEntryInput {
    readonly path: string;
    readonly languageId: string;
    readonly text: string;
    /** The text's first line in its document, 0-based. */
    readonly startLine: number;
    readonly source: RingSource;
}

export interface RingEntry extends RingEntryInput {
    /** The line after the last (exclusive). */
    readonly endLine: number;
    /** When it was recorded (the index's clock, ms). */
    readonly at: number;
    readonly ids: Uint32Array;
}

/**
 * The entry for `input`, cut like a chunk (CHUNK_LINES lines, MAX_CHUNK_CHARS,
 * long lines capped) so that entries and chunks compete at the same size. Undefined when it has no
 * identifier, since it could never be chosen.
 */
export function makeRingEntry(input: RingEntryInput, at: number, vocabulary: Vocabulary): RingEntry | undefined {
    // splitLines drops the "\r" of each CRLF; a pasted 10 MB text is read only as far as the cut.
    const lines = splitLines(input.text, { maxLines: CHUNK_LINES, maxChars: MAX_CHUNK_CHARS });
    const [, end] = chunkRanges(lines)[0] ?? [0, 0];
    const text = lines.slice(0, end).join("\n");
    const ids = identifierSet(text, vocabulary);
    if (ids.length === 0) return undefined;
    const startLine = Math.max(0, Math.floor(input.startLine));
    return { path: input.path, languageId: input.languageId, source: input.source, text, startLine, endLine: startLine + end, at, ids };
}

export class RingBuffer {
    private held: RingEntry[] = [];

    constructor(readonly capacity = RING_CAPACITY) {}

    /** Adds `entry` as the newest, replacing what it repeats, dropping the oldest beyond capacity. */
    add(entry: RingEntry): void {
        this.held = this.held.filter((old) => !repeats(entry, old));
        this.held.push(entry);
        if (this.held.length > this.capacity) this.held.splice(0, this.held.length - this.capacity);
    }

    /** Oldest first. */
    entries(): readonly RingEntry[] {
        return this.held;
    }

    get size(): number {
        return this.held.length;
    }

    clear(): void {
        this.held = [];
    }

    /** Every entry's identifiers again in a new vocabulary. */
    useVocabulary(vocabulary: Vocabulary): void {
        this.held = this.held.map((entry) => ({ ...entry, ids: identifierSet(entry.text, vocabulary) }));
    }
}

function repeats(entry: RingEntry, old: RingEntry): boolean {
    if (entry.path !== old.path) return false;
    return rangesOverlap(entry.startLine, entry.endLine, old.startLine, old.endLine) || jaccard(entry.ids, old.ids) >= NEAR_COPY_SIMILARITY;
}
