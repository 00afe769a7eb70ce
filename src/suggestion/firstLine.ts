// Where the model's text meets the text before the cursor. A prefix-only model often starts with
// whitespace the document already has: `total = ` + ` sum(items)` doubles the space, and on an
// indented blank line ` return x` (one space too many) over-indents the line, after which every
// correctly indented line looks like a dedent and is cut. The document's own spacing wins: what the
// line before the cursor already has, the suggestion does not add again. "const x" + " = 1;" keeps
// its space, since the document has none there.

import { indentWidth, isBlank } from "./lines";
import { opensBlock } from "./stopRules";

/**
 * The first line as it should continue the cursor's line. `lineAbove` is the nearest non-blank line
 * above the cursor's: after `if x:`, a cursor still at the `if`'s column leaves the body's
 * indentation to the model.
 */
export function fitFirstLine(first: string, lineBefore: string, lineAbove: string | undefined, prose: boolean): string {
    if (!/^[ \t]/.test(first) || isBlank(first)) return first;
    if (!isBlank(lineBefore)) return /[ \t]$/.test(lineBefore) ? first.replace(/^[ \t]+/, "") : first;
    // The cursor stands in the indentation the editor chose; only an opened block may go deeper.
    if (lineBefore === "") return first;
    if (!prose && lineAbove !== undefined && opensBlock(lineAbove)) {
        const column = indentWidth(lineBefore);
        const blockIndent = indentWidth(lineAbove);
        if (column <= blockIndent && column + indentWidth(first) > blockIndent) return first;
    }
    return first.trimStart();
}
