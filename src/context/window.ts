// The text retrieval compares chunks with: the last WINDOW_LINES lines before the cursor, the cursor's
// own line up to the cursor included. Before the cursor only, because the prompt is the text before
// the cursor (Solar base has no fill-in-the-middle) and the model continues its end.
//
// 20 lines, half a chunk (chunks.ts): the lines nearest the cursor say most about what comes next, and
// every line further up dilutes them. Measured on this repository's own sources (at the first use of
// each imported name, is the module it comes from among the 4 best-scoring files?): 46% with a
// 10-line window, 39% with 20, 35% with 40, 32% with 60 (Copilot's neighbouring tabs use 60). Ten
// would often hold only a comment or a blank stretch, and its snippets would change with every line.

import { cutPointAtOrAfter } from "../text/cutPoints";
import { MAX_CHUNK_CHARS } from "./chunks";

export const WINDOW_LINES = 20;
/** A minified line before the cursor is read only this far back: the window costs no more than a chunk. */
export const MAX_WINDOW_CHARS = MAX_CHUNK_CHARS;

export interface CursorWindow {
    readonly windowText: string;
    /** The window's first line in the document, 0-based. */
    readonly windowStartLine: number;
    /** The line after the cursor's (exclusive). */
    readonly windowEndLine: number;
}

/**
 * The window of `textBeforeCursor` (the document's text up to the cursor, or any tail of it that holds
 * the window, e.g. the editor's slice) when the cursor is on 0-based line `cursorLine`.
 */
export function windowBeforeCursor(textBeforeCursor: string, cursorLine: number, lines = WINDOW_LINES): CursorWindow {
    // Searching only the tail keeps a 10 MB line before the cursor from being scanned per keystroke.
    const text = textBeforeCursor.slice(cutPointAtOrAfter(textBeforeCursor, Math.max(0, textBeforeCursor.length - MAX_WINDOW_CHARS)));
    let start = lineStart(text, text.length);
    let lineBreaks = 0;
    // A start above 0 follows a line break: step to the start of the line above it.
    while (lineBreaks < lines - 1 && start > 0) {
        start = lineStart(text, start - 1);
        lineBreaks++;
    }
    return { windowText: text.slice(start), windowStartLine: Math.max(0, cursorLine - lineBreaks), windowEndLine: cursorLine + 1 };
}

/** The start of the line that holds offset `end` (or ends there). */
function lineStart(text: string, end: number): number {
    return end === 0 ? 0 : text.lastIndexOf("\n", end - 1) + 1;
}
