// Finds the brackets that are code: not inside strings or comments. One pass over the text with a
// small state that can be carried from one piece to the next (prefix, then the model's lines, then the
// suffix), so each piece is read once and a later piece starts where the earlier one left off.
// A string that does not span lines (anything but Python's triple quotes, template literals and Go
// raw strings) ends at its line end: an unterminated quote must not hide the rest of the file.

import type { Syntax } from "./languages";

export type ScanMode = "code" | "string" | "lineComment" | "blockComment";

export interface ScanState {
    readonly mode: ScanMode;
    /** The string's closing delimiter: `"`, `'`, a backtick, or a triple quote. */
    readonly quote: string;
}

export const IN_CODE: ScanState = { mode: "code", quote: "" };

/** Called for each bracket in code; return true to stop the scan there. */
export type BracketVisitor = (char: string, at: number) => boolean | void;

const OPENERS = "([{";
const CLOSERS = ")]}";

export function isOpener(char: string): boolean {
    return char.length === 1 && OPENERS.includes(char);
}

export function isCloser(char: string): boolean {
    return char.length === 1 && CLOSERS.includes(char);
}

export function openerOf(closer: string): string {
    return OPENERS[CLOSERS.indexOf(closer)];
}

/** "don't", "it's": a quote between two letters is an apostrophe, unless it follows a string prefix like f'. */
export function isApostrophe(text: string, at: number): boolean {
    if (text[at] !== "'") return false;
    // Four code units hold the one or two prefix letters and the character before them, even astral.
    const before = text.slice(Math.max(0, at - 4), at);
    if (!/\p{L}$/u.test(before) || !/^\p{L}/u.test(text.slice(at + 1, at + 3))) return false;
    // Within the first four units the window is the whole text, so its start counts as a word boundary.
    return !(at <= 4 ? /(?:^|[^\p{L}\d_])[rRbBuUfF]{1,2}$/u : /[^\p{L}\d_][rRbBuUfF]{1,2}$/u).test(before);
}

/** Rust's `'a` and `'static`: a quote, a letter, and no closing quote right after. */
function isLifetime(text: string, at: number): boolean {
    return /[A-Za-z_]/.test(text[at + 1] ?? "") && text[at + 2] !== "'";
}

const enum Code {
    Newline = 10,
    DoubleQuote = 34,
    Quote = 39,
    OpenParen = 40,
    CloseParen = 41,
    Star = 42,
    Slash = 47,
    OpenBracket = 91,
    Backslash = 92,
    CloseBracket = 93,
    Backtick = 96,
    OpenBrace = 123,
    CloseBrace = 125,
}

/** What can start something the scanner must look at in code: brackets, quotes, comments. */
function codeStops(syntax: Syntax): RegExp {
    const starts = new Set(["(", ")", "[", "]", "{", "}", '"', "'", "`", "/", ...syntax.lineComments.map((c) => c[0])]);
    return new RegExp(`[${[...starts].map((c) => `\\${c}`).join("")}]`, "g");
}

/** Where a scan is: its mode, the open string's delimiter, and the offset it reads. */
interface Cursor {
    mode: ScanMode;
    quote: string;
    i: number;
}

/**
 * Scans `text[start, end)` from `state` and reports each bracket in code to `visit`. Returns the state
 * at the end, and where it stopped (`end`, or the offset of the bracket the visitor stopped at).
 * This runs over the whole prefix (64 KB) on every suggestion, so it reads character codes.
 */
export function scan(text: string, state: ScanState, syntax: Syntax, visit?: BracketVisitor, start = 0, end = text.length): { state: ScanState; stoppedAt: number } {
    const at: Cursor = { mode: state.mode, quote: state.quote, i: start };
    const stops = codeStops(syntax);
    for (; at.i < end; at.i++) {
        if (at.mode === "code") {
            // Jump to the next character that matters.
            stops.lastIndex = at.i;
            const stop = stops.exec(text);
            if (stop === null || stop.index >= end) break;
            at.i = stop.index;
            if (isBracketCode(text.charCodeAt(at.i))) {
                if (visit?.(text[at.i], at.i)) return { state: { mode: at.mode, quote: at.quote }, stoppedAt: at.i };
            } else enterFrom(text, at, syntax);
        } else if (at.mode === "string") {
            if (!leaveString(text, at, end, syntax.multiLineBackticks)) break;
        } else {
            // Comments end at the line end or at "*/": jump there.
            const close = at.mode === "lineComment" ? text.indexOf("\n", at.i) : text.indexOf("*/", at.i);
            const last = at.mode === "lineComment" ? close : close + 1;
            if (close < 0 || last >= end) break;
            at.i = last;
            at.mode = "code";
        }
    }
    return { state: at.mode === state.mode && at.quote === state.quote ? state : { mode: at.mode, quote: at.quote }, stoppedAt: end };
}

function isBracketCode(code: number): boolean {
    return code === Code.OpenParen || code === Code.CloseParen || code === Code.OpenBracket || code === Code.CloseBracket || code === Code.OpenBrace || code === Code.CloseBrace;
}

/** At a quote or a comment start in code: enter the string or comment it opens (an apostrophe opens nothing). */
function enterFrom(text: string, at: Cursor, syntax: Syntax): void {
    const code = text.charCodeAt(at.i);
    if (code === Code.DoubleQuote || code === Code.Backtick || code === Code.Quote) {
        const char = text[at.i];
        if (syntax.tripleQuotes && code !== Code.Backtick && text.startsWith(char + char + char, at.i)) {
            at.mode = "string";
            at.quote = char + char + char;
            at.i += 2;
        } else if (code !== Code.Quote || !(isApostrophe(text, at.i) || (syntax.lifetimes && isLifetime(text, at.i)))) {
            at.mode = "string";
            at.quote = char;
        }
    } else if (code === Code.Slash && syntax.blockComments && text.charCodeAt(at.i + 1) === Code.Star) {
        at.mode = "blockComment";
        at.i++;
    } else if (syntax.lineComments.length > 0 && syntax.lineComments.some((c) => text.startsWith(c, at.i))) {
        at.mode = "lineComment";
    }
}

/** In a string: jump to what can end it and handle that; false when the text ends first. */
function leaveString(text: string, at: Cursor, end: number, multiLineBackticks: boolean | undefined): boolean {
    const q = at.quote.charCodeAt(0);
    while (at.i < end) {
        const c = text.charCodeAt(at.i);
        if (c === Code.Backslash || c === q || c === Code.Newline) break;
        at.i++;
    }
    if (at.i >= end) return false;
    const c = text.charCodeAt(at.i);
    if (c === Code.Backslash) {
        at.i++;
    } else if (c === q) {
        if (at.quote.length === 1 || text.startsWith(at.quote, at.i)) {
            at.i += at.quote.length - 1;
            at.mode = "code";
            at.quote = "";
        }
    } else if (at.quote.length === 1 && !(q === Code.Backtick && multiLineBackticks)) {
        // A newline ends a one-line string: an unterminated quote must not hide the rest of the file.
        at.mode = "code";
        at.quote = "";
    }
    return true;
}
