// Raw model output -> the ghost text to show, for a prefix-only model (Solar base has no
// fill-in-the-middle): the model completes from the text before the cursor, and the text after the
// cursor is only used here, to cut and filter. Pure: no vscode, no I/O, same input -> same output.
//
// Order matters:
// 1. normalize line breaks to "\n" (the model may answer "\r\n" in an "\n" file and vice versa),
//    drop half surrogate pairs (a generation cut inside an emoji), and drop the unfinished last line
//    of a generation a limit cut (truncation.ts);
// 2. shape: one line when real text follows the cursor on its line (the suggestion has to end where
//    that text begins), several lines otherwise (nothing or only closers follow);
// 3. fit the first line to the cursor (firstLine.ts): no whitespace the document already has;
// 4. stop rules (stopRules.ts): blank line, repeat of the line below, line budget, loops, dedent,
//    new top-level statement, closers the code below already has;
// 5. mid-line, only what the rest of the line lacks (midLine.ts), without doubling a space;
// 6. trailing whitespace goes unless text follows on the line (`count + |items` needs its space);
// 7. closers the suggestion re-types are replaced rather than doubled (closers.ts);
// 8. last check: accepting must not leave more unmatched closers than there are, nor turn the
//    cursor's line into a copy of the line above or below;
// 9. line breaks in the document's style.
// Steps 2-4 read the model's lines from the start, each given the lines before it: streamingStop.ts
// runs them (readShape, fittedFirstLine, stopContext) on the text as it streams, to end the generation
// as soon as no further line can change the suggestion.

import { isCutPoint } from "../text/cutPoints";
import { bracketContext, ModelBrackets, unmatchedClosers, type BracketContext } from "./brackets";
import { isClosersOnly, openQuoteAt, replacedCloserCount } from "./closers";
import { fitFirstLine } from "./firstLine";
import { rulesFor, type LanguageRules } from "./languages";
import { indentWidth, isBlank, lineAfterCursor, lineBeforeCursor, linesAbove, linesBelow, nextNonBlankLine, normalizeLineBreaks, toEol, withoutLoneSurrogates } from "./lines";
import { fitToRestOfLine, lineDamage, retypesRest } from "./midLine";
import { KeyWatch, lineKey } from "./repetition";
import { FENCE, keepLines, repeatsLine, type StopContext } from "./stopRules";
import { withoutUnfinishedLine } from "./truncation";

export { finishedText, stoppedByLimit } from "./truncation";

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
    /**
     * A token or time limit ended the generation (`stoppedByLimit`): its last line is unfinished.
     * Text kept for later instead goes through `finishedText` before it is kept.
     */
    readonly truncated?: boolean;
}

export interface Suggestion {
    /** Exactly what accepting inserts, in the document's line ending. */
    readonly insertText: string;
    /** Characters right after the cursor that the suggestion replaces (auto-closed brackets, quotes). */
    readonly replaceSuffixChars: number;
}

/** Lines above the cursor a loop may repeat (blocks of up to 8 lines, twice). */
const HISTORY_LINES = 16;
/** Lines around the cursor read for JSON and YAML keys. */
const KEY_LINES = 200;

/** What post-processing reads besides the model's text: the document around the cursor and the limits. */
export type SuggestionContext = Omit<PostprocessInput, "completion" | "truncated">;

/** The document as every line of the model's text is judged against it: read once per request. */
export interface Shape {
    readonly input: SuggestionContext;
    readonly language: LanguageRules;
    readonly lineBefore: string;
    readonly lineAfter: string;
    readonly above: readonly string[];
    readonly nextLine: string | undefined;
    readonly textFollows: boolean;
    readonly brackets: BracketContext | undefined;
    readonly fenceClosedBelow: boolean;
}

export function postprocess(input: PostprocessInput): Suggestion | undefined {
    let text = withoutLoneSurrogates(normalizeLineBreaks(input.completion));
    if (input.truncated) text = withoutUnfinishedLine(text);
    if (isBlank(text)) return undefined;
    const shape = readShape(input);
    const lines = text.split("\n");
    const modelLines = spansLines(shape) ? lines : lines.slice(0, 1);
    modelLines[0] = fittedFirstLine(modelLines[0], shape, modelLines.length > 1);

    const suggestion = shapeLines(modelLines, shape, true);
    if (suggestion === undefined || keepsClosersBalanced(shape, suggestion)) return finish(suggestion, shape);
    // The closers after the cursor were not re-typed the way the stop rules allowed for: judge again
    // as if they stay.
    const again = shape.textFollows ? undefined : shapeLines(modelLines, shape, false);
    return again !== undefined && keepsClosersBalanced(shape, again) ? finish(again, shape) : undefined;
}

/** Reads the document around the cursor: the same for every line of the model's text. */
export function readShape(input: SuggestionContext): Shape {
    const language = rulesFor(input.languageId);
    const lineAfter = lineAfterCursor(input.suffix);
    const follows = !isClosersOnly(lineAfter);
    return {
        input,
        language,
        lineBefore: lineBeforeCursor(input.prefix),
        lineAfter,
        above: linesAbove(input.prefix, HISTORY_LINES),
        nextLine: nextNonBlankLine(input.suffix),
        textFollows: follows,
        fenceClosedBelow: language.fencedCode && insideFence(input.prefix) && linesBelow(input.suffix, Infinity).some((line) => FENCE.test(line)),
        brackets: language.bracketsBalance ? bracketContext(input.prefix, input.suffix, follows ? 0 : replaceableLength(lineAfter), language.syntax) : undefined,
    };
}

/** Whether the suggestion may span lines: nothing but closers follows the cursor, and the budget allows it. */
export function spansLines(shape: Shape): boolean {
    return shape.input.maxLines > 1 && !shape.textFollows;
}

/** The model's first line as it continues the cursor's line; `more`: other lines follow it. */
export function fittedFirstLine(first: string, shape: Shape, more: boolean): string {
    const lineAbove = [...shape.above].reverse().find((line) => !isBlank(line));
    const fitted = fitFirstLine(first, shape.lineBefore, lineAbove, shape.language.prose);
    // Spaces before the line break would only be left at the end of the cursor's line.
    return more && isBlank(fitted) ? "" : fitted;
}

/**
 * The ways postprocess() may judge the lines: with the closers after the cursor replaceable, and,
 * where brackets count, again with them kept (its second try). A stop decided early must hold for both.
 */
export function judgeModes(shape: Shape): readonly boolean[] {
    return shape.brackets && !shape.textFollows ? [true, false] : [true];
}

/** What the stop rules read, for the fitted first line `first` (its indentation places JSON/YAML keys). */
export function stopContext(shape: Shape, first: string, mayReplace: boolean): StopContext {
    const { input, language, lineBefore } = shape;
    return {
        lineBefore,
        nextLine: shape.nextLine,
        language,
        maxLines: Math.max(1, input.maxLines),
        linesAbove: shape.above,
        // Mid-line, the line-level checks below judge the brackets of the whole line instead.
        brackets: shape.brackets && !shape.textFollows ? new ModelBrackets(shape.brackets, language.syntax, mayReplace) : undefined,
        fenceClosedBelow: shape.fenceClosedBelow,
        keys: language.keys && new KeyWatch(language.keys, linesAbove(input.prefix, KEY_LINES), linesBelow(input.suffix, KEY_LINES), indentWidth(lineBefore + first)),
    };
}

/** The closers (and quotes, spaces) right after the cursor: replaced when re-typed, so the model may write them. */
function replaceableLength(lineAfter: string): number {
    return /^[ \t]*[)\]}"'`]*/.exec(lineAfter)?.[0].length ?? 0;
}

/** The suggestion in "\n" text, before the document's line ending. */
function shapeLines(modelLines: readonly string[], shape: Shape, mayReplace: boolean): Suggestion | undefined {
    const { lineBefore, lineAfter } = shape;
    const kept = keepLines(modelLines, stopContext(shape, modelLines[0], mayReplace));
    if (shape.textFollows) return kept.length === 0 ? undefined : midLine(kept[0], shape);
    const shaped = kept.join("\n").trimEnd();
    if (isBlank(shaped)) return undefined;
    return { insertText: shaped, replaceSuffixChars: replacedCloserCount(shaped, lineAfter, openQuoteAt(lineBefore)) };
}

/** Text follows the cursor on its line: one line, fitted to the rest of it. */
function midLine(first: string, shape: Shape): Suggestion | undefined {
    const { lineBefore, lineAfter, language } = shape;
    const quote = openQuoteAt(lineBefore);
    const shortened = withoutRepeatedEnding(first, lineAfter);
    const replaced = replacedCloserCount(shortened, lineAfter, quote);
    const fit = retypesRest(shortened, lineAfter.slice(replaced)) ? fitToRestOfLine(first, lineAfter) : { insertText: shortened, replaceSuffixChars: replaced };
    if (fit === undefined) return undefined;
    const { replaceSuffixChars } = fit;
    // The document's space after the cursor is enough: `f(a, |c)` + `b, ` must not give two.
    const insertText = /^[ \t]/.test(lineAfter.slice(replaceSuffixChars)) ? fit.insertText.trimEnd() : fit.insertText;
    if (isBlank(insertText)) return undefined;
    const after = lineBefore + insertText + lineAfter.slice(replaceSuffixChars);
    if (lineDamage(after, language.syntax) > lineDamage(lineBefore + lineAfter, language.syntax)) return undefined;
    return { insertText, replaceSuffixChars };
}

/** An odd number of fences above the cursor: it is inside a fenced code block. */
function insideFence(prefix: string): boolean {
    return (prefix.match(/^ {0,3}(?:```|~~~)/gm)?.length ?? 0) % 2 === 1;
}

/** `x = |foo;` + model `bar + foo;` -> `bar + `: the model re-typed the rest of the line. */
function withoutRepeatedEnding(text: string, lineAfter: string): string {
    const rest = lineAfter.trim();
    const body = text.trimEnd();
    const cut = body.length - rest.length;
    // isCutPoint: a suffix that starts mid-emoji must not take half of the model's emoji with it.
    return rest !== "" && body.endsWith(rest) && isCutPoint(body, cut) ? body.slice(0, cut) : text;
}

function keepsClosersBalanced(shape: Shape, suggestion: Suggestion): boolean {
    const { brackets, input } = shape;
    if (brackets === undefined) return true;
    const { syntax } = shape.language;
    const after = unmatchedClosers(brackets, syntax, [suggestion.insertText, input.suffix.slice(suggestion.replaceSuffixChars)]);
    return after <= unmatchedClosers(brackets, syntax, [input.suffix]);
}

function finish(suggestion: Suggestion | undefined, shape: Shape): Suggestion | undefined {
    if (suggestion === undefined) return undefined;
    const { insertText, replaceSuffixChars } = suggestion;
    if (!insertText.includes("\n")) {
        // The cursor's line as accepting leaves it must copy neither the line below nor the one above.
        const line = shape.lineBefore + insertText + shape.lineAfter.slice(replaceSuffixChars);
        const above = shape.above.at(-1);
        if (repeatsLine(line, shape.nextLine) || (above !== undefined && !isBlank(above) && lineKey(above) === lineKey(line))) return undefined;
    }
    return { insertText: toEol(insertText, shape.input.eol), replaceSuffixChars };
}
