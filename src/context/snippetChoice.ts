// From the best-scoring candidates to the snippets that go in: walked best first, each kept unless it
// repeats the window or a snippet already kept, and while its block fits the budget.
//
// Repeats: a Jaccard similarity of identifiers of 0.8 or more (llama.vim's ring drops a chunk whose
// lines are 90% those of a new one, counting equal lines; a copy with a few renamed names has few equal
// lines but nearly the same names), or 80% of its meaningful lines found in the other text
// (containment: a short snippet inside a longer one has a low Jaccard but adds nothing). And one snippet per file, as Copilot takes the best snippet of each neighbouring tab: a
// file shares its names with itself everywhere, so its second-best chunk would often beat every other
// file's best (on this repository's own sources, one per file finds the module a line's imported name
// comes from in 23% of cases against 21%, with a 1,024-token budget).
// A block too big for what is left of the budget is cut to its first lines that fit, keeping at least
// MIN_CUT_LINES; otherwise the next candidate, perhaps smaller, gets the room.

import { NEAR_COPY_SIMILARITY, jaccard } from "./identifiers";
import type { Snippet, SnippetSource } from "./snippet";
import { blockComment, blockLines, blockParts } from "./snippetBlocks";

export const DUPLICATE_LINE_SHARE = 0.8;
/** Lines shorter than this (trimmed) are left out of containment: "}", "});" and "else {" are everywhere. */
export const MIN_COMPARED_LINE_CHARS = 8;
export const MIN_CUT_LINES = 8;

export interface Candidate {
    readonly score: number;
    /** Jaccard with the window, without the recency bonus. */
    readonly similarity: number;
    readonly path: string;
    readonly languageId: string;
    readonly startLine: number;
    readonly endLine: number;
    readonly source: SnippetSource;
    /** 0 for a chunk; 1 for the newest ring entry, 2 for the one before, ... */
    readonly rank: number;
    readonly ids: Uint32Array;
    /** Built only for the few candidates choose() looks at. */
    readonly text: () => string;
}

export interface ChoiceLimits {
    readonly windowText: string;
    readonly languageId: string;
    readonly maxChars: number;
    readonly maxSnippets: number;
}

interface Kept {
    readonly candidate: Candidate;
    readonly lines: ReadonlySet<string>;
}

/** Snippets from `candidates` (best first), best first. */
export function choose(candidates: readonly Candidate[], limits: ChoiceLimits): Snippet[] {
    const windowLines = comparedLines(limits.windowText);
    const comment = blockComment(limits.languageId);
    const kept: Kept[] = [];
    const snippets: Snippet[] = [];
    let left = limits.maxChars;
    for (const candidate of candidates) {
        if (snippets.length >= limits.maxSnippets) break;
        // The checks that need no text first: most candidates end there.
        if (candidate.similarity >= NEAR_COPY_SIMILARITY || kept.some((other) => sameFileOrNearCopy(candidate, other.candidate))) continue;
        const text = candidate.text();
        const lines = comparedLines(text);
        if (lineShare(lines, windowLines) >= DUPLICATE_LINE_SHARE || kept.some((other) => sharesLines(lines, other.lines))) continue;
        const fitted = fit(candidate, text, left, comment);
        if (fitted === undefined) continue;
        kept.push({ candidate, lines });
        snippets.push(fitted.snippet);
        left -= fitted.chars;
    }
    return snippets;
}

/** The same file, or nearly the same identifiers. */
function sameFileOrNearCopy(candidate: Candidate, other: Candidate): boolean {
    return candidate.path === other.path || jaccard(candidate.ids, other.ids) >= NEAR_COPY_SIMILARITY;
}

/** One holds most of the other's lines. */
function sharesLines(lines: ReadonlySet<string>, other: ReadonlySet<string>): boolean {
    return lineShare(lines, other) >= DUPLICATE_LINE_SHARE || lineShare(other, lines) >= DUPLICATE_LINE_SHARE;
}

/** The trimmed lines of `text` long enough to say something. */
export function comparedLines(text: string): Set<string> {
    const lines = new Set<string>();
    for (const line of text.split("\n")) {
        const trimmed = line.trim();
        if (trimmed.length >= MIN_COMPARED_LINE_CHARS) lines.add(trimmed);
    }
    return lines;
}

/** The share of `lines` that `other` holds too; 0 when `lines` is empty. */
function lineShare(lines: ReadonlySet<string>, other: ReadonlySet<string>): number {
    if (lines.size === 0) return 0;
    let found = 0;
    for (const line of lines) if (other.has(line)) found++;
    return found / lines.size;
}

/**
 * The candidate as a snippet whose block fits in `left` characters, with the block's size: its blank
 * edge lines dropped (its first line moves with them), then, if still too big, its first lines that fit.
 */
function fit(candidate: Candidate, text: string, left: number, comment: string | undefined): { snippet: Snippet; chars: number } | undefined {
    const { lines, skipped } = blockLines(text);
    const startLine = candidate.startLine + skipped;
    const { head, lines: written, tail } = blockParts(candidate.path, lines, comment);
    let [count, chars] = [0, head.length + tail.length];
    while (count < written.length && chars + written[count].length <= left) chars += written[count++].length;
    if (count < written.length && count < MIN_CUT_LINES) return undefined;
    // A cut may end on blank lines, which a block does not keep: count them out.
    while (count > 0 && lines[count - 1].trim() === "") chars -= written[--count].length;
    if (count === 0) return undefined;
    const { path, languageId, score, source } = candidate;
    const snippet: Snippet = { path, languageId, text: lines.slice(0, count).join("\n"), startLine, endLine: startLine + count, score, source };
    return { snippet, chars };
}
