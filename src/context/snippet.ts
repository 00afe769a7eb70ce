// What retrieval hands to the prompt: a piece of another file (or of a far part of this one) that
// looks like the code around the cursor.

import type { RingSource } from "./ringBuffer";

/** "document": a chunk of an open document; the others: a ring-buffer entry (ringBuffer.ts). */
export type SnippetSource = "document" | RingSource;

export interface Snippet {
    /** As given to the index: workspace-relative, shown in the block's header. */
    readonly path: string;
    readonly languageId: string;
    /** Lines joined with "\n". */
    readonly text: string;
    /** First line, 0-based. */
    readonly startLine: number;
    /** The line after the last (exclusive). */
    readonly endLine: number;
    /** Jaccard similarity with the window, times the recency bonus of ring entries. */
    readonly score: number;
    readonly source: SnippetSource;
}
