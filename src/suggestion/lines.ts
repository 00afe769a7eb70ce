// Line-level helpers for post-processing. Everything inside post-processing works on "\n" text: the
// model may answer with "\r\n" or "\n" whatever the document uses, so its output is normalized once
// on the way in and converted to the document's line ending once on the way out.

/** Columns a tab advances to: the common editor default. Only used to compare indentation. */
export const TAB_SIZE = 4;

/** "\r\n" and a lone "\r" become "\n", so a CRLF can never be cut between its two characters. */
export function normalizeLineBreaks(text: string): string {
    return text.replace(/\r\n?/g, "\n");
}

export function toEol(text: string, eol: "\n" | "\r\n"): string {
    return eol === "\n" ? text : text.replace(/\n/g, eol);
}

/**
 * Drops surrogates without their other half, e.g. a generation that stopped halfway through an
 * emoji: inserted, a lone surrogate shows as U+FFFD and corrupts the next edit. Whole pairs stay, and
 * the cuts made later are at line breaks or at whole strings, so none can split a pair again.
 */
export function withoutLoneSurrogates(text: string): string {
    return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "");
}

export function isBlank(line: string): boolean {
    return line.trim() === "";
}

/** Visual width of the leading whitespace (a whitespace-only line: all of it). */
export function indentWidth(line: string): number {
    let width = 0;
    for (const char of line) {
        if (char === " ") width++;
        else if (char === "\t") width += TAB_SIZE - (width % TAB_SIZE);
        else break;
    }
    return width;
}

/** The current line up to the cursor. */
export function lineBeforeCursor(prefix: string): string {
    return prefix.slice(prefix.lastIndexOf("\n") + 1);
}

/** The current line after the cursor, without its line break (works for "\n" and "\r\n"). */
export function lineAfterCursor(suffix: string): string {
    const end = suffix.indexOf("\n");
    const line = end < 0 ? suffix : suffix.slice(0, end);
    return line.endsWith("\r") ? line.slice(0, -1) : line;
}

/** The first non-blank line below the cursor's line, or undefined when the suffix has none. */
export function nextNonBlankLine(suffix: string): string | undefined {
    const lines = suffix.split(/\r?\n/);
    // lines[0] is the rest of the cursor's line, which is not "below".
    return lines.slice(1).find((line) => !isBlank(line));
}

/**
 * A line's code without its trailing closers, separators and whitespace: `return x` for `return x;`,
 * `print(total` for `print(total)`, "" for `});`. Two lines with the same code say the same thing
 * whichever closers the editor or the model put after them.
 */
export function codeOf(line: string): string {
    return line.trim().replace(/[\s)\]}>"'`;,:{]+$/, "");
}

/** Up to `count` whole lines above the cursor's line, nearest last. */
export function linesAbove(prefix: string, count: number): string[] {
    const lines: string[] = [];
    let end = prefix.lastIndexOf("\n");
    while (end >= 0 && lines.length < count) {
        const start = prefix.lastIndexOf("\n", end - 1);
        lines.push(stripCr(prefix.slice(start + 1, end)));
        end = start;
    }
    return lines.reverse();
}

/** Up to `count` lines below the cursor's line, nearest first. */
export function linesBelow(suffix: string, count: number): string[] {
    const lines: string[] = [];
    let start = suffix.indexOf("\n");
    while (start >= 0 && lines.length < count) {
        const end = suffix.indexOf("\n", start + 1);
        lines.push(stripCr(suffix.slice(start + 1, end < 0 ? suffix.length : end)));
        start = end;
    }
    return lines;
}

function stripCr(line: string): string {
    return line.endsWith("\r") ? line.slice(0, -1) : line;
}
