// The text sent to the model for "Solar: Prompt...": Solar Instruct's single-turn template, or a
// plain-text Q&A framing the base model continues. The selected code goes in clearly fenced. The
// budget is exact: every candidate is counted with the engine's own tokenizer (BOS included), and a
// prompt that does not fit loses the middle of the selection behind a visible marker, never silently.

import { MAX_CHARS_PER_TOKEN } from "../backend/limits";
import { cutPointAtOrAfter, cutPointAtOrBefore } from "../text/cutPoints";

export type PromptStyle = "instruct" | "base";

export interface SelectionContext {
    readonly text: string;
    readonly languageId: string;
    /** Shown in the label above the code, e.g. a workspace-relative path. */
    readonly fileName?: string;
}

export interface AskPromptRequest {
    readonly question: string;
    readonly selection?: SelectionContext;
    readonly style: PromptStyle;
    /** Exactly the tokens the engine evaluates for this text, BOS included. */
    readonly countTokens: (text: string) => number | Promise<number>;
    /** Most prompt tokens: context size - margin - tokens reserved for the answer. */
    readonly budget: number;
}

export interface MiddleCut {
    /** Lines of the selection left out (line breaks inside the removed text). */
    readonly lines: number;
    readonly chars: number;
}

export interface BuiltPrompt {
    readonly text: string;
    /** countTokens(text): never above the budget. */
    readonly tokens: number;
    /** Where the model should stop: the start of a next turn or question. */
    readonly stop: readonly string[];
    /** Present when the selection's middle was cut to fit. */
    readonly cut?: MiddleCut;
}

export class PromptTooLongError extends Error {
    readonly code = "PROMPT_TOO_LONG";
}

/** Solar Instruct's single-turn template, exactly. */
export function instructTemplate(userTurn: string): string {
    return `### User:\n${userTurn}\n\n### Assistant:\n`;
}

/** The user's turn: the question, then the selection in a fence no line of it can close. */
export function userTurn(question: string, selection?: SelectionContext): string {
    return selection ? `${question}\n\n${selectionBlock(selection)}` : question;
}

/** For the base model: a document whose natural continuation is the answer. */
export function baseFraming(question: string, selection?: SelectionContext): string {
    const code = selection ? `${selectionBlock(selection)}\n\n` : "";
    return `Below is a question about code, followed by a helpful, accurate answer.\n\n${code}Question: ${question}\n\nAnswer:`;
}

export function renderPrompt(style: PromptStyle, question: string, selection?: SelectionContext): string {
    return style === "instruct" ? instructTemplate(userTurn(question, selection)) : baseFraming(question, selection);
}

export function stopStrings(style: PromptStyle): readonly string[] {
    return style === "instruct" ? ["### User:"] : ["\nQuestion:"];
}

/** The line that replaces the cut part: the model and the reader both see that something is missing. */
export function cutMarker(cut: MiddleCut): string {
    return `[… ${cut.lines.toLocaleString("en-US")} lines (${cut.chars.toLocaleString("en-US")} characters) cut here by Solar Complete to fit the context window …]`;
}

export const CUT_MARKER_PATTERN = /\[… [\d,]+ lines \([\d,]+ characters\) cut here by Solar Complete to fit the context window …\]/;

/**
 * Builds the prompt; when it is over the budget, keeps as much of the selection's head and tail as
 * fits (a binary search over measured counts: only a measured fit is ever returned).
 */
export async function buildAskPrompt(req: AskPromptRequest): Promise<BuiltPrompt> {
    const { style, question, selection, budget } = req;
    const stop = stopStrings(style);
    const measure = async (text: string) => ({ text, tokens: await req.countTokens(text) });

    const whole = await measure(renderPrompt(style, question, selection));
    if (whole.tokens <= budget) return { ...whole, stop };
    if (!selection) throw tooLong(whole.tokens, budget, "The prompt");

    const candidate = async (keep: number) => {
        const kept = cutMiddle(selection.text, keep);
        return { ...(await measure(renderPrompt(style, question, { ...selection, text: kept.text }))), cut: kept.cut };
    };
    let fit = await candidate(0);
    if (fit.tokens > budget) throw tooLong(fit.tokens, budget, "The prompt without the selection");
    let low = 0;
    let high = Math.min(selection.text.length, Math.max(0, budget) * MAX_CHARS_PER_TOKEN);
    if (high < selection.text.length) {
        const widest = await candidate(high);
        if (widest.tokens <= budget) return { ...widest, stop };
    }
    while (high - low > 1) {
        const middle = Math.floor((low + high) / 2);
        const tried = await candidate(middle);
        if (tried.tokens <= budget) {
            fit = tried;
            low = middle;
        } else {
            high = middle;
        }
    }
    return { ...fit, stop };
}

/**
 * Keeps about `keep` characters of `text`, half from its start and half from its end, on line
 * boundaries when a line break is near, and puts the marker where the rest was.
 */
export function cutMiddle(text: string, keep: number): { text: string; cut: MiddleCut } {
    const headWanted = Math.ceil(Math.max(0, keep) / 2);
    const tailWanted = Math.max(0, keep) - headWanted;
    let headEnd = cutPointAtOrBefore(text, headWanted);
    const lineEnd = text.lastIndexOf("\n", headEnd - 1) + 1;
    if (lineEnd > 0 && lineEnd >= headEnd / 2) headEnd = lineEnd;
    let tailStart = cutPointAtOrAfter(text, text.length - tailWanted);
    const atLineStart = tailStart === 0 || text[tailStart - 1] === "\n";
    const lineStart = text.indexOf("\n", tailStart) + 1;
    if (!atLineStart && tailWanted > 0 && lineStart > 0 && text.length - lineStart >= tailWanted / 2) tailStart = lineStart;
    if (tailStart < headEnd) tailStart = headEnd;
    const removed = text.slice(headEnd, tailStart);
    const cut = { lines: countLines(removed), chars: removed.length };
    const head = text.slice(0, headEnd);
    const tail = text.slice(tailStart);
    const before = head === "" || head.endsWith("\n") ? "" : "\n";
    return { text: `${head}${before}${cutMarker(cut)}\n${tail}`, cut };
}

function selectionBlock(selection: SelectionContext): string {
    const longestRun = Math.max(0, ...(selection.text.match(/`+/g) ?? []).map((run) => run.length));
    const fence = "`".repeat(Math.max(3, longestRun + 1));
    const label = selection.fileName ? `Selected code from ${selection.fileName}:` : "Selected code:";
    const body = selection.text.endsWith("\n") ? selection.text : `${selection.text}\n`;
    return `${label}\n${fence}${selection.languageId}\n${body}${fence}`;
}

function countLines(text: string): number {
    if (text === "") return 0;
    const breaks = text.match(/\n/g)?.length ?? 0;
    return text.endsWith("\n") ? breaks : breaks + 1;
}

function tooLong(tokens: number, budget: number, what: string): PromptTooLongError {
    return new PromptTooLongError(
        `${what} has ${tokens} tokens, over the ${budget} left for it in the context window once the answer's tokens are reserved. Shorten it or lower solarComplete.prompt.maxTokens.`,
    );
}
