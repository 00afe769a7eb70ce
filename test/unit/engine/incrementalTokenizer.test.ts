// Incremental tokenization against llama.cpp's own tokenizer with the real Llama-2 vocabulary (the
// tiny generated model carries it): after random edits of real code and prose, with CRLF and emoji,
// re-tokenizing from the edited line gives exactly the tokens a full tokenization gives.

import * as assert from "node:assert/strict";
import fc from "fast-check";
import type { Llama, LlamaModel } from "node-llama-cpp";
import { IncrementalTokenizer, supportsLineCuts, type Tokenize } from "../../../src/engine/incrementalTokenizer";
import { acquireLlama } from "../../../src/engine/llamaRuntime";
import { COPY_CODE_TEXT, COPY_TEXT } from "../../fixtures/copy-texts";
import { ensureModel } from "../../fixtures/models";

const PROSE_WITH_EXTRAS = `${COPY_TEXT.slice(0, 1500)}\r\nCafé ☕ naïve — “quotes” 😀👍🏽 end.\r\n\r\n  indented\tline\n`;
const FRAGMENTS = ["\n", "\r\n", "\n\n", " ", "  ", "\t", "😀", "👍🏽", "é", "}", "{", "(", ");", "const x = 1;", "return", "\n    ", "// note", "ü", "\u00a0", "a"];

describe("IncrementalTokenizer (llama.cpp tokenizer, Llama-2 vocabulary)", function () {
    let llama: Llama;
    let model: LlamaModel;
    let tokenize: Tokenize;

    before(async () => {
        ({ llama } = await acquireLlama("cpu", () => undefined));
        model = await llama.loadModel({ modelPath: await ensureModel("tiny") });
        tokenize = (text) => model.tokenize(text);
    });
    after(async () => {
        await model?.dispose();
        await llama?.dispose();
    });

    it("the vocabulary never merges across a newline, so line cuts are on", () => {
        assert.equal(supportsLineCuts(tokenize, model.tokens.nl), true);
    });

    it("refuses line cuts for a tokenizer that merges across newlines", () => {
        // A toy tokenizer whose pieces join a newline to the letter before it (GPT-2-style merges): a
        // newline it leaves alone would be paired with the wrong line, and the check sees that.
        const merging: Tokenize = (text) => [...text.replace(/([a-z])\n/g, "\u0001")].map((c) => c.charCodeAt(0));
        assert.equal(supportsLineCuts(merging, 10), false);
        const plain: Tokenize = (text) => [...text].map((c) => c.charCodeAt(0));
        assert.equal(supportsLineCuts(plain, 10), true, "one token per character never merges");
    });

    const edit = fc.record({
        at: fc.double({ min: 0, max: 1, noNaN: true }),
        remove: fc.integer({ min: 0, max: 12 }),
        insert: fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 4 }).map((parts) => parts.join("")),
    });
    const apply = (text: string, e: { at: number; remove: number; insert: string }) => {
        const at = Math.floor(e.at * text.length);
        return text.slice(0, at) + e.insert + text.slice(at + e.remove);
    };

    for (const [name, source] of [["code", COPY_CODE_TEXT.slice(0, 3000)], ["prose with CRLF and emoji", PROSE_WITH_EXTRAS]] as const) {
        it(`equals a full tokenization after every edit of a random typing session (${name})`, () => {
            fc.assert(
                fc.property(fc.array(edit, { minLength: 1, maxLength: 8 }), (edits) => {
                    const incremental = new IncrementalTokenizer(tokenize, model.tokens.nl ?? undefined);
                    let text = source;
                    incremental.tokens(text);
                    for (const e of edits) {
                        text = apply(text, e);
                        assert.deepEqual(incremental.tokens(text), tokenize(text));
                    }
                }),
                { numRuns: 150 },
            );
        });
    }

    it("tokenizes only the edited line's tail when typing at the end", () => {
        const incremental = new IncrementalTokenizer(tokenize, model.tokens.nl ?? undefined);
        const text = COPY_CODE_TEXT.slice(0, 6000);
        incremental.tokens(text);
        const typed = `${text}const`;
        assert.deepEqual(incremental.tokens(typed), tokenize(typed));
        const lastLine = typed.length - typed.lastIndexOf("\n");
        assert.equal(incremental.lastTokenizedChars, lastLine, "the tail from the last newline");
        assert.ok(incremental.lastTokenizedChars < 100, `${incremental.lastTokenizedChars} of ${typed.length} characters`);
    });
});
