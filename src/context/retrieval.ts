// Which pieces of other files (and of far parts of this one) go into the prompt: the chunks and
// ring-buffer entries whose identifiers look most like the window before the cursor.
//
// Score: Jaccard similarity of identifier sets (identifiers.ts), as Copilot's neighbouring tabs and
// llama.vscode's ring do. Each call scores every chunk of every indexed document (about 5,000 for 50
// documents of 2,000 lines): each document's postings (postings.ts) count, per chunk, the window's
// identifiers it holds, so a call costs the postings of the window's few dozen identifiers.
// Ring entries compete with the chunks, their score raised by up to RING_RECENCY_BONUS for the newest.
// Ties are broken by path, then first line, then chunks before ring entries (the newest first), so the
// same index and window always give the same snippets in the same order.

import { BestOf } from "./bestOf";
import { chunkText, type IndexedDocument } from "./chunks";
import { intersectionSize, probeSet, type ProbeSet, type Vocabulary } from "./identifiers";
import { rangesOverlap } from "./lines";
import { countShared } from "./postings";
import type { RingEntry } from "./ringBuffer";
import type { Snippet, SnippetSource } from "./snippet";
import { choose, type Candidate } from "./snippetChoice";
import { windowBeforeCursor } from "./window";

/**
 * Characters per token, for the caller to turn a token budget into `maxChars`. Measured with the
 * Llama-2 tokenizer on blocks of this repository's TypeScript (every third chunk of src/, rendered as
 * "//" blocks): 3.39 on average, 2.94 at the 5th percentile; its Markdown, dense with code and
 * figures, 2.52. Three keeps code blocks within the budget nearly always; where a block runs over, the
 * engine, which counts exactly, drops whole blocks from the front (the least relevant) to fit.
 */
export const CHARS_PER_TOKEN_ESTIMATE = 3;
/**
 * The least similarity worth a snippet: about 3 shared identifiers in a union of 150 (a 20-line window
 * and a 40-line chunk). On this repository's own sources no chosen snippet scores below 0.05, so the
 * floor matters only between files that share few names, where 3 rare names in common still say
 * something; one name shared with a whole window does not.
 */
export const MIN_SCORE = 0.02;
/**
 * How much the newest ring entry's score is raised (times 1 + this); older ones get less, in rank
 * order. What was just edited or copied is likelier to be needed than an equally similar chunk, but a
 * weak recent match must not beat a strong old one: the newest entry at 0.2 ties a chunk at 0.25.
 */
export const RING_RECENCY_BONUS = 0.25;
/**
 * Snippets when the caller sets no limit. A 1,024-token budget holds two or three 40-line blocks;
 * four leaves room for short ring entries, and each block more is one more text the base model may
 * start imitating instead of the file it is in.
 */
export const DEFAULT_MAX_SNIPPETS = 4;
// One snippet per file is chosen (snippetChoice.ts): a few spares of the current document's are enough.
const CURRENT_DOCUMENT_SPARES = 4;
// Blocks measured for the budget when the current language is not given: "//" adds as much per line
// as any common comment style.
const MEASURED_AS = "typescript";

export interface CurrentWindow {
    readonly path: string;
    /**
     * The text before the cursor: all of it or any tail that holds the window (the editor's slice).
     * Only its last WINDOW_LINES lines are compared (window.ts).
     */
    readonly windowText: string;
    /** The current file's language: blocks are written in it, so they are measured in it. */
    readonly languageId?: string;
    /**
     * The cursor's line, 0-based. With it, the current document's chunks that the prompt shows are
     * never offered, and the rest of it competes; without it, nothing of the current document does.
     */
    readonly cursorLine?: number;
    /** The current document's first line the prompt shows (default: the window's first line). */
    readonly promptStartLine?: number;
}

export interface SelectInput {
    readonly current: CurrentWindow;
    readonly documents: Iterable<IndexedDocument>;
    /** Oldest first, as RingBuffer.entries() gives them. */
    readonly ring: readonly RingEntry[];
    /** The vocabulary the documents and the ring were indexed with. */
    readonly vocabulary: Vocabulary;
    /** Budget for the rendered blocks together (snippetBlocks.ts), in characters. */
    readonly maxChars: number;
    readonly maxSnippets?: number;
}

/** Lines of the current document already in the prompt, [start, end); all of them when the cursor is unknown. */
interface Shown {
    readonly path: string;
    readonly start: number;
    readonly end: number;
}

/** The snippets for the prompt, least relevant first, so the most relevant ends next to the window. */
export function selectSnippets(input: SelectInput): Snippet[] {
    const { current, maxChars } = input;
    const maxSnippets = input.maxSnippets ?? DEFAULT_MAX_SNIPPETS;
    if (maxSnippets <= 0 || maxChars <= 0) return [];
    const { windowText, windowStartLine, windowEndLine } = windowBeforeCursor(current.windowText, current.cursorLine ?? 0);
    const window = probeSet(windowText, input.vocabulary);
    if (window.ids.length === 0) return [];
    const shown: Shown =
        current.cursorLine === undefined
            ? { path: current.path, start: 0, end: Number.MAX_SAFE_INTEGER }
            : { path: current.path, start: Math.min(current.promptStartLine ?? windowStartLine, windowStartLine), end: windowEndLine };
    // Spares for the near-duplicates, the blocks that do not fit and the second chunks of a file, which
    // choose() passes over. The current document's chunks are kept apart: its own names are everywhere
    // in it, so they would fill the spares and leave no room for other files'.
    const best = new BestOf<Candidate>(maxSnippets * 4 + 4, compareCandidates, (c) => c.score);
    const bestOfCurrent = new BestOf<Candidate>(CURRENT_DOCUMENT_SPARES, compareCandidates, (c) => c.score);
    scoreDocuments(input.documents, window, shown, best, bestOfCurrent);
    scoreRing(input.ring, window, shown, best);
    const candidates = [...best.best(), ...bestOfCurrent.best()].sort(compareCandidates);
    const languageId = current.languageId ?? MEASURED_AS;
    return choose(candidates, { windowText, languageId, maxChars, maxSnippets }).reverse();
}

function scoreDocuments(documents: Iterable<IndexedDocument>, window: ProbeSet, shown: Shown, best: BestOf<Candidate>, bestOfCurrent: BestOf<Candidate>): void {
    const windowSize = window.ids.length + window.unknown;
    let counts = new Uint16Array(0);
    for (const document of documents) {
        const { chunks } = document;
        if (counts.length < chunks.length) counts = new Uint16Array(chunks.length);
        else counts.fill(0, 0, chunks.length);
        countShared(document.postings, window.ids, counts);
        const isCurrent = document.path === shown.path;
        const kept = isCurrent ? bestOfCurrent : best;
        for (let c = 0; c < chunks.length; c++) {
            const shared = counts[c];
            if (shared === 0) continue;
            const chunk = chunks[c];
            const score = shared / (chunk.ids.length + windowSize - shared);
            if (score < MIN_SCORE || !kept.admits(score)) continue;
            if (isCurrent && rangesOverlap(chunk.startLine, chunk.endLine, shown.start, shown.end)) continue;
            kept.offer({
                score,
                similarity: score,
                path: document.path,
                languageId: document.languageId,
                startLine: chunk.startLine,
                endLine: chunk.endLine,
                source: "document",
                rank: 0,
                ids: chunk.ids,
                text: () => chunkText(document, chunk),
            });
        }
    }
}

function scoreRing(ring: readonly RingEntry[], window: ProbeSet, shown: Shown, best: BestOf<Candidate>): void {
    const windowSize = window.ids.length + window.unknown;
    ring.forEach((entry, index) => {
        if (entry.path === shown.path && rangesOverlap(entry.startLine, entry.endLine, shown.start, shown.end)) return;
        // The window's unknown words are in no entry either: they only enlarge the union.
        const shared = intersectionSize(entry.ids, window.ids);
        const similarity = shared / (entry.ids.length + windowSize - shared);
        const freshness = (index + 1) / ring.length;
        const score = similarity * (1 + RING_RECENCY_BONUS * freshness);
        if (similarity < MIN_SCORE || !best.admits(score)) return;
        const source: SnippetSource = entry.source;
        best.offer({ ...entry, score, similarity, source, rank: ring.length - index, text: () => entry.text });
    });
}

/** Better first: higher score, then path, first line, chunks before ring entries, newer entries first. */
export function compareCandidates(a: Candidate, b: Candidate): number {
    if (a.score !== b.score) return b.score - a.score;
    // Code-unit order, not localeCompare: the same on every machine and locale.
    if (a.path !== b.path) return a.path < b.path ? -1 : 1;
    return a.startLine - b.startLine || a.rank - b.rank || a.endLine - b.endLine;
}
