// The engine ends a ghost-text generation the moment the suggestion is final (issue 14), with the
// real node-llama-cpp on the copy-code model, whose greedy output is known token by token: in a
// single-line place it generates exactly the tokens up to the first line break and not one more,
// and what it returns post-processes to the same suggestion as the unstopped generation.

import * as assert from "node:assert/strict";
import type { Llama } from "node-llama-cpp";
import type { CompletionRequest } from "../../../src/backend/types";
import { LlamaEngine } from "../../../src/engine/llamaEngine";
import { acquireLlama } from "../../../src/engine/llamaRuntime";
import { postprocess } from "../../../src/suggestion/postprocess";
import { expectedCompletion } from "../../fixtures/copy-table";
import { copyFixture, type CopyFixture } from "../../fixtures/models";

const quiet = () => undefined;
const MAX_TOKENS = 48;
const GHOST = { languageId: "typescript", eol: "\n", maxLines: 8 } as const;

describe("LlamaEngine: the streaming stop ends ghost-text generation (copy-code model)", function () {
    let llama: Llama;
    let engine: LlamaEngine;
    let fixture: CopyFixture;

    before(async () => {
        ({ llama } = await acquireLlama("cpu", quiet));
        fixture = await copyFixture("copy-code");
        engine = await LlamaEngine.load(async () => llama, { modelPath: fixture.path, gpu: "cpu", threads: 1 }, quiet);
    });
    after(async () => {
        await engine?.dispose();
        await llama?.dispose();
    });

    /** The copy model's known continuation: its tokens, and how many of them reach the first line break. */
    function expected(prefix: string) {
        const prompt = engine.tokenizePrompt(prefix);
        const { tokens, text } = expectedCompletion(fixture.vocab, fixture.table, prompt, MAX_TOKENS);
        const throughBreak = tokens.findIndex((_, k) => fixture.vocab.decodeAfter(prompt, tokens.slice(0, k + 1)).includes("\n")) + 1;
        return { tokens, text, throughBreak, textThrough: fixture.vocab.decodeAfter(prompt, tokens.slice(0, throughBreak)) };
    }

    /** Tokens the sequence has evaluated: the prompt plus every generated token but the last sampled one. */
    function evaluatedInSequence(): number {
        return (engine as unknown as { sequence: { nextTokenIndex: number } }).sequence.nextTokenIndex;
    }

    it("a single-line place: exactly the tokens up to the first line break, none after it", async () => {
        // Mid-line with other text after the cursor: `stockBySku.set(|  // keep` takes one line.
        const at = fixture.text.indexOf("stockBySku.set(") + "stockBySku.set(".length;
        const lineEnd = fixture.text.indexOf("\n", at);
        const text = `${fixture.text.slice(0, at)}  // keep${fixture.text.slice(lineEnd)}`;
        const prefix = text.slice(0, at);
        const want = expected(prefix);
        assert.ok(want.throughBreak > 3 && want.tokens.length > want.throughBreak + 10, `the copy model writes ${want.throughBreak} tokens to the break, ${want.tokens.length} in all`);

        const request: CompletionRequest = { prompt: { kind: "document", text, cursor: at }, maxTokens: MAX_TOKENS };
        const unstopped = await engine.complete(request);
        assert.equal(unstopped.text, want.text);
        const stopped = await engine.complete({ ...request, ghost: GHOST });
        console.log(`      single-line: ${stopped.stats.generatedTokens} tokens generated (unstopped: ${unstopped.stats.generatedTokens}), ${JSON.stringify(stopped.text)}`);
        assert.equal(stopped.stats.stopReason, "suggestionFinal");
        assert.equal(stopped.stats.generatedTokens, want.throughBreak);
        assert.equal(stopped.text, want.textThrough);
        assert.ok(stopped.text.endsWith("\n"));
        // The line break was sampled and returned, never evaluated: the sequence holds the prompt and the tokens before it.
        assert.equal(evaluatedInSequence(), stopped.stats.promptTokens + stopped.stats.generatedTokens - 1);

        const shape = { prefix, suffix: text.slice(at), languageId: GHOST.languageId, eol: GHOST.eol, maxLines: GHOST.maxLines };
        assert.deepEqual(postprocess({ ...shape, completion: stopped.text }), postprocess({ ...shape, completion: unstopped.text, truncated: true }));
    });

    it("a multi-line place: stops after the line that re-types the code below, with what it shows unchanged", async () => {
        // The end of a line inside the function: the model's next line is the document's next line.
        const at = fixture.text.indexOf("new Map();") + "new Map();".length;
        const request: CompletionRequest = { prompt: { kind: "document", text: fixture.text, cursor: at }, maxTokens: MAX_TOKENS };
        const unstopped = await engine.complete(request);
        const stopped = await engine.complete({ ...request, ghost: GHOST });
        const nextLineEnd = fixture.text.indexOf("\n", at + 1) + 1;
        console.log(`      multi-line: ${stopped.stats.generatedTokens} tokens generated (unstopped: ${unstopped.stats.generatedTokens})`);
        assert.equal(stopped.stats.stopReason, "suggestionFinal");
        assert.equal(stopped.text, fixture.text.slice(at, nextLineEnd), "the line that repeats the code below ends it");
        assert.ok(unstopped.text.startsWith(stopped.text) && unstopped.stats.generatedTokens > stopped.stats.generatedTokens + 10);
        const shape = { prefix: fixture.text.slice(0, at), suffix: fixture.text.slice(at), languageId: GHOST.languageId, eol: GHOST.eol, maxLines: GHOST.maxLines };
        assert.deepEqual(postprocess({ ...shape, completion: stopped.text }), postprocess({ ...shape, completion: unstopped.text, truncated: true }));
    });

    it("without `ghost` (Prompt…, Continue Here) it generates on to the limit as before", async () => {
        const at = fixture.text.indexOf("stockBySku.set(") + "stockBySku.set(".length;
        const result = await engine.complete({ prompt: { kind: "text", text: fixture.text.slice(0, at) }, maxTokens: 20 });
        assert.equal(result.stats.stopReason, "maxTokens");
        assert.equal(result.stats.generatedTokens, 20);
    });
});
