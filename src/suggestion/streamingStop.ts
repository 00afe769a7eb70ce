// Ends a ghost-text generation the moment the suggestion can no longer change. Every token generated
// after that is latency the user waits through for text post-processing throws away: in a
// single-line place, everything after the first line break.
//
// The stop rules (stopRules.ts) read the model's lines one at a time, each given only the lines
// before it, and only the limit-cut rule (truncation.ts) needs the finished text. So once every line
// postprocess() would judge has been judged to an end, any continuation gives the same suggestion:
// - single-line (text follows the cursor, or maxLines 1): the first line break;
// - multi-line: the line the stop rules end on (a blank line, a dedent below the block, a new
//   top-level statement, a line that re-types the code below, a repetition loop, a closer the code
//   below already has), or the line break after the last line the budget allows.
// A line is judged once its line break has arrived, never before: its verdict may depend on its end
// (`} else {` continues a block, `}` ends it; `foo();` repeats the line below, `foo(1);` does not).
// So a suggestion that ends on a stop rule costs that line and its break; one that ends on the
// budget or in a single-line place, only the break.
//
// What no prefix decides: a line that never ends (one token repeated to the token limit). Whether
// it "ends in repetition" depends on its last characters, which a continuation can change, so it
// runs to the limit, whose cut post-processing then drops (truncation.ts).
//
// Exact by construction, and test/unit/streamingStop.test.ts checks it over every golden case with
// random cuts and continuations: postprocess() of the stopped text equals postprocess() of the text
// the generation would have run on to. Pure: the engine and the remote backend evaluate it as the
// text streams (CompletionRequest.ghost), ghost text post-processes what they return.

import type { CompletionRequest } from "../backend/types";
import { withoutLoneSurrogates } from "./lines";
import { fittedFirstLine, judgeModes, readShape, spansLines, stopContext, type Shape, type SuggestionContext } from "./postprocess";
import { LineJudge } from "./stopRules";

const LINE_BREAK = /\r\n|\r|\n/g;

export class StreamingStop {
    private readonly shape: Shape;
    /** One judge per way postprocess() may judge the lines; undefined before the first line ends. */
    private judges: { readonly judge: LineJudge; reading: boolean }[] | undefined;
    /** The line being generated, not yet ended. */
    private partial = "";
    /** The last line break was a "\r": a "\n" right after it belongs to it ("\r\n"). */
    private afterCr = false;
    private lines = 0;
    private decided = false;

    constructor(context: SuggestionContext) {
        this.shape = readShape(context);
    }

    /** Whether the suggestion can no longer change, whatever the model writes next. */
    get final(): boolean {
        return this.decided;
    }

    /** Reads the next piece of the model's text; true once the suggestion is final. */
    push(chunk: string): boolean {
        if (this.decided || chunk === "") return this.decided;
        const text = this.afterCr && chunk.startsWith("\n") ? chunk.slice(1) : chunk;
        this.afterCr = false;
        let start = 0;
        LINE_BREAK.lastIndex = 0;
        for (let found = LINE_BREAK.exec(text); found !== null; found = LINE_BREAK.exec(text)) {
            const line = this.partial + text.slice(start, found.index);
            this.partial = "";
            start = found.index + found[0].length;
            this.afterCr = found[0] === "\r" && start === text.length;
            if (this.readLine(line)) return (this.decided = true);
        }
        this.partial += text.slice(start);
        return false;
    }

    /** One whole line of the model's text; true when no later line can change the suggestion. */
    private readLine(raw: string): boolean {
        // A half surrogate pair next to a line break stays half whatever follows: drop it as postprocess() does.
        const line = withoutLoneSurrogates(raw);
        if (this.lines++ > 0) return this.judge(line);
        // Single-line: postprocess() reads nothing past the first line.
        if (!spansLines(this.shape)) return true;
        const first = fittedFirstLine(line, this.shape, true);
        this.judges = judgeModes(this.shape).map((mayReplace) => ({ judge: new LineJudge(stopContext(this.shape, first, mayReplace)), reading: true }));
        return this.judge(first);
    }

    private judge(line: string): boolean {
        for (const entry of this.judges ?? []) {
            if (!entry.reading) continue;
            const verdict = entry.judge.next(line);
            entry.reading = verdict.kind === "keep" && !entry.judge.budgetSpent();
        }
        return this.judges !== undefined && this.judges.every((entry) => !entry.reading);
    }
}

/** The streaming stop a ghost-text request asks for, or undefined (Prompt…, Continue Here, tests). */
export function streamingStopFor(request: CompletionRequest): StreamingStop | undefined {
    const { ghost, prompt } = request;
    if (ghost === undefined) return undefined;
    const [prefix, suffix] = prompt.kind === "document" ? [prompt.text.slice(0, prompt.cursor), prompt.text.slice(prompt.cursor)] : [prompt.text, ""];
    return new StreamingStop({ prefix, suffix, languageId: ghost.languageId, eol: ghost.eol, maxLines: ghost.maxLines });
}
