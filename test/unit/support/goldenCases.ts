// The golden post-processing cases of test/golden/postprocess/ (format in its README.md), loaded
// into postprocess() inputs and expected suggestions. Read by the golden test and by the streaming
// stop's property test.

import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { PostprocessInput, Suggestion } from "../../../src/suggestion/postprocess";

const GOLDEN_DIR = join(__dirname, "..", "..", "golden", "postprocess");
const CURSOR = "█";
const DEFAULT_MAX_LINES = 8;

export type Text = string | readonly string[];

export interface GoldenCase {
    readonly name: string;
    readonly why?: string;
    readonly languageId: string;
    readonly eol?: "\n" | "\r\n";
    readonly maxLines?: number;
    /** A token or time limit ended the generation. */
    readonly truncated?: boolean;
    /** The defect class of issue 13 the case guards against (1-7). */
    readonly defect?: number;
    /** Lines are joined with `eol`; one █ marks the cursor. */
    readonly document: Text;
    /** Raw model output; lines are joined with "\n" (write a string to give "\r\n" or a lone "\r"). */
    readonly completion: Text;
    /** The insert text (lines joined with `eol`), or null for no suggestion. */
    readonly expected: Text | null;
    readonly replaceSuffixChars?: number;
    /** The whole document after accepting (lines joined with `eol`), where seeing it helps. */
    readonly accepted?: Text;
}

export interface LoadedCase {
    readonly file: string;
    readonly golden: GoldenCase;
    readonly input: PostprocessInput;
    readonly expected: Suggestion | undefined;
}

export function joinText(text: Text, separator: string): string {
    return typeof text === "string" ? text : text.join(separator);
}

function load(file: string): LoadedCase {
    const golden = JSON.parse(readFileSync(join(GOLDEN_DIR, file), "utf8")) as GoldenCase;
    const eol = golden.eol ?? "\n";
    const document = joinText(golden.document, eol);
    const at = document.indexOf(CURSOR);
    assert.ok(at >= 0 && document.indexOf(CURSOR, at + 1) < 0, `${file}: the document needs exactly one ${CURSOR}`);
    assert.ok(typeof golden.name === "string" && typeof golden.languageId === "string", `${file}: name and languageId are required`);
    const input: PostprocessInput = {
        prefix: document.slice(0, at),
        suffix: document.slice(at + CURSOR.length),
        completion: joinText(golden.completion, "\n"),
        languageId: golden.languageId,
        eol,
        maxLines: golden.maxLines ?? DEFAULT_MAX_LINES,
        ...(golden.truncated === undefined ? {} : { truncated: golden.truncated }),
    };
    const expected =
        golden.expected === null ? undefined : { insertText: joinText(golden.expected, eol), replaceSuffixChars: golden.replaceSuffixChars ?? 0 };
    return { file, golden, input, expected };
}

/** Every golden case, in file-name order. */
export function goldenCases(): LoadedCase[] {
    return readdirSync(GOLDEN_DIR)
        .filter((file) => file.endsWith(".json"))
        .sort()
        .map(load);
}
