// Golden tests for post-processing: one JSON file per case in test/golden/postprocess/ (format in its
// README.md). Each case pins the exact insert text and replace length, and every accepted result is
// also checked for what users see go wrong: doubled closers or quotes, mixed line endings, half
// emoji, and replacements VS Code would refuse to show as ghost text.

import * as assert from "node:assert/strict";
import { postprocess, type PostprocessInput, type Suggestion } from "../../../src/suggestion/postprocess";
import { goldenCases, joinText, type LoadedCase } from "../support/goldenCases";

const cases = goldenCases();

function accept(input: PostprocessInput, suggestion: Suggestion): string {
    return input.prefix + suggestion.insertText + input.suffix.slice(suggestion.replaceSuffixChars);
}

/**
 * Damage a doubled closer leaves, counted on its own terms (not with the code under test): closing
 * brackets with no opener, plus lines with an unterminated "..." or `...`. Brackets inside those
 * strings do not count; single quotes are skipped (apostrophes).
 */
function closerDamage(document: string): number {
    let damage = 0;
    const openers: string[] = [];
    for (const line of document.split(/\r?\n/)) {
        let inside: string | undefined;
        for (let i = 0; i < line.length; i++) {
            const char = line[i];
            if (inside !== undefined) {
                if (char === "\\") i++;
                else if (char === inside) inside = undefined;
            } else if (char === '"' || char === "`") {
                inside = char;
            } else if ("([{".includes(char)) {
                openers.push(char);
            } else if (")]}".includes(char)) {
                if (openers.at(-1) === "([{"[")]}".indexOf(char)]) openers.pop();
                else damage++;
            }
        }
        if (inside !== undefined) damage++;
    }
    return damage;
}

function isSubsequence(needle: string, haystack: string): boolean {
    let at = 0;
    for (const char of haystack) if (char === needle[at]) at++;
    return at >= needle.length;
}

function checkInvariants(input: PostprocessInput, suggestion: Suggestion): void {
    const { insertText, replaceSuffixChars } = suggestion;
    assert.ok(insertText.trim() !== "", "whitespace-only suggestions are dropped");
    const breaks = insertText.match(/\r\n|\r|\n/g) ?? [];
    assert.ok(breaks.every((b) => b === input.eol), "line breaks must be the document's");
    assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(insertText), "no half surrogate pair");
    const replaced = input.suffix.slice(0, replaceSuffixChars);
    assert.ok(!/[\r\n]/.test(replaced), "the replaced range stays on the cursor's line");
    assert.ok(isSubsequence(replaced, insertText), "VS Code only shows a replacement whose old text survives in the new");
    const original = input.prefix + input.suffix;
    assert.ok(closerDamage(accept(input, suggestion)) <= closerDamage(original), "accepting must not double a closer or quote");
}

type Baseline = (input: PostprocessInput) => Suggestion | undefined;

// Naive post-processors. A case that all of them pass would pass without any of our rules.
const BASELINES: Readonly<Record<string, Baseline>> = {
    "insert as-is": (input) => ({ insertText: input.completion, replaceSuffixChars: 0 }),
    "trim": (input) => (input.completion.trim() === "" ? undefined : { insertText: input.completion.trim(), replaceSuffixChars: 0 }),
    "first line": (input) => {
        const line = input.completion.split(/\r?\n/)[0];
        return line.trim() === "" ? undefined : { insertText: line, replaceSuffixChars: 0 };
    },
    "replace what follows on the line": (input) => {
        const lineAfter = /^[^\r\n]*/.exec(input.suffix)?.[0] ?? "";
        return { insertText: input.completion, replaceSuffixChars: lineAfter.trimEnd().length };
    },
};

describe("postprocess golden cases", () => {
    for (const { file, golden, input, expected } of cases) {
        it(`${file}: ${golden.name}`, () => {
            const actual = postprocess(input);
            assert.deepEqual(actual, expected);
            if (actual === undefined) return;
            checkInvariants(input, actual);
            if (golden.accepted !== undefined) assert.equal(accept(input, actual), joinText(golden.accepted, input.eol));
        });
    }
});

describe("postprocess golden suite", () => {
    it("has at least 40 cases, covering TypeScript, Python, prose, CRLF and tabs", () => {
        assert.ok(cases.length >= 40, `${cases.length} cases`);
        const count = (pick: (c: LoadedCase) => boolean) => cases.filter(pick).length;
        assert.ok(count((c) => c.input.languageId === "typescript") >= 10);
        assert.ok(count((c) => c.input.languageId === "python") >= 8);
        assert.ok(count((c) => ["markdown", "plaintext"].includes(c.input.languageId)) >= 6);
        assert.ok(count((c) => c.input.eol === "\r\n") >= 4);
        assert.ok(count((c) => /\n\t/.test(c.input.prefix + c.input.completion)) >= 2);
    });

    it("covers each defect class of issue 13 with at least 8 cases in 5 languages, 60 cases in all", () => {
        const defects = cases.filter((c) => c.golden.defect !== undefined);
        assert.ok(defects.length >= 60, `${defects.length} cases`);
        for (let defect = 1; defect <= 7; defect++) {
            const of = defects.filter((c) => c.golden.defect === defect);
            const languages = new Set(of.map((c) => c.input.languageId));
            assert.ok(of.length >= 8 && languages.size >= 5, `class ${defect}: ${of.length} cases in ${languages.size} languages`);
        }
    });

    it("every case can fail: at least one naive post-processor gets it wrong", () => {
        for (const { file, input, expected } of cases) {
            const passing = Object.entries(BASELINES).filter(([, baseline]) => {
                try {
                    assert.deepEqual(baseline(input), expected);
                    return true;
                } catch {
                    return false;
                }
            });
            assert.ok(passing.length < Object.keys(BASELINES).length, `${file} passes with every naive baseline: it tests nothing`);
        }
    });

    it("the damage check sees doubled closers and quotes", () => {
        assert.equal(closerDamage('print("hi")'), 0);
        assert.ok(closerDamage('print("hi"))') > 0);
        assert.ok(closerDamage('x = "abc""') > 0);
        assert.equal(closerDamage('f("(")'), 0);
    });
});
