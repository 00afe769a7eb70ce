// The pieces of post-processing on their own, plus properties that must hold for any model output.
// The golden cases (postprocess.test.ts) show the whole behaviour on realistic documents.

import * as assert from "node:assert/strict";
import fc from "fast-check";
import { isClosersOnly, openQuoteAt, replacedCloserCount, unpairedClosers } from "../../../src/suggestion/closers";
import { isLineComment, rulesFor, startsWithTopLevelKeyword } from "../../../src/suggestion/languages";
import { indentWidth, lineAfterCursor, lineBeforeCursor, nextNonBlankLine, normalizeLineBreaks, toEol, withoutLoneSurrogates } from "../../../src/suggestion/lines";
import { postprocess } from "../../../src/suggestion/postprocess";
import { isCloserLine, opensBlock, repeatsLine } from "../../../src/suggestion/stopRules";

describe("postprocess helpers", () => {
    describe("lines", () => {
        it("normalizes CRLF and lone CR to LF and back to the document's EOL", () => {
            assert.equal(normalizeLineBreaks("a\r\nb\rc\nd"), "a\nb\nc\nd");
            assert.equal(toEol("a\nb", "\r\n"), "a\r\nb");
            assert.equal(toEol("a\nb", "\n"), "a\nb");
        });

        it("drops surrogates without their other half, keeps whole pairs", () => {
            assert.equal(withoutLoneSurrogates("hi \ud83d"), "hi ");
            assert.equal(withoutLoneSurrogates("\ud83d\na\udc4b"), "\na");
            assert.equal(withoutLoneSurrogates("hi 👋🌍"), "hi 👋🌍");
            assert.equal(withoutLoneSurrogates(""), "");
        });

        it("measures indentation with tab stops of 4", () => {
            assert.equal(indentWidth("    x"), 4);
            assert.equal(indentWidth("\tx"), 4);
            assert.equal(indentWidth("  \tx"), 4, "a tab after two spaces reaches the same stop");
            assert.equal(indentWidth("\t\t"), 8, "a whitespace-only line counts all of it");
            assert.equal(indentWidth("x    "), 0);
        });

        it("finds the cursor's line and the next non-blank line in LF and CRLF text", () => {
            assert.equal(lineBeforeCursor("a\r\n  b"), "  b");
            assert.equal(lineAfterCursor(")\r\nnext"), ")");
            assert.equal(lineAfterCursor(");"), ");");
            assert.equal(nextNonBlankLine(")\r\n\r\n   \r\n  next\r\nlast"), "  next");
            assert.equal(nextNonBlankLine("only the rest of this line"), undefined);
        });
    });

    describe("closers", () => {
        it("accepts Copilot's closers-only rest of line", () => {
            for (const rest of ["", ")", "  ", '");', "]}", "`;", ") {", "):"]) assert.ok(isClosersOnly(rest), rest);
            for (const rest of ["x)", " + 1", "foo", ") + 1;"]) assert.ok(!isClosersOnly(rest), rest);
        });

        it("knows which quote the cursor is inside", () => {
            assert.equal(openQuoteAt('print("hel'), '"');
            assert.equal(openQuoteAt('print("a", "b'), '"');
            assert.equal(openQuoteAt('x = "a\\"b'), '"', "an escaped quote does not close");
            assert.equal(openQuoteAt("it's"), undefined, "an apostrophe is not a quote");
            assert.equal(openQuoteAt("f'"), "'", "a string prefix is not a word");
            assert.equal(openQuoteAt("`a ${b}"), "`");
        });

        it("lists closers with no opener in the text, skipping strings the text opens", () => {
            assert.deepEqual(unpairedClosers("a, b)"), { chars: ")", end: 5, strayQuote: false });
            assert.equal(unpairedClosers("x) + f(1))").chars, "))");
            assert.equal(unpairedClosers('"(")').chars, ")");
            assert.equal(unpairedClosers('hello")', '"').chars, '")');
            assert.equal(unpairedClosers("a\n  b\n];").chars, "]");
            assert.equal(unpairedClosers('oops "x').strayQuote, true);
        });

        it("replaces the closers the text re-types, and a separator right after them", () => {
            assert.equal(replacedCloserCount("a, b)", ")"), 1);
            assert.equal(replacedCloserCount("a, b);", ");"), 2);
            assert.equal(replacedCloserCount("a, b); // done", ");"), 2);
            assert.equal(replacedCloserCount("x)", "))"), 1, "one of two");
            assert.equal(replacedCloserCount("x));", "))"), 2, "more than there is");
            assert.equal(replacedCloserCount("a, b", ")"), 0);
            assert.equal(replacedCloserCount("a[0]", ")"), 0);
            assert.equal(replacedCloserCount("1;", ";"), 1, "separators alone");
            assert.equal(replacedCloserCount("f()", ")"), 0, "a closed pair is not a closer");
            assert.equal(replacedCloserCount("x)", ")   "), 1, "trailing spaces stay");
        });

        it("gives up rather than replace text the suggestion does not contain", () => {
            // VS Code would not show it as ghost text: ` )` is not inside `x)`.
            assert.equal(replacedCloserCount("x)", " )"), 0);
            assert.equal(replacedCloserCount("x )", " )"), 2);
        });
    });

    describe("languages", () => {
        it("knows top-level keywords and comments per language", () => {
            const ts = rulesFor("typescript");
            const py = rulesFor("python");
            assert.ok(startsWithTopLevelKeyword("export function f() {", ts));
            assert.ok(!startsWithTopLevelKeyword("exported = 1;", ts), "whole words only");
            assert.ok(startsWithTopLevelKeyword("@dataclass", py));
            assert.ok(!startsWithTopLevelKeyword("# comment", py));
            assert.ok(isLineComment("# note", py) && !isLineComment("// note", py));
            assert.ok(isLineComment("// note", ts) && isLineComment(" * more", ts));
        });

        it("treats prose and unknown ids sensibly, and never reads Object.prototype", () => {
            assert.equal(rulesFor("markdown").prose, true);
            assert.equal(rulesFor("markdown").topLevelKeywords.size, 0);
            assert.equal(rulesFor("zig").prose, false);
            assert.ok(startsWithTopLevelKeyword("fn main() void {", rulesFor("zig")));
            assert.doesNotThrow(() => rulesFor("constructor"));
            assert.equal(rulesFor("constructor").prose, false);
        });
    });

    describe("stop rules", () => {
        it("recognizes block openers", () => {
            for (const line of ["if (x) {", "def f():", "foo(", "xs = [", "const f = () =>", "items.each do |x|", "if x then"]) {
                assert.ok(opensBlock(line), line);
            }
            for (const line of ["return x;", "}", "# done", "x = do_thing"]) assert.ok(!opensBlock(line), line);
        });

        it("compares closer lines with their indentation, other lines trimmed", () => {
            assert.ok(isCloserLine("    });") && !isCloserLine("} else {"));
            assert.ok(repeatsLine("  return x;", "    return x;"));
            assert.ok(!repeatsLine("    }", "}"));
            assert.ok(repeatsLine("}", "}"));
            assert.ok(!repeatsLine("   ", "   "), "blank lines never count as repeats");
        });
    });

    describe("properties", () => {
        const piece = fc.constantFrom("a", "x = 1", " ", "  ", "\t", "\n", "\r\n", "\r", "(", ")", "{", "}", '"', "'", ";", "😀", "\ud83d", "\udc4b", "def f():", "return");
        const text = fc.array(piece, { maxLength: 30 }).map((parts) => parts.join(""));
        const eol = fc.constantFrom<"\n" | "\r\n">("\n", "\r\n");
        const language = fc.constantFrom("typescript", "python", "markdown", "plaintext", "go");

        it("always returns a non-blank suggestion in the document's EOL that keeps the replaced text", () => {
            fc.assert(
                fc.property(text, text, text, language, eol, fc.integer({ min: 1, max: 10 }), (prefix, suffix, completion, languageId, lineEnd, maxLines) => {
                    const result = postprocess({ prefix, suffix, completion, languageId, eol: lineEnd, maxLines });
                    if (result === undefined) return;
                    const { insertText, replaceSuffixChars } = result;
                    assert.ok(insertText.trim() !== "");
                    assert.ok((insertText.match(/\r\n|\r|\n/g) ?? []).every((b) => b === lineEnd));
                    assert.equal(withoutLoneSurrogates(insertText), insertText, "no half surrogate pair");
                    assert.ok(replaceSuffixChars >= 0 && replaceSuffixChars <= lineAfterCursor(suffix).length);
                    const lines = insertText.split(lineEnd);
                    const contentLines = lines.filter((line, i) => i > 0 || line.trim() !== "").length;
                    assert.ok(contentLines <= maxLines, "at most maxLines lines with content");
                    assert.ok(lines.slice(1).every((line) => line.trim() !== ""), "no blank line inside");
                }),
            );
        });
    });
});
