// Where a multi-line suggestion from a prefix-only model should end. The model never sees the code
// below the cursor, so left alone it writes on into the next function, repeats the line below, or
// closes blocks that are already closed. The rules, in the order a line meets them:
// - a blank line ends the suggestion (Tabby's "\n\n"): the model has finished a thought;
// - a line equal to the first non-blank line below the cursor ends it (Continue, continue#4721):
//   the model has started re-typing what is already there;
// - the line budget (maxLines) ends it;
// - a line that dedents out of the block the cursor is in ends it, except a line that closes that
//   block (`}`, `end`) or continues it (`} else {`, `elif x:`), which is kept;
// - at column 0, a top-level keyword after the suggestion went through an indented block, or a
//   line comment after code, starts a new thought (Tabby's "\n" + keyword and "\n" + comment).

import { indentWidth, isBlank } from "./lines";
import { isLineComment, startsWithTopLevelKeyword, type LanguageRules } from "./languages";

export interface StopContext {
    /** The cursor's line up to the cursor. */
    readonly lineBefore: string;
    /** Whether the cursor's line has nothing after the cursor. */
    readonly lineEndsAtCursor: boolean;
    /** First non-blank line below the cursor's line. */
    readonly nextLine: string | undefined;
    readonly language: LanguageRules;
    /** Most lines with content; the first line counts only when it has content. */
    readonly maxLines: number;
}

const CLOSING_WORDS = /^(?:end|fi|done|esac)\b/;
const CONTINUING_WORDS = /^(?:else|elif|elsif|elseif|except|finally|catch|case|default|when|rescue|ensure)\b/;
const CLOSER_LINE = /^[)\]}]+[)\]};,]*$/;

/** A line made only of closing brackets (`}`, `});`): its indentation says which block it closes. */
export function isCloserLine(line: string): boolean {
    return CLOSER_LINE.test(line.trim());
}

/** Whether the line opens an indented block: `{`, `(`, `[`, `:`, `=>` or `do`/`then` at its end. */
export function opensBlock(line: string): boolean {
    const trimmed = line.trimEnd();
    return /(?:[{([:]|=>)$/.test(trimmed) || /(?:^|\s)(?:do|then|begin)$/.test(trimmed) || /\bdo\s*\|[^|]*\|$/.test(trimmed);
}

/** A dedented line that still belongs to the block: it closes it or starts its next branch. */
function closesOrContinuesBlock(line: string): boolean {
    const trimmed = line.trim();
    return /^[)\]}]/.test(trimmed) || CLOSING_WORDS.test(trimmed) || CONTINUING_WORDS.test(trimmed);
}

/**
 * Whether `line` re-types the line below the cursor. Trimmed comparison (Continue's), except for
 * lines of bare closers: `}` at another indentation closes another block, so there the
 * indentation must match too.
 */
export function repeatsLine(line: string, below: string | undefined): boolean {
    if (below === undefined || isBlank(line)) return false;
    if (isCloserLine(line)) return line.trimEnd() === below.trimEnd();
    return line.trim() === below.trim();
}

/** The lines of the suggestion to keep: `lines[0]` continues the cursor's line. */
export function keepLines(lines: readonly string[], ctx: StopContext): string[] {
    const { language } = ctx;
    if (lines.length === 0) return [];
    const currentLine = ctx.lineBefore + lines[0];
    // A first line that turns the cursor's line into a copy of the line below it is a repeat too.
    if (ctx.lineEndsAtCursor && !isBlank(lines[0]) && repeatsLine(currentLine, ctx.nextLine)) return [];

    const startIndent = indentWidth(currentLine);
    // Only a block the user opened (`if x:|`) needs its body deeper than its own line; a block the
    // suggestion opens on the cursor's line closes at that line's indentation like any other.
    const startOpensBlock = !language.prose && isBlank(lines[0]) && opensBlock(ctx.lineBefore);
    const kept = [lines[0]];
    let counted = isBlank(lines[0]) ? 0 : 1;
    let previous = currentLine;
    let wentDeeper = false;
    for (const line of lines.slice(1)) {
        if (isBlank(line) || repeatsLine(line, ctx.nextLine) || counted >= ctx.maxLines) break;
        const indent = indentWidth(line);
        const outside = indent < startIndent || (startOpensBlock && indent <= startIndent);
        if (outside) {
            if (language.prose || !closesOrContinuesBlock(line)) break;
            kept.push(line);
            counted++;
            // `} else {` and `elif x:` open the next branch, whose body continues the block.
            if (!opensBlock(line)) break;
            previous = line;
            continue;
        }
        if (indent === 0 && startsNewThought(line, previous, wentDeeper, language)) break;
        kept.push(line);
        counted++;
        wentDeeper ||= indent > 0;
        previous = line;
    }
    return kept;
}

function startsNewThought(line: string, previous: string, wentDeeper: boolean, language: LanguageRules): boolean {
    if (isLineComment(line, language)) return !isLineComment(previous, language);
    return wentDeeper && startsWithTopLevelKeyword(line, language);
}
