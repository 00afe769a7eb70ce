// The rules added for issue 13 on their own: the bracket scanner and what the suffix already closes,
// loops, mid-line fitting, the first line's seam and indentation, limits. The golden cases show each
// defect class fixed; these also pin what must still pass through untouched.

import * as assert from "node:assert/strict";
import { bracketContext, ModelBrackets, unmatchedClosers } from "../../../src/suggestion/brackets";
import { fitFirstLine } from "../../../src/suggestion/firstLine";
import { rulesFor } from "../../../src/suggestion/languages";
import { codeOf, linesAbove, linesBelow } from "../../../src/suggestion/lines";
import { fitToRestOfLine, lineDamage, retypesRest } from "../../../src/suggestion/midLine";
import { finishedText, postprocess, stoppedByLimit, type Suggestion } from "../../../src/suggestion/postprocess";
import { endsInRepetition, KeyWatch, RepeatWatch } from "../../../src/suggestion/repetition";
import { IN_CODE, isApostrophe, scan } from "../../../src/suggestion/scanner";
import { withoutUnfinishedLine } from "../../../src/suggestion/truncation";

const ts = rulesFor("typescript").syntax;
const py = rulesFor("python").syntax;
const rust = rulesFor("rust").syntax;

function bracketsIn(text: string, syntax = ts): string {
    let found = "";
    scan(text, IN_CODE, syntax, (char) => {
        found += char;
    });
    return found;
}

/** postprocess on a document with one █ for the cursor. */
function complete(languageId: string, document: string, completion: string, options: { truncated?: boolean; maxLines?: number } = {}): Suggestion | undefined {
    const at = document.indexOf("█");
    return postprocess({ prefix: document.slice(0, at), suffix: document.slice(at + 1), completion, languageId, eol: "\n", maxLines: options.maxLines ?? 8, truncated: options.truncated });
}

describe("postprocess rules (issue 13)", () => {
    describe("scanner", () => {
        it("skips brackets in strings and comments, per language", () => {
            assert.equal(bracketsIn('f("(", `{${x}`) // )'), "()");
            assert.equal(bracketsIn("a /* ( */ [b]"), "[]");
            assert.equal(bracketsIn('x = """ ( \n ) """ + (1)', py), "()");
            assert.equal(bracketsIn("# (\nf()", py), "()");
            assert.equal(bracketsIn("fn f<'a>(x: &'a str) { '(' }", rust), "(){}");
        });

        it("ends a one-line string at its line end, and carries a multi-line one", () => {
            assert.equal(bracketsIn('"oops (\n)'), ")");
            assert.deepEqual(scan("`a\nb", IN_CODE, ts).state, { mode: "string", quote: "`" });
            assert.deepEqual(scan('"""doc', IN_CODE, py).state, { mode: "string", quote: '"""' });
        });

        it("knows an apostrophe from a quote", () => {
            assert.ok(isApostrophe("don't", 3));
            assert.ok(!isApostrophe("f'x'", 1), "a string prefix");
            assert.ok(!isApostrophe("a 'b'", 2));
            assert.ok(!isApostrophe("print(rb'x')", 8));
        });
    });

    describe("brackets against the suffix", () => {
        it("marks which open brackets the suffix closes, and which the cursor's closers close", () => {
            const context = bracketContext("function f() {\n  if (x) {\n    g(", ")\n  }\n", 1, ts);
            assert.deepEqual(
                context.open.map((o) => `${o.char}${o.claim}`),
                ["{free", "{needed", "(replaceable"],
            );
        });

        it("cuts a closer the suffix needs, lets one the document never closes through", () => {
            const watch = new ModelBrackets(bracketContext("function f() {\n  a();\n  ", "\n  b();\n}", 0, ts), ts, true);
            assert.equal(watch.readLine("c();"), undefined);
            assert.equal(watch.readLine("}"), 0);
            const open = new ModelBrackets(bracketContext("function f() {\n  if (x) {\n    ", "\n}", 0, ts), ts, true);
            assert.equal(open.readLine("y();"), undefined);
            assert.equal(open.readLine("  }"), undefined, "the if's } is missing from the document");
            assert.equal(open.readLine("}"), 0, "the function's } is below");
        });

        it("lets a closer that re-opens hand its bracket on", () => {
            const watch = new ModelBrackets(bracketContext("if (a) {\n  ", "\n}", 0, ts), ts, true);
            assert.equal(watch.readLine("x();"), undefined);
            assert.equal(watch.readLine("} else {"), undefined);
            assert.equal(watch.readLine("  y();"), undefined);
            assert.equal(watch.readLine("}"), 0, "the document's } closes the else now");
        });

        it("counts unmatched closers, nearest opener of the same kind", () => {
            const context = bracketContext("f(", ")", 0, ts);
            assert.equal(unmatchedClosers(context, ts, [")"]), 0);
            assert.equal(unmatchedClosers(context, ts, ["a)", ")"]), 1);
            assert.equal(unmatchedClosers(context, ts, ["[", ")"]), 0, "an opener left open is not a closer's fault");
        });
    });

    describe("loops", () => {
        it("sees a line that ends in one unit repeated", () => {
            for (const line of ["a = a = a = a", "x = 0000000000", "Vec<Vec<Vec<Vec<", "fast and fast and fast and fast", "hahahahahahaha"]) assert.ok(endsInRepetition(line), line);
        });

        it("leaves rulers, tables, data rows and hex literals alone", () => {
            for (const line of ["// ----------------------", "| --- | --- | --- |", "  0, 0, 0, 0, 0, 0,", "[1.5, 1.5, 1.5, 1.5", "0xFFFFFFFFFFFFFFFF", "x = 1000000000", "None, None, None"]) {
                assert.ok(!endsInRepetition(line), line);
            }
        });

        it("finds a repeated line or block, above the cursor too", () => {
            const watch = new RepeatWatch(["a();"]);
            assert.equal(watch.readLine("b();"), undefined);
            assert.equal(watch.readLine("a();"), undefined);
            assert.equal(watch.readLine("b();"), 1, "a block of two");
            assert.equal(new RepeatWatch(["  x;"]).readLine("  x;"), 0);
            assert.equal(new RepeatWatch(["  x;"]).readLine("    x;"), undefined, "another indentation is another line");
            assert.equal(new RepeatWatch([""]).readLine(""), undefined, "blank lines never repeat");
        });

        it("knows YAML and JSON keys per mapping", () => {
            const yaml = new KeyWatch("yaml", ["users:", "  - name: ann", "    age: 3"], [], 2);
            assert.equal(yaml.readLine("  - name: bob"), false, "a new item is a new mapping");
            assert.equal(yaml.readLine("    age: 4"), false);
            assert.equal(yaml.readLine("    age: 5"), true);
            const json = new KeyWatch("json", ["{", '  "a": 1,'], ['  "c": 3', "}"], 2);
            assert.equal(json.readLine('  "b": 2,'), false);
            assert.equal(json.readLine('  "c": 3,'), true, "the same object has it below");
        });
    });

    describe("mid-line", () => {
        it("shows only what the rest of the line lacks", () => {
            assert.deepEqual(fitToRestOfLine(`"total", total, sep='')`, ', sep="")'), { insertText: '"total", total', replaceSuffixChars: 0 });
            assert.deepEqual(fitToRestOfLine("a, b, c)", "a, c)"), { insertText: "a, b, c)", replaceSuffixChars: 5 });
            assert.equal(fitToRestOfLine("y > 0) {", "x > 0) {"), undefined);
            assert.equal(fitToRestOfLine("x > 0) {", "x > 0) {"), undefined);
        });

        it("triggers only on a real re-write", () => {
            assert.ok(retypesRest("x + 1)", "x)"));
            assert.ok(!retypesRest("https://example.com/guide)", " for details."));
            assert.ok(!retypesRest("count + ", "items.length;"));
        });

        it("measures what an insert breaks on its line", () => {
            assert.equal(lineDamage('print("a", b)', py), 0);
            assert.equal(lineDamage('print("a, b)', py), 2);
        });
    });

    describe("first line and limits", () => {
        it("drops whitespace the document already has, keeps what it lacks", () => {
            assert.equal(fitFirstLine(" sum(items)", "total = ", undefined, false), "sum(items)");
            assert.equal(fitFirstLine(" = 1;", "const x", undefined, false), " = 1;");
            assert.equal(fitFirstLine(" return x", "    ", "def f():", false), "return x");
            assert.equal(fitFirstLine("    return 1", "    ", "    if x:", false), "    return 1", "the cursor is still at the if's column");
            assert.equal(fitFirstLine("  x", "", "if x:", false), "  x", "at column 0 the model indents");
        });

        it("drops the unfinished last line of a cut generation, unless it is the only one", () => {
            assert.equal(withoutUnfinishedLine("a;\n  b("), "a;");
            assert.equal(withoutUnfinishedLine("foo("), "foo(");
            assert.equal(withoutUnfinishedLine("\n  foo("), "\n  foo(");
            assert.ok(stoppedByLimit("maxTokens") && stoppedByLimit("timeLimit") && stoppedByLimit("contextFull"));
            assert.ok(!stoppedByLimit("eos") && !stoppedByLimit("stopString") && !stoppedByLimit("abort"));
            assert.equal(finishedText("a;\n  b(", "maxTokens"), "a;");
            assert.equal(finishedText("a;\n  b(", "eos"), "a;\n  b(");
        });

        it("reads lines around the cursor in LF and CRLF", () => {
            assert.deepEqual(linesAbove("a\r\nb\r\nc", 5), ["a", "b"]);
            assert.deepEqual(linesAbove("a\nb\nc", 1), ["b"]);
            assert.deepEqual(linesBelow("x\r\ny\r\nz", 5), ["y", "z"]);
            assert.equal(codeOf("  return x;"), "return x");
            assert.equal(codeOf("});"), "");
        });
    });

    describe("what must still pass through", () => {
        const cases: [string, string, string, string, string][] = [
            ["a data grid", "typescript", "const grid = [\n  █\n];", "0, 0, 0, 0,\n  0, 1, 0, 0,", "0, 0, 0, 0,\n  0, 1, 0, 0,"],
            ["a 64-bit mask", "rust", "const MASK: u64 = █", "0xFFFFFFFFFFFFFFFF;", "0xFFFFFFFFFFFFFFFF;"],
            ["a Markdown table", "markdown", "| a | b | c |\n█", "| --- | --- | --- |\n| 1 | 2 | 3 |", "| --- | --- | --- |\n| 1 | 2 | 3 |"],
            ["an else above the document's bare }", "typescript", "if (a) {\n    █\n}\nnext();", "x();\n} else {\n    y();\n}", "x();\n} else {\n    y();"],
            ["the } of a block the document never closed", "typescript", "function f() {\n    if (x) {\n        █\n}", "y();\n    }\n}", "y();\n    }"],
            ["the closers at the end of an unfinished file", "typescript", "export function f() {\n    █", "if (a) {\n        b();\n    }\n    return 1;\n}\n", "if (a) {\n        b();\n    }\n    return 1;\n}"],
            ["same keys in another YAML item", "yaml", "users:\n  - name: ann\n    age: 3\n  █", "- name: bob\n    age: 4", "- name: bob\n    age: 4"],
            ["same keys in another JSON object", "json", "[\n  {\n    \"id\": 1\n  },\n  █\n]", "{\n    \"id\": 2\n  }", "{\n    \"id\": 2\n  }"],
            ["Rust lifetimes in the prefix", "rust", "fn first<'a>(x: &'a str) -> &'a str {\n    █\n}", "let n = x.len();\n    &x[..n]\n}", "let n = x.len();\n    &x[..n]"],
            ["an elif before a plain dedented line", "python", "def sign(x):\n    if x < 0:\n        █\n    return 0", "return -1\n    elif x > 0:\n        return 1", "return -1\n    elif x > 0:\n        return 1"],
            ["a closing tag at the end of a file", "typescriptreact", "return (\n    <div>\n        █", "<p>hi</p>\n    </div>\n);", "<p>hi</p>\n    </div>"],
        ];
        for (const [what, languageId, document, completion, expected] of cases) {
            it(what, () => assert.equal(complete(languageId, document, completion)?.insertText, expected));
        }

        it("a cut single line, which is better than nothing", () => {
            assert.equal(complete("typescript", "const x = █", "compute(a, b", { truncated: true })?.insertText, "compute(a, b");
        });
    });
});
