// Open documents cut into overlapping chunks of lines, each with its identifier set, cached per
// document version so a keystroke re-indexes only the document it changed.
//
// 40 lines a chunk: a whole function or class member of usual size fits, and a chunk rendered as a
// comment block (~1,400 characters, ~450 tokens) leaves room in Solar's 4,096-token window for two or
// three of them beside the current file. Stride 20 (half): any 20 consecutive lines lie whole in one
// chunk, so a definition is never found only in halves. A chunk also ends at MAX_CHUNK_CHARS.

import { identifierIds, toIdSet, type Vocabulary } from "./identifiers";
import { splitLines } from "./lines";
import { buildPostings, type Postings } from "./postings";

export const CHUNK_LINES = 40;
export const CHUNK_STRIDE = CHUNK_LINES / 2;
/** Longest chunk text, about 1,000-1,300 tokens: under a third of the window even when it is all code. */
export const MAX_CHUNK_CHARS = 4_000;
// A generated file of 100,000 lines would add 5,000 chunks to every keystroke's scoring: only its
// start is indexed. 20,000 lines is ten times the files the speed target is set for.
export const MAX_DOCUMENT_LINES = 20_000;
export const MAX_DOCUMENT_CHARS = 2_000_000;

export interface Chunk {
    /** First line, 0-based. */
    readonly startLine: number;
    /** The line after the last (exclusive). */
    readonly endLine: number;
    /** Identifier set: a view into one buffer per document (one allocation, not one per chunk). */
    readonly ids: Uint32Array;
}

export interface DocumentInput {
    /** How the document is named in the prompt (workspace-relative) and its key in the index. */
    readonly path: string;
    readonly languageId: string;
    readonly text: string;
    /** The editor's version: a document is re-indexed only when it changes. */
    readonly version: number;
}

export interface IndexedDocument {
    readonly path: string;
    readonly languageId: string;
    readonly version: number;
    /** The lines read (capped, see lines.ts): chunk texts are built from them only when chosen. */
    readonly lines: readonly string[];
    /** Chunks with at least one identifier: the others can never score. */
    readonly chunks: readonly Chunk[];
    /** For each identifier, the indices in `chunks` of the chunks that hold it. */
    readonly postings: Postings;
    /** Each line's identifier set, reused by the next version for the lines it did not change. */
    readonly lineIds: ReadonlyMap<string, Uint32Array>;
}

/** A chunk's text, lines joined with "\n". */
export function chunkText(document: IndexedDocument, chunk: Chunk): string {
    return document.lines.slice(chunk.startLine, chunk.endLine).join("\n");
}

/** Indexes `input`; `previous` (an earlier version, same vocabulary) lends the sets of unchanged lines. */
export function indexDocument(input: DocumentInput, vocabulary: Vocabulary, previous?: IndexedDocument): IndexedDocument {
    const lines = splitLines(input.text, { maxLines: MAX_DOCUMENT_LINES, maxChars: MAX_DOCUMENT_CHARS });
    const lineIds = new Map<string, Uint32Array>();
    const perLine = lines.map((line) => {
        let ids = lineIds.get(line) ?? previous?.lineIds.get(line);
        if (ids === undefined) ids = toIdSet(identifierIds(line, vocabulary));
        lineIds.set(line, ids);
        return ids;
    });
    const ranges = chunkRanges(lines);
    const sets = ranges.map(([start, end]) => unionOf(perLine, start, end));
    const buffer = new Uint32Array(sets.reduce((total, set) => total + set.length, 0));
    const chunks: Chunk[] = [];
    let offset = 0;
    sets.forEach((set, i) => {
        if (set.length === 0) return;
        buffer.set(set, offset);
        chunks.push({ startLine: ranges[i][0], endLine: ranges[i][1], ids: buffer.subarray(offset, offset + set.length) });
        offset += set.length;
    });
    const postings = buildPostings(chunks.map((chunk) => chunk.ids), buffer);
    return { path: input.path, languageId: input.languageId, version: input.version, lines, chunks, postings, lineIds };
}

/** [start, end) of each chunk: every CHUNK_STRIDE lines, CHUNK_LINES long or up to MAX_CHUNK_CHARS. */
export function chunkRanges(lines: readonly string[]): [number, number][] {
    const ranges: [number, number][] = [];
    for (let start = 0; start < lines.length; start += CHUNK_STRIDE) {
        const last = Math.min(start + CHUNK_LINES, lines.length);
        // At least one line, which MAX_LINE_CHARS keeps below the cap.
        let [end, chars] = [start + 1, lines[start].length];
        while (end < last && chars + 1 + lines[end].length <= MAX_CHUNK_CHARS) chars += 1 + lines[end++].length;
        ranges.push([start, end]);
        // The document's end is inside this chunk: a later start would only repeat its tail.
        if (start + CHUNK_LINES >= lines.length) break;
    }
    return ranges;
}

function unionOf(perLine: readonly Uint32Array[], start: number, end: number): Uint32Array {
    let total = 0;
    for (let line = start; line < end; line++) total += perLine[line].length;
    const all = new Uint32Array(total);
    for (let line = start, at = 0; line < end; line++) {
        all.set(perLine[line], at);
        at += perLine[line].length;
    }
    return toIdSet(all);
}

/** The indexed open documents by path; a document is indexed again only when its version changes. */
export class ChunkCache {
    private readonly byPath = new Map<string, IndexedDocument>();

    constructor(private vocabulary: Vocabulary) {}

    /** Indexes the document unless this version is already indexed; true when it indexed. */
    upsert(input: DocumentInput): boolean {
        const previous = this.byPath.get(input.path);
        if (previous?.version === input.version && previous.languageId === input.languageId) return false;
        this.byPath.set(input.path, indexDocument(input, this.vocabulary, previous));
        return true;
    }

    delete(path: string): void {
        this.byPath.delete(path);
    }

    get(path: string): IndexedDocument | undefined {
        return this.byPath.get(path);
    }

    documents(): IterableIterator<IndexedDocument> {
        return this.byPath.values();
    }

    get size(): number {
        return this.byPath.size;
    }

    /** Forgets every document; what comes next is indexed in `vocabulary`. */
    clear(vocabulary: Vocabulary): void {
        this.byPath.clear();
        this.vocabulary = vocabulary;
    }

    /** Every document indexed again from its lines in a new vocabulary (the old ids mean nothing there). */
    useVocabulary(vocabulary: Vocabulary): void {
        this.vocabulary = vocabulary;
        for (const [path, document] of this.byPath) {
            const text = document.lines.join("\n");
            this.byPath.set(path, indexDocument({ path, languageId: document.languageId, text, version: document.version }, vocabulary));
        }
    }
}
