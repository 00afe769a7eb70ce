// What accepting a suggestion must never do, whatever the model wrote (issue 13): leave more unmatched
// closers than the document had, double the line below the cursor, or add a line that repeats the
// line before it. Checked with counters written here, not with the code under test.

import * as assert from "node:assert/strict";
import fc from "fast-check";
import { postprocess, type PostprocessInput, type Suggestion } from "../../../src/suggestion/postprocess";

const RUNS = 400;

function accept(input: PostprocessInput, suggestion: Suggestion): string {
    return input.prefix + suggestion.insertText + input.suffix.slice(suggestion.replaceSuffixChars);
}

/**
 * Closers with no opener of their kind before them (an opener left open does not count), skipping
 * "..." strings, which end at their line end. The alphabets below have no other quotes or comments.
 */
function unmatchedClosers(text: string): number {
    const stack: string[] = [];
    let unmatched = 0;
    let inString = false;
    for (const char of text) {
        if (inString) {
            if (char === '"' || char === "\n") inString = false;
        } else if (char === '"') {
            inString = true;
        } else if ("([{".includes(char)) {
            stack.push(char);
        } else if (")]}".includes(char)) {
            const at = stack.lastIndexOf("([{"[")]}".indexOf(char)]);
            if (at < 0) unmatched++;
            else stack.length = at;
        }
    }
    return unmatched;
}

/** A line with no code: only closers, quotes, separators and spaces. Its indentation says what it closes. */
function hasCode(line: string): boolean {
    return !/^[\s)\]}>"'`;,:{]*$/.test(line);
}

/** The lines of the accepted document that the suggestion wrote into, each with its line before it. */
function insertedLines(input: PostprocessInput, suggestion: Suggestion): { line: string; before: string | undefined }[] {
    const document = accept(input, suggestion).split(/\r?\n/);
    const first = input.prefix.split(/\r?\n/).length - 1;
    const count = suggestion.insertText.split(/\r?\n/).length;
    const firstHasModelText = suggestion.insertText.split(/\r?\n/)[0].trim() !== "";
    const lines = [];
    for (let i = firstHasModelText ? first : first + 1; i < first + count; i++) lines.push({ line: document[i], before: i > 0 ? document[i - 1] : undefined });
    return lines;
}

function nextNonBlankLine(suffix: string): string | undefined {
    return suffix
        .split(/\r?\n/)
        .slice(1)
        .find((line) => line.trim() !== "");
}

const eol = fc.constantFrom<"\n" | "\r\n">("\n", "\r\n");
const maxLines = fc.integer({ min: 1, max: 8 });

describe("postprocess properties", () => {
    describe("accepting never leaves more unmatched closers than before", () => {
        const code = ["x", "f", " ", "  ", "    ", "\n", "(", ")", "[", "]", "{", "}", ";", ",", " = ", "if (a) {", "} else {", "return x;"];
        const text = (pieces: readonly string[]) => fc.array(fc.constantFrom(...pieces), { maxLength: 24 }).map((parts) => parts.join(""));
        for (const [languageId, pieces] of [
            ["typescript", [...code, '"']],
            ["go", [...code, '"']],
            ["rust", [...code, '"']],
            ["json", [...code, '"', ": "]],
            // No quotes for Python: """ would start a docstring, which the counter above does not know.
            ["python", [...code, ":", "else:", "elif x:"]],
        ] as const) {
            it(languageId, () => {
                fc.assert(
                    fc.property(text(pieces), text(pieces), text(pieces), eol, maxLines, (prefix, suffix, completion, lineEnd, lines) => {
                        const input = { prefix, suffix, completion, languageId, eol: lineEnd, maxLines: lines };
                        const result = postprocess(input);
                        if (result === undefined) return;
                        assert.ok(unmatchedClosers(accept(input, result)) <= unmatchedClosers(prefix + suffix), JSON.stringify({ input, result }));
                    }),
                    { numRuns: RUNS },
                );
            });
        }
    });

    // Documents and answers made from a few lines, so that repeats are common.
    const poolLine = fc.constantFrom("    total += x;", "    total += x", "    log(total);", "  }", "}", "    return total;", "    items.push(x);", "", "  - name: a", "- a", "x = 1");
    const partial = fc.constantFrom("", "    ", "    total", "    log(", "    items.push(");
    const rest = fc.constantFrom("", ")", ");", ";", "}", " x);", " += x;");
    const scenario = fc.record({
        above: fc.array(poolLine, { maxLength: 5 }),
        lineBefore: partial,
        lineAfter: rest,
        below: fc.array(poolLine, { maxLength: 5 }),
        answer: fc.array(poolLine, { minLength: 1, maxLength: 6 }),
        answerStart: fc.constantFrom("", "total += x;", "x);", "log(total);", " += x;"),
        languageId: fc.constantFrom("typescript", "python", "go", "markdown", "yaml"),
        eol,
        maxLines,
    });
    type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;
    const inputOf = (s: Scenario): PostprocessInput => ({
        prefix: [...s.above, s.lineBefore].join(s.eol),
        suffix: [s.lineAfter, ...s.below].join(s.eol),
        completion: [s.answerStart, ...s.answer].join("\n"),
        languageId: s.languageId,
        eol: s.eol,
        maxLines: s.maxLines,
    });

    it("never doubles the line below the cursor", () => {
        fc.assert(
            fc.property(scenario, (s) => {
                const input = inputOf(s);
                const result = postprocess(input);
                if (result === undefined) return;
                const next = nextNonBlankLine(input.suffix);
                if (next === undefined) return;
                for (const { line } of insertedLines(input, result)) {
                    if (hasCode(line)) assert.notEqual(line.trim(), next.trim(), JSON.stringify({ input, result }));
                }
            }),
            { numRuns: RUNS * 2 },
        );
    });

    it("never adds a line that repeats the line before it", () => {
        fc.assert(
            fc.property(scenario, (s) => {
                const input = inputOf(s);
                const result = postprocess(input);
                if (result === undefined) return;
                for (const { line, before } of insertedLines(input, result)) {
                    if (hasCode(line) && before !== undefined) assert.notEqual(line.trimEnd(), before.trimEnd(), JSON.stringify({ input, result }));
                }
            }),
            { numRuns: RUNS * 2 },
        );
    });
});
