// Context blocks from other files, through the real engine on a copy model built for them
// (test/fixtures/contextScenario.ts): the completion that only the neighbouring file's block makes
// possible, exactly; and typing after the blocks evaluates only the new tokens.

import * as assert from "node:assert/strict";
import type { Llama } from "node-llama-cpp";
import { LlamaEngine } from "../../../src/engine/llamaEngine";
import { acquireLlama } from "../../../src/engine/llamaRuntime";
import { CONTINUATION, CURRENT_PREFIX, neighbourBlock } from "../../fixtures/contextScenario";
import { expectedCompletion } from "../../fixtures/copy-table";
import { copyFixture, type CopyFixture } from "../../fixtures/models";

const quiet = () => undefined;

describe("context blocks in the engine's prompt (real node-llama-cpp, copy model)", function () {
    let llama: Llama;
    let engine: LlamaEngine;
    let fixture: CopyFixture;

    before(async () => {
        ({ llama } = await acquireLlama("cpu", quiet));
        fixture = await copyFixture("copy-context", 1);
        engine = await LlamaEngine.load(async () => llama, { modelPath: fixture.path, gpu: "cpu", threads: 1 }, quiet);
    });

    after(async () => {
        await engine?.dispose();
        await llama?.dispose();
    });

    const expectedAfter = (prompt: string, maxTokens: number) =>
        expectedCompletion(fixture.vocab, fixture.table, [1, ...fixture.vocab.encode(prompt, { bos: false })], maxTokens).text;

    it("completes from the neighbouring file's block, and differently without it", async () => {
        const context = { blocks: [neighbourBlock()], maxTokens: 512 };
        const withBlock = await engine.complete({ prompt: { kind: "document", text: CURRENT_PREFIX, cursor: CURRENT_PREFIX.length, context }, maxTokens: 16 });
        assert.equal(withBlock.text, CONTINUATION);
        assert.equal(withBlock.text, expectedAfter(neighbourBlock() + CURRENT_PREFIX, 16));
        assert.deepEqual(withBlock.context, { blocks: 1, tokens: fixture.vocab.encode(neighbourBlock(), { bos: false }).length });
        assert.equal(withBlock.stats.promptTokens, 1 + fixture.vocab.encode(neighbourBlock() + CURRENT_PREFIX, { bos: false }).length);

        const alone = await engine.complete({ prompt: { kind: "document", text: CURRENT_PREFIX, cursor: CURRENT_PREFIX.length }, maxTokens: 16 });
        assert.equal(alone.text, expectedAfter(CURRENT_PREFIX, 16));
        assert.notEqual(alone.text, CONTINUATION);
    });

    it("keeps the blocks and the window in the KV cache while typing: a keystroke evaluates only its tokens", async () => {
        const context = { blocks: [neighbourBlock()], maxTokens: 512 };
        let text = "const values = [\n";
        let previous = undefined;
        const evaluated: number[] = [];
        for (const typed of ["first", "Item", ",", " second", "Item"]) {
            text += typed;
            const result = await engine.complete({ prompt: { kind: "document", text, cursor: text.length, context, previous }, maxTokens: 4 });
            previous = result.window?.anchor;
            evaluated.push(result.stats.evaluatedTokens);
        }
        // The first request evaluates the whole prompt; each keystroke after it, a few tokens.
        assert.ok(evaluated[0] > 20, `first: ${evaluated[0]}`);
        for (const count of evaluated.slice(1)) assert.ok(count <= 8, `a keystroke evaluated ${count} tokens (${evaluated.join(", ")})`);
    });
});
