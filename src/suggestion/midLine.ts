// Mid-line, a prefix-only model re-writes the rest of the line with small changes: `print(|, sep="")`
// + `"total", total, sep="");`. Inserting that doubles the rest of the line. As Continue does with a
// word diff, only what the rest of the line lacks is shown:
// - the model re-typed all of the rest and added text only before it: insert that text
//   (`"total", total`);
// - it re-typed all of the rest and added text inside or after it too: replace the rest of the line
//   with the model's line, which VS Code shows as ghost text around the kept characters;
// - it changed or dropped part of the rest: insert only what it wrote before it took up the rest at
//   its first word, or nothing when that is empty or the first word itself was changed.
// Then a suggestion that would leave the line with more unbalanced brackets or quotes than it has is
// not shown at all.

import type { Syntax } from "./languages";
import { IN_CODE, isOpener, openerOf, scan } from "./scanner";

export interface LineFit {
    readonly insertText: string;
    readonly replaceSuffixChars: number;
}

interface Token {
    readonly text: string;
    readonly start: number;
}

const TOKEN = /[\p{L}\p{N}_]+|\S/gu;
/** Longer lines are not diffed (the table grows with the product); a line of code rarely has 200 tokens. */
const MAX_TOKENS = 200;

function tokens(text: string): Token[] {
    return Array.from(text.matchAll(TOKEN), (m) => ({ text: m[0], start: m.index }));
}

/** table[i][j]: length of the longest common subsequence of a[i..] and b[j..]. */
function lcsTable(a: readonly Token[], b: readonly Token[]): Uint16Array[] {
    const table = Array.from({ length: a.length + 1 }, () => new Uint16Array(b.length + 1));
    for (let i = a.length - 1; i >= 0; i--) {
        for (let j = b.length - 1; j >= 0; j--) {
            table[i][j] = a[i].text === b[j].text ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
        }
    }
    return table;
}

/** Whether `insert` re-types at least half of the words of `rest`, the text that stays after the cursor. */
export function retypesRest(insert: string, rest: string): boolean {
    const a = tokens(insert);
    const b = tokens(rest);
    if (b.length === 0 || a.length === 0 || a.length > MAX_TOKENS || b.length > MAX_TOKENS) return false;
    return lcsTable(a, b)[0][0] >= Math.ceil(b.length / 2);
}

/** What to show for the model's line `model` given the rest of the cursor's line; undefined for nothing. */
export function fitToRestOfLine(model: string, lineAfter: string): LineFit | undefined {
    const rest = lineAfter.trimEnd();
    const m = tokens(model);
    const r = tokens(rest);
    if (m.length > MAX_TOKENS || r.length > MAX_TOKENS) return undefined;
    const table = lcsTable(m, r);
    // Walk the table, matching the model's words as late as the longest match allows: the text the
    // model adds before the rest of the line is then as long as it can be (`"total", total` rather
    // than `"total"` when both are followed by a `,`).
    let firstMatch: number | undefined;
    let firstOfRest = 0;
    for (let i = 0, j = 0; i < m.length && j < r.length && firstMatch === undefined; ) {
        if (table[i + 1][j] === table[i][j]) i++;
        else if (m[i].text === r[j].text) [firstMatch, firstOfRest] = [i, j];
        else j++;
    }
    if (firstMatch === undefined) return { insertText: model, replaceSuffixChars: 0 };
    const before = model.slice(0, m[firstMatch].start);
    const allOfRest = table[0][0] === r.length;
    // Every model word from the first shared one on is shared: the model added text only before.
    const onlyBefore = table[0][0] === m.length - firstMatch;
    if (allOfRest && !onlyBefore) {
        const text = model.trimEnd();
        if (isSubsequence(rest, text)) return { insertText: text, replaceSuffixChars: rest.length };
    }
    // The model's line must pick up the rest of the line where it starts: `y > 0) {` for `x > 0) {`
    // replaces the `x` rather than adding before it.
    return before.trim() === "" || firstOfRest > 0 ? undefined : { insertText: before, replaceSuffixChars: 0 };
}

function isSubsequence(needle: string, haystack: string): boolean {
    let at = 0;
    for (const char of haystack) {
        if (at < needle.length && char === needle[at]) at++;
    }
    return at === needle.length;
}

/** Unmatched closers, unclosed openers and an unterminated string on one line. */
export function lineDamage(line: string, syntax: Syntax): number {
    const stack: string[] = [];
    let damage = 0;
    const { state } = scan(line, IN_CODE, syntax, (char) => {
        if (isOpener(char)) {
            stack.push(char);
            return false;
        }
        const j = stack.lastIndexOf(openerOf(char));
        if (j < 0) damage++;
        else stack.length = j;
        return false;
    });
    return damage + stack.length + (state.mode === "string" ? 1 : 0);
}
