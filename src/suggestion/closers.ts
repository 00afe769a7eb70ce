// Auto-closed brackets and quotes (vscode#156312, #136452). When the user types `foo(` the editor
// already put `)` after the cursor, but the model, which sees only the prefix, writes `a, b)`.
// Inserting that gives `foo(a, b))`; trimming the `)` from the suggestion would lose it whenever
// the model's `)` is not the editor's. Instead the suggestion replaces the closers it re-types:
// the item's range covers [cursor, cursor + n], accepting leaves exactly one copy, and VS Code still
// shows it as ghost text because the replaced text appears, in order, inside the inserted text.

import { isApostrophe } from "./scanner";

const OPENER_OF: Readonly<Record<string, string>> = { ")": "(", "]": "[", "}": "{" };
const QUOTES = new Set(['"', "'", "`"]);
const BRACKETS_AND_QUOTES = /[()[\]{}"'`]/;

/**
 * Copilot's mid-line rule: closers and at most one separator after the cursor, e.g. `)`, `");`, `}, `.
 * The one home of this rule: the trigger rules ask `isClosersOnly` too.
 */
const CLOSERS_ONLY = /^\s*[)>}\]"'`]*\s*[:{;,]?\s*$/;

export function isClosersOnly(lineAfter: string): boolean {
    return CLOSERS_ONLY.test(lineAfter);
}

function isQuote(text: string, at: number): boolean {
    return QUOTES.has(text[at]) && !isApostrophe(text, at);
}

/** The quote the cursor stands inside on its line (`print("hel|`), if any. Backslash escapes count. */
export function openQuoteAt(lineBefore: string): string | undefined {
    let inside: string | undefined;
    for (let i = 0; i < lineBefore.length; i++) {
        const char = lineBefore[i];
        if (inside !== undefined) {
            if (char === "\\") i++;
            else if (char === inside) inside = undefined;
        } else if (isQuote(lineBefore, i)) {
            inside = char;
        }
    }
    return inside;
}

export interface Unpaired {
    /** The closers that close something opened before the cursor, in order, e.g. `")`. */
    readonly chars: string;
    /** Offset just after the last of them (0 when there is none). */
    readonly end: number;
    /** A string the text opened itself is still open at its end or at a line end: a doubtful reading. */
    readonly strayQuote: boolean;
}

/**
 * Closers in `text` with no opener in `text`: the ones that close what the prefix opened. Brackets
 * inside strings the text opens itself do not count; `quote` is the string the cursor is inside.
 */
export function unpairedClosers(text: string, quote?: string): Unpaired {
    const openers: string[] = [];
    const found: number[] = [];
    let inside = quote;
    let insidePrefixString = quote !== undefined;
    let strayQuote = false;
    for (let i = 0; i < text.length; i++) {
        const char = text[i];
        if (inside !== undefined) {
            if (char === "\\") {
                i++;
            } else if (char === inside) {
                if (insidePrefixString) found.push(i);
                inside = undefined;
                insidePrefixString = false;
            } else if (char === "\n" && inside !== "`") {
                // Only template strings span lines; anything else ended with its line.
                strayQuote ||= !insidePrefixString;
                inside = undefined;
                insidePrefixString = false;
            }
        } else if (isQuote(text, i)) {
            inside = char;
        } else if (char === "(" || char === "[" || char === "{") {
            openers.push(char);
        } else if (char in OPENER_OF) {
            if (openers.at(-1) === OPENER_OF[char]) openers.pop();
            else found.push(i);
        }
    }
    strayQuote ||= inside !== undefined && !insidePrefixString;
    return { chars: found.map((i) => text[i]).join(""), end: found.length === 0 ? 0 : found[found.length - 1] + 1, strayQuote };
}

/**
 * The cursor may be inside a string that opened on an earlier line (a docstring, a template) or
 * that the line scan misread. When a quote follows the cursor and reading the text as outside a
 * string leaves a quote dangling, reading it as inside that quote is the consistent one.
 */
function unpairedClosersAfterCursor(text: string, closers: string, quote: string | undefined): Unpaired {
    const plain = unpairedClosers(text, quote);
    if (quote !== undefined || !plain.strayQuote || !QUOTES.has(closers[0])) return plain;
    const inString = unpairedClosers(text, closers[0]);
    return inString.strayQuote ? plain : inString;
}

function isSubsequence(needle: string, haystack: string): boolean {
    let at = 0;
    for (const char of haystack) {
        if (at < needle.length && char === needle[at]) at++;
    }
    return at === needle.length;
}

/**
 * How many characters after the cursor `text` should replace so that accepting it leaves one copy of
 * each closer: the closers `text` re-types, plus a separator it re-types right after them (`);`).
 * 0 when nothing after the cursor is re-typed.
 */
export function replacedCloserCount(text: string, lineAfter: string, quote?: string): number {
    const wanted = lineAfter.trimEnd();
    const lead = wanted.length - wanted.trimStart().length;
    const closers = wanted.slice(lead);
    if (closers === "") return 0;
    const unpaired = unpairedClosersAfterCursor(text, closers, quote);
    let count = 0;
    if (unpaired.chars !== "" && closers.startsWith(unpaired.chars)) {
        count = unpaired.chars.length;
        const rest = closers.slice(count);
        if (rest !== "" && text.slice(unpaired.end).startsWith(rest)) count = closers.length;
    } else if (unpaired.chars !== "" && unpaired.chars.startsWith(closers)) {
        count = closers.length;
    } else if (unpaired.chars === "" && !BRACKETS_AND_QUOTES.test(closers) && text.endsWith(closers)) {
        // Only separators follow (`;`, `,`, `>`): the text ends with the same ones.
        count = closers.length;
    }
    if (count === 0) return 0;
    // VS Code shows a replacing suggestion as ghost text only if the replaced text survives in it.
    return isSubsequence(lineAfter.slice(0, lead + count), text) ? lead + count : 0;
}
