// Snippets as text for a base model, placed before the current file's window: each a comment block in
// the current file's language, headed by the snippet's path, like Copilot's neighbouring tabs:
//
//     // Path: src/util/money.ts
//     // export function toCents(x: number) {
//
// Commented, the block is valid code of the file the model is continuing, so the model reads it as
// what comes before and not as the start of a different file it should imitate. Where the current
// language has no line comment (HTML, CSS, JSON) or is prose (Markdown, plain text, LaTeX), a
// comment would be noise or impossible (a snippet may contain "*/" or "-->"): the text goes in
// verbatim after a separator line, with a blank line after it:
//
//     --- Path: notes/intro.md ---
//
// A block is a pure function of the snippet and the language: the same snippets give byte-identical
// blocks, so the prompt's prefix, and the engine's KV cache of it, survive the next keystroke.

import { rulesFor } from "../suggestion/languages";
import { normalizeLineBreaks, withoutLoneSurrogates } from "../suggestion/lines";
import type { Snippet } from "./snippet";

// languages.ts gives any code language it does not know C's "//": right for most, wrong for these,
// which have only block comments (or none).
const NO_LINE_COMMENT = new Set(["html", "xml", "xsl", "svg", "css", "json", "vue", "svelte", "handlebars", "razor", "csv", "diff", "log"]);
// Line comments languages.ts does not list; it only needs them for post-processing of those languages.
const LINE_COMMENT: Readonly<Record<string, string>> = { ini: ";", properties: "#", erlang: "%", matlab: "%", vb: "'", fortran: "!", vim: '"', bat: "REM" };

/** The line comment blocks are written with in `languageId`, or undefined for a plain separator. */
export function blockComment(languageId: string): string | undefined {
    if (Object.hasOwn(LINE_COMMENT, languageId)) return LINE_COMMENT[languageId];
    const rules = rulesFor(languageId);
    if (rules.prose || NO_LINE_COMMENT.has(languageId)) return undefined;
    return rules.syntax.lineComments[0];
}

/** A snippet's lines as a block shows them: "\n" only, no lone surrogate, no blank lines at either end. */
export function blockLines(text: string): { readonly lines: string[]; readonly skipped: number } {
    const lines = withoutLoneSurrogates(normalizeLineBreaks(text)).split("\n");
    let [first, last] = [0, lines.length];
    while (first < last && lines[first].trim() === "") first++;
    while (last > first && lines[last - 1].trim() === "") last--;
    return { lines: lines.slice(first, last), skipped: first };
}

/** A block in pieces: its header, each of its lines as written (with "\n"), what closes it. */
export interface BlockParts {
    readonly head: string;
    readonly lines: readonly string[];
    readonly tail: string;
}

/** `lines` (from blockLines) as a block's pieces, with `comment` from blockComment(). */
export function blockParts(path: string, lines: readonly string[], comment: string | undefined): BlockParts {
    // A path is one line of the header whatever the file system allows.
    const shownPath = path.replace(/[\r\n]+/g, " ");
    if (comment === undefined) return { head: `--- Path: ${shownPath} ---\n`, lines: lines.map((line) => `${line}\n`), tail: "\n" };
    // An empty line gets the bare comment, so no block line ends in a space.
    return { head: `${comment} Path: ${shownPath}\n`, lines: lines.map((line) => (line === "" ? `${comment}\n` : `${comment} ${line}\n`)), tail: "" };
}

/** One block, ending with "\n". */
export function renderBlock(snippet: Snippet, currentLanguageId: string): string {
    const { head, lines, tail } = blockParts(snippet.path, blockLines(snippet.text).lines, blockComment(currentLanguageId));
    return head + lines.join("") + tail;
}

/** The blocks of `snippets`, in their order (retrieval returns the most relevant last). */
export function renderBlocks(snippets: readonly Snippet[], currentLanguageId: string): string[] {
    return snippets.map((snippet) => renderBlock(snippet, currentLanguageId));
}
