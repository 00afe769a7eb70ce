// Where a multi-line suggestion from a prefix-only model should end. The model never sees the code
// below the cursor, so left alone it writes on into the next function, repeats the line below, loops,
// or closes blocks that are already closed. The rules, in the order a line meets them:
// - a blank line ends the suggestion (Tabby's "\n\n"): the model has finished a thought;
// - a line with the code of the first non-blank line below the cursor ends it (Continue,
//   continue#4721): the model has started re-typing what is already there;
// - the line budget (maxLines) ends it;
// - a loop ends it (repetition.ts): a line or block that repeats the one before, a key its mapping
//   already has, a line that ends in one token repeated;
// - a line that dedents out of the block the cursor is in ends it, except a line that closes that
//   block (`}`, `end`, `</div>`) or continues it (`} else {`, `elif x:`), which is kept unless the
//   code below already closes or continues the block there, or still belongs to it;
// - in Markdown, a fence inside a fenced block whose own closing fence is further down;
// - at column 0, a top-level keyword after the suggestion went through an indented block, or a
//   line comment after code, starts a new thought (Tabby's "\n" + keyword and "\n" + comment);
// - a closer that closes what the code below closes is cut, with the rest of its line (brackets.ts).
// Each rule reads one line given the lines before it: a prefix of the model's text decides the same
// cut as the whole text, which is what stopping a generation early needs.

import { ModelBrackets } from "./brackets";
import { codeOf, indentWidth, isBlank } from "./lines";
import { isLineComment, startsWithTopLevelKeyword, type LanguageRules } from "./languages";
import { endsInRepetition, KeyWatch, RepeatWatch } from "./repetition";

export interface StopContext {
    /** The cursor's line up to the cursor. */
    readonly lineBefore: string;
    /** First non-blank line below the cursor's line. */
    readonly nextLine: string | undefined;
    readonly language: LanguageRules;
    /** Most lines with content; the first line counts only when it has content. */
    readonly maxLines: number;
    /** A few whole lines above the cursor's line, nearest last: what a loop may be repeating. */
    readonly linesAbove: readonly string[];
    /** Brackets the model may close, or undefined where brackets need not balance. */
    readonly brackets: ModelBrackets | undefined;
    /** Mapping keys for JSON and YAML. */
    readonly keys: KeyWatch | undefined;
    /** Markdown: the cursor is inside a fenced code block whose closing fence is below. */
    readonly fenceClosedBelow: boolean;
}

const CLOSING_WORDS = /^(?:end|fi|done|esac)\b/;
const CONTINUING_WORDS = /^(?:else|elif|elsif|elseif|except|finally|catch|case|default|when|rescue|ensure)\b/;
const CLOSER_LINE = /^[)\]}]+[)\]};,]*$/;
const CLOSING_TAG = /^<\/[A-Za-z]/;
export const FENCE = /^ {0,3}(?:```|~~~)/;
// `<div class="card">` alone on its line opens a block; `<br>`, `<img ...>` and `<x/>` do not.
const OPENING_TAG = /^<([A-Za-z][\w.:-]*)(?:\s[^<>]*)?>$/;
const VOID_TAGS = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);

/** A line made only of closing brackets (`}`, `});`): its indentation says which block it closes. */
export function isCloserLine(line: string): boolean {
    return CLOSER_LINE.test(line.trim());
}

/** Whether the line opens an indented block: `{`, `(`, `[`, `:`, `=>`, `do`/`then` or an opening tag at its end. */
export function opensBlock(line: string): boolean {
    const trimmed = line.trimEnd();
    if (endsWithOpener(trimmed)) return true;
    // `else:  # fallback`: a comment after the opener.
    const code = trimmed.replace(/\s+(?:#|\/\/).*$/, "");
    if (code !== trimmed && endsWithOpener(code)) return true;
    const tag = OPENING_TAG.exec(trimmed.trimStart());
    return tag !== null && !trimmed.endsWith("/>") && !VOID_TAGS.has(tag[1].toLowerCase());
}

function endsWithOpener(trimmed: string): boolean {
    return /(?:[{([:]|=>)$/.test(trimmed) || /(?:^|\s)(?:do|then|begin)$/.test(trimmed) || /\bdo\s*\|[^|]*\|$/.test(trimmed);
}

/** A dedented line that still belongs to the block: it closes it or starts its next branch. */
function closesOrContinuesBlock(line: string): boolean {
    const trimmed = line.trim();
    return /^[)\]}]/.test(trimmed) || CLOSING_WORDS.test(trimmed) || CONTINUING_WORDS.test(trimmed) || CLOSING_TAG.test(trimmed);
}

/** A line that starts the block's next branch: `} else {`, `elif x:`, `catch (e) {`, `rescue`. */
function continuesBlock(line: string): boolean {
    const trimmed = line.trim();
    return CONTINUING_WORDS.test(trimmed) || /^[)\]}]+\s*(?:else|elif|catch|finally|except)\b/.test(trimmed) || (closesOrContinuesBlock(line) && opensBlock(line));
}

/**
 * Whether `line` re-types the line below the cursor: the same code (`return x` for `return x;`),
 * except for lines of bare closers: `}` at another indentation closes another block, so there the
 * indentation must match too.
 */
export function repeatsLine(line: string, below: string | undefined): boolean {
    if (below === undefined || isBlank(line)) return false;
    if (isCloserLine(line)) return line.trimEnd() === below.trimEnd();
    const code = codeOf(line);
    return code === "" ? line.trim() === below.trim() : code === codeOf(below);
}

/**
 * Whether the code below already ends the block where the model's dedented closing or continuing
 * line would: the line below still belongs to the block (it is deeper), or it closes or continues the
 * block at the same level. A continuing line above a bare closer is a new branch that closer closes.
 */
function blockEndsBelow(line: string, below: string | undefined): boolean {
    if (below === undefined) return false;
    const indent = indentWidth(line);
    const belowIndent = indentWidth(below);
    if (belowIndent !== indent) return belowIndent > indent;
    if (!closesOrContinuesBlock(below)) return false;
    return !(continuesBlock(line) && !continuesBlock(below));
}

/** What the judge says about one line. */
export type Verdict =
    | { readonly kind: "keep"; readonly line: string }
    /** Keep `line` (maybe shortened) and end the suggestion after it. */
    | { readonly kind: "last"; readonly line: string }
    /** End the suggestion before this line, and also drop the `drop` lines kept just before it. */
    | { readonly kind: "stop"; readonly drop: number };

const STOP: Verdict = { kind: "stop", drop: 0 };

/** Reads the model's lines one at a time; the first is the rest of the cursor's line. */
export class LineJudge {
    private readonly repeats: RepeatWatch;
    private startIndent = 0;
    private startOpensBlock = false;
    private counted = 0;
    private previous = "";
    private wentDeeper = false;
    private index = 0;

    constructor(private readonly ctx: StopContext) {
        this.repeats = new RepeatWatch(ctx.linesAbove);
    }

    next(line: string): Verdict {
        return this.index++ === 0 ? this.first(line) : this.following(line);
    }

    /** Whether the next line ends the suggestion whatever it holds: the line budget is spent. */
    budgetSpent(): boolean {
        return this.index > 0 && this.counted >= this.ctx.maxLines;
    }

    private first(line: string): Verdict {
        const { ctx } = this;
        const currentLine = ctx.lineBefore + line;
        this.startIndent = indentWidth(currentLine);
        // Only a block the user opened (`if x:|`) needs its body deeper than its own line; a block the
        // suggestion opens on the cursor's line closes at that line's indentation like any other.
        this.startOpensBlock = !ctx.language.prose && isBlank(line) && opensBlock(ctx.lineBefore);
        this.previous = currentLine;
        const user = isBlank(line);
        // The cursor's line is the user's when the model only ended it; else the model completed it.
        if (user) {
            this.repeats.readLine(currentLine);
            ctx.keys?.readLine(currentLine);
            return this.withBrackets(line, "keep");
        }
        this.counted = 1;
        if (this.closesFence(currentLine) || repeatsLine(currentLine, ctx.nextLine) || this.repeats.readLine(currentLine) !== undefined || endsInRepetition(currentLine) || ctx.keys?.readLine(currentLine)) return STOP;
        return this.withBrackets(line, "keep");
    }

    private following(line: string): Verdict {
        const { ctx } = this;
        const { language } = ctx;
        if (isBlank(line) || repeatsLine(line, ctx.nextLine) || this.counted >= ctx.maxLines || this.closesFence(line)) return STOP;
        const back = this.repeats.readLine(line);
        if (back !== undefined) return { kind: "stop", drop: back };
        if (endsInRepetition(line) || ctx.keys?.readLine(line)) return STOP;
        const indent = indentWidth(line);
        const outside = indent < this.startIndent || (this.startOpensBlock && indent <= this.startIndent);
        if (outside) {
            if (language.prose || !closesOrContinuesBlock(line) || blockEndsBelow(line, ctx.nextLine)) return STOP;
            this.counted++;
            this.previous = line;
            // `} else {` and `elif x:` open the next branch, whose body continues the block.
            return this.withBrackets(line, opensBlock(line) ? "keep" : "last");
        }
        if (indent === 0 && startsNewThought(line, this.previous, this.wentDeeper, language)) return STOP;
        this.counted++;
        this.wentDeeper ||= indent > 0;
        this.previous = line;
        return this.withBrackets(line, "keep");
    }

    /** A fence would close the code block early: its own fence is further down. */
    private closesFence(line: string): boolean {
        return this.ctx.fenceClosedBelow && FENCE.test(line);
    }

    private withBrackets(line: string, kind: "keep" | "last"): Verdict {
        const cut = this.ctx.brackets?.readLine(line);
        if (cut === undefined) return { kind, line };
        const kept = line.slice(0, cut).trimEnd();
        return isBlank(kept) ? STOP : { kind: "last", line: kept };
    }
}

/** The lines of the suggestion to keep: `lines[0]` continues the cursor's line. */
export function keepLines(lines: readonly string[], ctx: StopContext): string[] {
    const judge = new LineJudge(ctx);
    const kept: string[] = [];
    for (const line of lines) {
        const verdict = judge.next(line);
        if (verdict.kind === "stop") {
            kept.length = Math.max(0, kept.length - verdict.drop);
            break;
        }
        kept.push(verdict.line);
        if (verdict.kind === "last") break;
    }
    return kept;
}

function startsNewThought(line: string, previous: string, wentDeeper: boolean, language: LanguageRules): boolean {
    if (isLineComment(line, language)) return !isLineComment(previous, language);
    return wentDeeper && startsWithTopLevelKeyword(line, language);
}
