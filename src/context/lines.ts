// Lines as retrieval reads them, with caps that keep a minified bundle or a huge log from costing more
// than a normal file: no line is read past MAX_LINE_CHARS, and a document past its line or character
// cap is read only up to it. A line ends at "\n"; the "\r" of a CRLF is not part of it.

import { cutPointAtOrBefore } from "../text/cutPoints";

/**
 * The longest line read, in UTF-16 units. Nobody writes lines this long: longer ones are minified code,
 * data or logs, whose first thousand characters say as much about them as the rest.
 */
export const MAX_LINE_CHARS = 1_000;

export interface LineLimits {
    readonly maxLines: number;
    /** Characters of line content read in all, line breaks not counted. */
    readonly maxChars: number;
}

/** The lines of `text`, each cut to MAX_LINE_CHARS at a whole character, within `limits`. */
export function splitLines(text: string, limits: LineLimits): string[] {
    const lines: string[] = [];
    let read = 0;
    for (let start = 0; lines.length < limits.maxLines && read < limits.maxChars; ) {
        const lineBreak = text.indexOf("\n", start);
        let end = lineBreak < 0 ? text.length : lineBreak;
        if (end > start && text.charCodeAt(end - 1) === 13) end--;
        if (end - start > MAX_LINE_CHARS) end = cutPointAtOrBefore(text, start + MAX_LINE_CHARS);
        lines.push(text.slice(start, end));
        read += end - start;
        if (lineBreak < 0) break;
        start = lineBreak + 1;
    }
    return lines;
}

/** Whether two line ranges [start, end) share a line. */
export function rangesOverlap(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
    return aStart < bEnd && bStart < aEnd;
}
