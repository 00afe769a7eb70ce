// Raw model output -> the ghost text to show, for a prefix-only model (Solar base has no
// fill-in-the-middle): the model completes from the text before the cursor, and the text after the
// cursor is only used here, to cut and filter. Pure: no vscode, no I/O, same input -> same output.
//
// Order matters:
// 1. normalize line breaks to "\n" (the model may answer "\r\n" in an "\n" file and vice versa) and
//    drop half surrogate pairs (a generation cut inside an emoji);
// 2. shape: one line when real text follows the cursor on its line (the suggestion has to end where
//    that text begins), several lines otherwise (nothing or only closers follow);
// 3. stop rules (stopRules.ts): blank line, repeat of the line below, line budget, dedent,
//    new top-level statement;
// 4. a single line that ends by re-typing the rest of the line loses that ending;
// 5. trailing whitespace goes unless text follows on the line (`count + |items` needs its space);
// 6. closers the suggestion re-types are replaced rather than doubled (closers.ts);
// 7. line breaks in the document's style.
// Leading whitespace is never touched: "const x" + " = 1;" must insert " = 1;".

import { isCutPoint } from "../../text/cutPoints";
import { isClosersOnly, openQuoteAt, replacedCloserCount } from "./closers";
import { rulesFor } from "./languages";
import { isBlank, lineAfterCursor, lineBeforeCursor, nextNonBlankLine, normalizeLineBreaks, toEol, withoutLoneSurrogates } from "./lines";
import { keepLines } from "./stopRules";

export interface PostprocessInput {
    /** Document text before the cursor (may be only its last few KB). */
    readonly prefix: string;
    /** Document text after the cursor (capped to a few KB). */
    readonly suffix: string;
    /** Raw model output: exactly the text generated after the prefix. */
    readonly completion: string;
    /** VS Code language id: "typescript", "python", "markdown", "plaintext", ... */
    readonly languageId: string;
    /** The document's line ending. */
    readonly eol: "\n" | "\r\n";
    /** Most lines with content in a multi-line suggestion; 1 or less means the current line only. */
    readonly maxLines: number;
}

export interface Suggestion {
    /** Exactly what accepting inserts, in the document's line ending. */
    readonly insertText: string;
    /** Characters right after the cursor that the suggestion replaces (auto-closed brackets, quotes). */
    readonly replaceSuffixChars: number;
}

export function postprocess(input: PostprocessInput): Suggestion | undefined {
    const text = withoutLoneSurrogates(normalizeLineBreaks(input.completion));
    if (isBlank(text)) return undefined;
    const lineBefore = lineBeforeCursor(input.prefix);
    const lineAfter = lineAfterCursor(input.suffix);
    const textFollows = !isClosersOnly(lineAfter);

    const lines = text.split("\n");
    const multiLine = input.maxLines > 1 && !textFollows;
    const kept = keepLines(multiLine ? lines : lines.slice(0, 1), {
        lineBefore,
        lineEndsAtCursor: isBlank(lineAfter),
        nextLine: nextNonBlankLine(input.suffix),
        language: rulesFor(input.languageId),
        maxLines: Math.max(1, input.maxLines),
    });

    let shaped = kept.join("\n");
    if (textFollows) shaped = withoutRepeatedEnding(shaped, lineAfter);
    const end = shaped.trimEnd();
    // Re-check after trimming: the text may have shrunk to whitespace.
    if (isBlank(end)) return undefined;
    if (!textFollows) shaped = end;

    const replaceSuffixChars = replacedCloserCount(shaped, lineAfter, openQuoteAt(lineBefore));
    return { insertText: toEol(shaped, input.eol), replaceSuffixChars };
}

/** `x = |foo;` + model `bar + foo;` -> `bar + `: the model re-typed the rest of the line. */
function withoutRepeatedEnding(text: string, lineAfter: string): string {
    const rest = lineAfter.trim();
    const body = text.trimEnd();
    const cut = body.length - rest.length;
    // isCutPoint: a suffix that starts mid-emoji must not take half of the model's emoji with it.
    return rest !== "" && body.endsWith(rest) && isCutPoint(body, cut) ? body.slice(0, cut) : text;
}
