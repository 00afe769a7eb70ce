// The streaming stop (src/suggestion/streamingStop.ts) against postprocess() itself: over every golden
// case, cut anywhere and continued with random text in random chunks, postprocess() of the text the
// stop let through equals postprocess() of the text the generation would have run on to, whether
// that ended by itself or at a limit. And it stops where the issue says: the first line break in a
// single-line place, the line a stop rule ends on, the line break after the line budget.

import * as assert from "node:assert/strict";
import fc from "fast-check";
import { isClosersOnly } from "../../../src/suggestion/closers";
import { lineAfterCursor } from "../../../src/suggestion/lines";
import { postprocess, type PostprocessInput } from "../../../src/suggestion/postprocess";
import { StreamingStop, streamingStopFor } from "../../../src/suggestion/streamingStop";
import { goldenCases, type LoadedCase } from "../support/goldenCases";

const RUNS = 3000;
const cases = goldenCases();

/** Pushes `chunks` until the stop says final; returns the text pushed by then (all of it when never). */
function streamed(input: PostprocessInput, chunks: readonly string[]): { text: string; final: boolean } {
    const stop = new StreamingStop(input);
    let text = "";
    for (const chunk of chunks) {
        text += chunk;
        if (stop.push(chunk)) return { text, final: true };
    }
    return { text, final: false };
}

/** Where the stop ends the text when it is fed one character at a time (undefined: never). */
function stopOffset(input: PostprocessInput, completion: string): number | undefined {
    const result = streamed(input, [...completion]);
    return result.final ? result.text.length : undefined;
}

function input(base: Partial<PostprocessInput> & Pick<PostprocessInput, "prefix" | "languageId">): PostprocessInput {
    return { suffix: "", completion: "", eol: "\n", maxLines: 8, ...base };
}

/** Lines the model might write next: pieces every rule reacts to, and the case's own lines (repeats, loops). */
function continuation(c: LoadedCase): fc.Arbitrary<string> {
    const own = [...c.input.prefix.split(/\r?\n/).slice(-6), ...c.input.suffix.split(/\r?\n/).slice(0, 6), ...c.input.completion.split(/\r?\n/)];
    const pieces = [
        "\n", "\n", "\n", "\r\n", "\r", "\n\n", "  ", "    ", "\t", " ", "}", ")", "]", "});", "{", "(", "[", '"', "'", "`", "#", "//", "/*", "*/",
        "return x;", "else:", "} else {", "elif y:", "def f():", "import os", "export const a = 1;", "class A:", "@decorator", "end",
        "x = 1", "foo()", "- item", "```", '"key": 1,', "key: value", "0000000000", "🙂", "\ud83d", "word", "other", "<div>", "</div>",
    ];
    const piece = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...pieces) }, { weight: 2, arbitrary: fc.constantFrom(...own) }, { weight: 1, arbitrary: fc.string({ maxLength: 4 }) });
    return fc.array(piece, { maxLength: 24 }).map((parts) => parts.join(""));
}

/** Splits `text` into chunks at the given cut points, as tokens or server events arrive. */
function chunked(text: string, cuts: readonly number[]): string[] {
    const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
    const chunks: string[] = [];
    let at = 0;
    for (const point of [...points, text.length]) {
        if (point > at) chunks.push(text.slice(at, point));
        at = Math.max(at, point);
    }
    return chunks;
}

describe("streaming stop: the suggestion is final when the stop says so", () => {
    it(`over the golden cases, cut and continued at random (${RUNS} runs): postprocess(stopped) === postprocess(unstopped)`, () => {
        let finals = 0;
        const story = fc.integer({ min: 0, max: cases.length - 1 }).chain((index) => {
            const c = cases[index];
            return fc.record({
                index: fc.constant(index),
                keep: fc.integer({ min: 0, max: c.input.completion.length }),
                more: continuation(c),
                cuts: fc.array(fc.nat(), { maxLength: 40 }),
            });
        });
        fc.assert(
            fc.property(story, ({ index, keep, more, cuts }) => {
                const c = cases[index];
                const full = c.input.completion.slice(0, keep) + more;
                const { text, final } = streamed(c.input, chunked(full, cuts));
                if (!final) return;
                finals++;
                const shown = postprocess({ ...c.input, completion: text, truncated: false });
                // The generation would have ended by itself (EOS) or at a token or time limit.
                assert.deepEqual(shown, postprocess({ ...c.input, completion: full, truncated: false }), `${c.file}: ${JSON.stringify(full)}, stopped at ${JSON.stringify(text)}`);
                assert.deepEqual(shown, postprocess({ ...c.input, completion: full, truncated: true }), `${c.file} (cut by a limit): ${JSON.stringify(full)}, stopped at ${JSON.stringify(text)}`);
            }),
            { numRuns: RUNS, seed: 14 },
        );
        // Measured: 782 of 3,000 (a cut golden completion often ends inside its first line).
        assert.ok(finals > RUNS / 5, `only ${finals} of ${RUNS} runs ended early: the property says little`);
    });

    it("every golden case streamed one character at a time still shows its expected text", () => {
        let early = 0;
        for (const c of cases) {
            const { text, final } = streamed(c.input, [...c.input.completion]);
            const truncated = final ? false : c.input.truncated;
            assert.deepEqual(postprocess({ ...c.input, completion: text, truncated }), c.expected, c.file);
            if (final && text.length < c.input.completion.length) early++;
        }
        // Many golden completions end with their suggestion; those that run on past it are cut short
        // (measured: 56 of 153).
        assert.ok(early >= cases.length / 3, `${early} of ${cases.length} golden completions stopped early`);
    });

    it("a single-line place stops at the first line break", () => {
        const singleLine = cases.filter((c) => c.input.maxLines <= 1 || !isClosersOnly(lineAfterCursor(c.input.suffix)));
        assert.ok(singleLine.length >= 10, `${singleLine.length} single-line golden cases`);
        for (const c of singleLine) {
            // The model goes on to the next line, as it does when left alone.
            const completion = `${c.input.completion.replace(/\r\n?/g, "\n")}\nnext();\n`;
            assert.equal(stopOffset(c.input, completion), completion.indexOf("\n") + 1, c.file);
        }
        const never = input({ prefix: "const total = ", languageId: "typescript", maxLines: 1 });
        assert.equal(stopOffset(never, "sum(items);\nconst next = 2;\n"), "sum(items);\n".length, "maxLines 1 reads the cursor's line only");
        assert.equal(stopOffset(never, "sum(items);\r\nconst next = 2;"), "sum(items);\r".length, "a CRLF ends the line at its \\r");
    });

    it("a multi-line place stops on the line each rule ends on, once its line break has come", () => {
        const body = "function f(items: number[]) {\n    let total = 0;\n    ";
        const ts = (prefix: string, suffix = "", maxLines = 8) => input({ prefix, suffix, languageId: "typescript", maxLines });
        const at = (text: string, upTo: string) => text.indexOf(upTo) + upTo.length;
        const cases: [string, PostprocessInput, string, string][] = [
            ["blank line", ts(body, "\n}\n"), "total += 1;\n\n    return total;\n", "total += 1;\n\n"],
            ["re-types the line below", ts(body, "\n    return total;\n}\n"), "total += 1;\n    return total;\n}\n", "total += 1;\n    return total;\n"],
            ["line budget", ts(body, "\n}\n", 2), "total += 1;\n    total += 2;\n    total += 3;\n", "total += 1;\n    total += 2;\n"],
            ["closes the block (dedent, kept)", ts("function f() {\n"), "    return 1;\n}\nconst after = 2;\n", "    return 1;\n}\n"],
            ["new top-level statement", ts('import a from "a";\n'), "function f() {\n    return a;\n}\nexport const x = 2;\nmore();\n", "export const x = 2;\n"],
            ["repetition loop", ts(body, "\n}\n"), "total++;\n    total++;\n    total++;\n    total++;\n", "total++;\n    total++;\n"],
            ["dedent below the block (Python)", input({ prefix: "def f(x):\n    if x:\n        ", languageId: "python" }), "return 1\n    return 2\nprint(3)\n", "return 1\n    return 2\n"],
            ["prose: a blank line (Markdown)", input({ prefix: "# Notes\n\n", languageId: "markdown" }), "First point.\nSecond point.\n\nThird.\n", "First point.\nSecond point.\n\n"],
        ];
        for (const [rule, place, completion, upTo] of cases) {
            assert.equal(stopOffset(place, completion), at(completion, upTo), rule);
            assert.deepEqual(postprocess({ ...place, completion: completion.slice(0, at(completion, upTo)) }), postprocess({ ...place, completion }), rule);
        }
    });

    it("never decides inside a line: a line that repeats one token runs on to the limit", () => {
        const place = input({ prefix: "function f() {\n    const a = ", languageId: "typescript" });
        assert.equal(stopOffset(place, "b = b = b = b = b = b = b = b = b = b = b"), undefined);
        assert.equal(stopOffset(place, "b;\n    const c = "), undefined, "a kept line and an unfinished one: not final");
    });

    it("streamingStopFor: only for ghost-text requests; the document prompt gives the prefix and suffix", () => {
        const ghost = { languageId: "typescript", eol: "\n" as const, maxLines: 8 };
        assert.equal(streamingStopFor({ prompt: { kind: "text", text: "x" }, maxTokens: 8 }), undefined);
        const document = { kind: "document" as const, text: "foo(, b);\n", cursor: "foo(".length };
        const stop = streamingStopFor({ prompt: document, maxTokens: 8, ghost });
        assert.ok(stop);
        // `, b);` follows the cursor: a single-line place, final at the first line break.
        assert.equal(stop.push("1"), false);
        assert.equal(stop.push("\nnext"), true);
        const text = streamingStopFor({ prompt: { kind: "text", text: "function f() {\n" }, maxTokens: 8, ghost });
        assert.equal(text?.push("    return 1;\n"), false, "a text prompt has nothing after the cursor: multi-line");
    });
});
