// Everything retrieval keeps between keystrokes, in one object the adapter owns: the shared vocabulary,
// the chunks of each open document (indexed again only when its version changes) and the ring of
// recent ranges. No vscode here: the adapter feeds it plain data (paths, texts, versions) and asks for
// the snippets of a cursor window.

import { ChunkCache, type DocumentInput } from "./chunks";
import { Vocabulary } from "./identifiers";
import { RingBuffer, RING_CAPACITY, makeRingEntry, type RingEntryInput, type RingSource } from "./ringBuffer";
import { selectSnippets, type CurrentWindow } from "./retrieval";
import type { Snippet } from "./snippet";

/**
 * Ids are never freed while a vocabulary lives, so a long session that opens many files would grow it
 * without end. Past this many words it is built again from what is still indexed (every document and
 * ring entry indexed anew, once). Measured: 200,000 words, each seen in two spellings, hold 46 MB of
 * heap; this repository's 200 source files have 5,600 words, the bench's 50 generated ones 34,000.
 */
export const MAX_VOCABULARY = 100_000;

export interface ContextIndexOptions {
    /** Milliseconds, for the ring entries' `at`; Date.now by default. */
    readonly clock?: () => number;
    readonly ringCapacity?: number;
    readonly maxVocabulary?: number;
}

export interface SelectRequest {
    readonly current: CurrentWindow;
    /** Budget for the rendered blocks (a token budget times CHARS_PER_TOKEN_ESTIMATE). */
    readonly maxChars: number;
    /** Default DEFAULT_MAX_SNIPPETS. */
    readonly maxSnippets?: number;
    /** Whether the open documents' chunks compete (default true). */
    readonly documents?: boolean;
    /** Which ring entries compete (default all). */
    readonly ring?: readonly RingSource[];
}

export interface ContextIndexStats {
    readonly documents: number;
    readonly chunks: number;
    readonly vocabulary: number;
    readonly ringEntries: number;
}

export class ContextIndex {
    private vocabulary = new Vocabulary();
    private readonly documents = new ChunkCache(this.vocabulary);
    private readonly ring: RingBuffer;
    private readonly clock: () => number;
    private readonly maxVocabulary: number;
    private rebuildAbove: number;

    constructor(options: ContextIndexOptions = {}) {
        this.clock = options.clock ?? Date.now;
        this.ring = new RingBuffer(options.ringCapacity ?? RING_CAPACITY);
        this.maxVocabulary = options.maxVocabulary ?? MAX_VOCABULARY;
        this.rebuildAbove = this.maxVocabulary;
    }

    /** Indexes an open document unless this version already is; true when it indexed. */
    upsertDocument(input: DocumentInput): boolean {
        const indexed = this.documents.upsert(input);
        if (indexed) this.limitVocabulary();
        return indexed;
    }

    /** A closed document: its chunks go; what the ring holds of it stays, as recent work. */
    removeDocument(path: string): void {
        this.documents.delete(path);
    }

    /** Records a recently edited, viewed or copied range; false when it has no identifier to match. */
    record(input: RingEntryInput): boolean {
        const entry = makeRingEntry(input, this.clock(), this.vocabulary);
        if (entry === undefined) return false;
        this.ring.add(entry);
        this.limitVocabulary();
        return true;
    }

    /** The snippets for the prompt before `current`'s window, least relevant first. */
    select(request: SelectRequest): Snippet[] {
        const sources = request.ring;
        const ring = sources === undefined ? this.ring.entries() : this.ring.entries().filter((entry) => sources.includes(entry.source));
        const documents = request.documents === false ? [] : this.documents.documents();
        const { current, maxChars, maxSnippets } = request;
        return selectSnippets({ current, maxChars, maxSnippets, documents, ring, vocabulary: this.vocabulary });
    }

    /** Forgets every document and ring entry (trust or eligibility changed), and their words. */
    clear(): void {
        this.vocabulary = new Vocabulary();
        this.documents.clear(this.vocabulary);
        this.ring.clear();
        this.rebuildAbove = this.maxVocabulary;
    }

    stats(): ContextIndexStats {
        let chunks = 0;
        for (const document of this.documents.documents()) chunks += document.chunks.length;
        return { documents: this.documents.size, chunks, vocabulary: this.vocabulary.size, ringEntries: this.ring.size };
    }

    private limitVocabulary(): void {
        if (this.vocabulary.size <= this.rebuildAbove) return;
        this.vocabulary = new Vocabulary();
        this.documents.useVocabulary(this.vocabulary);
        this.ring.useVocabulary(this.vocabulary);
        // What is still indexed may alone be large: wait until it doubles before building again.
        this.rebuildAbove = Math.max(this.maxVocabulary, 2 * this.vocabulary.size);
    }
}
