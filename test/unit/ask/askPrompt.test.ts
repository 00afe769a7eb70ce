// The prompt text for "Solar: Prompt...", checked on the tokens the real engine evaluates (the tiny
// model has Solar's vocabulary): Instruct's exact template, the base framing, the fenced selection,
// and the middle cut that keeps a prompt inside its budget, exactly and visibly.

import * as assert from "node:assert/strict";
import fc from "fast-check";
import type { Llama } from "node-llama-cpp";
import { CONTEXT_MARGIN, SOLAR_CONTEXT_SIZE } from "../../../src/backend/limits";
import { LlamaEngine } from "../../../src/engine/llamaEngine";
import { acquireLlama } from "../../../src/engine/llamaRuntime";
import { baseFraming, buildAskPrompt, CUT_MARKER_PATTERN, cutMiddle, instructTemplate, PromptTooLongError, renderPrompt, type PromptStyle } from "../../../src/ask/askPrompt";
import { ensureModel } from "../../fixtures/models";
import { loadVocabulary, type Vocabulary } from "../../fixtures/vocabulary";
import { makeDocument } from "../support/documents";

const quiet = () => undefined;

describe("prompt builder (real tokenizer)", function () {
    let llama: Llama;
    let engine: LlamaEngine;
    let vocab: Vocabulary;
    const count = (text: string) => engine.countTokens(text);

    before(async () => {
        ({ llama } = await acquireLlama("cpu", quiet));
        engine = await LlamaEngine.load(async () => llama, { modelPath: await ensureModel("tiny"), gpu: "cpu", threads: 1 }, quiet);
        vocab = await loadVocabulary();
    });
    after(async () => {
        await engine?.dispose();
        await llama?.dispose();
    });

    const piecesOf = (text: string) => engine.tokenizePrompt(text).map((id) => vocab.pieces[id]);

    it("Instruct: exactly `### User:\\n{prompt}\\n\\n### Assistant:\\n`, token for token", async () => {
        const built = await buildAskPrompt({ question: "Explain this.", style: "instruct", countTokens: count, budget: 4000 });
        assert.equal(built.text, "### User:\nExplain this.\n\n### Assistant:\n");
        assert.deepEqual(piecesOf(built.text), [
            "<s>", "▁###", "▁User", ":", "<0x0A>",
            "Exp", "lain", "▁this", ".",
            "<0x0A>", "<0x0A>", "##", "#", "▁Ass", "istant", ":", "<0x0A>",
        ]);
        assert.equal(built.tokens, engine.tokenizePrompt(built.text).length);
        assert.deepEqual(built.stop, ["### User:"]);
    });

    it("Instruct with a selection: the code goes in the user turn, fenced and labelled", async () => {
        const selection = { text: "const a = 1;", languageId: "typescript", fileName: "src/a.ts" };
        const built = await buildAskPrompt({ question: "What is a?", selection, style: "instruct", countTokens: count, budget: 4000 });
        const userTurn = "What is a?\n\nSelected code from src/a.ts:\n```typescript\nconst a = 1;\n```";
        assert.equal(built.text, `### User:\n${userTurn}\n\n### Assistant:\n`);
        assert.equal(built.text, instructTemplate(userTurn));
        // The template's own tokens frame the turn unchanged: BOS + "### User:\n" first, "\n\n### Assistant:\n" last.
        const pieces = piecesOf(built.text);
        assert.deepEqual(pieces.slice(0, 5), ["<s>", "▁###", "▁User", ":", "<0x0A>"]);
        assert.deepEqual(pieces.slice(-7), ["<0x0A>", "##", "#", "▁Ass", "istant", ":", "<0x0A>"]);
        assert.deepEqual(engine.tokenizePrompt(built.text), [1, ...vocab.encode(built.text, { bos: false })]);
    });

    it("a fence longer than any backtick run in the selection, so the selection cannot close it", async () => {
        const selection = { text: "const md = `\n```js\nx\n```\n`;", languageId: "typescript" };
        const built = await buildAskPrompt({ question: "Q?", selection, style: "instruct", countTokens: count, budget: 4000 });
        assert.ok(built.text.includes("Selected code:\n````typescript\nconst md"), built.text);
        assert.ok(built.text.includes("`;\n````\n\n### Assistant:\n"), built.text);
    });

    it("base model: a plain-text Q&A the model continues with the answer", async () => {
        const selection = { text: "x = 1\n", languageId: "python", fileName: "a.py" };
        const built = await buildAskPrompt({ question: "Why?", selection, style: "base", countTokens: count, budget: 4000 });
        assert.equal(
            built.text,
            "Below is a question about code, followed by a helpful, accurate answer.\n\nSelected code from a.py:\n```python\nx = 1\n```\n\nQuestion: Why?\n\nAnswer:",
        );
        assert.equal(built.text, baseFraming("Why?", selection));
        assert.deepEqual(built.stop, ["\nQuestion:"]);
    });

    for (const style of ["instruct", "base"] as PromptStyle[]) {
        it(`${style}: an overlong selection loses its middle behind the marker, and prompt + answer fit 4,096 exactly`, async () => {
            const answerTokens = 512;
            const budget = SOLAR_CONTEXT_SIZE - CONTEXT_MARGIN - answerTokens;
            const text = makeDocument(12_000, count);
            const lines = text.split("\n");
            const built = await buildAskPrompt({ question: "Summarize this.", selection: { text, languageId: "typescript" }, style, countTokens: count, budget });
            assert.ok(built.cut, "cut");
            assert.match(built.text, CUT_MARKER_PATTERN);
            assert.equal(built.tokens, count(built.text));
            assert.ok(built.tokens <= budget, `${built.tokens} > ${budget}`);
            assert.ok(built.tokens + answerTokens + CONTEXT_MARGIN <= 4096);
            // Nearly the whole budget is used: the cut is on whole lines, each well under 40 tokens.
            assert.ok(built.tokens > budget - 40, `only ${built.tokens} of ${budget}`);
            // Head and tail of the selection are kept, each a run of whole lines; the marker counts what went.
            const [before, after] = built.text.split(CUT_MARKER_PATTERN);
            const head = before.slice(before.indexOf("```typescript\n") + "```typescript\n".length);
            const tail = after.slice(1, after.lastIndexOf("```"));
            assert.ok(text.startsWith(head) && head.endsWith("\n") && head.length > 1000);
            assert.ok(text.endsWith(tail) && tail.length > 1000);
            assert.equal(built.cut.chars, text.length - head.length - tail.length);
            assert.equal(built.cut.lines, text.slice(head.length, text.length - tail.length).split("\n").length - 1);
            assert.ok(built.cut.lines < lines.length);
            // The engine takes it as it is: the same count, and the answer's tokens fit behind it.
            const result = await engine.complete({ prompt: { kind: "text", text: built.text }, maxTokens: answerTokens });
            assert.equal(result.stats.promptTokens, built.tokens);
            assert.ok(result.stats.promptTokens + result.stats.generatedTokens <= 4096);
        });
    }

    it("no cut when the prompt fits; an error (never a silent cut) when even the question is too long", async () => {
        const selection = { text: "const a = 1;\n", languageId: "typescript" };
        const fits = await buildAskPrompt({ question: "Q?", selection, style: "instruct", countTokens: count, budget: 4000 });
        assert.equal(fits.cut, undefined);
        assert.doesNotMatch(fits.text, CUT_MARKER_PATTERN);
        const question = makeDocument(200, count);
        await assert.rejects(buildAskPrompt({ question, selection, style: "instruct", countTokens: count, budget: 100 }), PromptTooLongError);
        await assert.rejects(buildAskPrompt({ question, style: "base", countTokens: count, budget: 100 }), /over the 100 left/);
    });
});

describe("cutMiddle and buildAskPrompt (model-free)", () => {
    it("keeps whole lines at both ends when it can, and never splits a surrogate pair or a CRLF", () => {
        const text = "line one\nline two\nline three\nline four\n";
        const { text: cut, cut: info } = cutMiddle(text, 20);
        assert.equal(cut, `line one\n${"[… 2 lines (20 characters) cut here by Solar Complete to fit the context window …]"}\nline four\n`);
        assert.deepEqual(info, { lines: 2, chars: 20 });
        const emoji = "😀".repeat(50);
        for (let keep = 0; keep < emoji.length; keep++) {
            assert.doesNotMatch(cutMiddle(emoji, keep).text, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/, `keep ${keep}`);
        }
        const crlf = "a\r\n".repeat(40);
        for (let keep = 0; keep < crlf.length; keep++) assert.doesNotMatch(cutMiddle(crlf, keep).text, /\r(?!\n)/, `keep ${keep}`);
    });

    it("any selection, question and budget: the result fits, is measured, and is marked exactly when cut", async () => {
        // A stand-in tokenizer (one token per 3 characters, plus BOS), so thousands of cases run fast.
        const countTokens = (text: string) => 1 + Math.ceil(text.length / 3);
        await fc.assert(
            fc.asyncProperty(
                fc.string({ maxLength: 3000, unit: fc.constantFrom("a", "b", " ", "\n", "`", "😀", "\r\n") }),
                fc.string({ minLength: 1, maxLength: 80 }),
                fc.integer({ min: 40, max: 1200 }),
                fc.constantFrom<PromptStyle>("instruct", "base"),
                async (text, question, budget, style) => {
                    const selection = { text, languageId: "plaintext" };
                    let built;
                    try {
                        built = await buildAskPrompt({ question, selection, style, countTokens, budget });
                    } catch (error) {
                        assert.ok(error instanceof PromptTooLongError);
                        const withNothingKept = renderPrompt(style, question, { ...selection, text: cutMiddle(text, 0).text });
                        assert.ok(countTokens(withNothingKept) > budget, "only when not even the marker fits");
                        return;
                    }
                    assert.equal(built.tokens, countTokens(built.text));
                    assert.ok(built.tokens <= budget);
                    assert.equal(built.cut !== undefined, CUT_MARKER_PATTERN.test(built.text));
                },
            ),
            { numRuns: 300 },
        );
    });
});
