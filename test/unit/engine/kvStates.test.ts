// Several KV states in the engine (LoadOptions.kvStates), with the real node-llama-cpp on generated
// models: a switch to another prompt and back reuses the first prompt's cache, the least recently
// used state is the one given up, the copy model's exact output holds from every state, and the
// memory the engine reports counts every state.

import * as assert from "node:assert/strict";
import type { Llama } from "node-llama-cpp";
import type { CompletionResult } from "../../../src/backend/types";
import { LlamaEngine } from "../../../src/engine/llamaEngine";
import { acquireLlama } from "../../../src/engine/llamaRuntime";
import type { LoadOptions } from "../../../src/engine/protocol";
import { kvCacheBytes, sharedPrefixLength } from "../../../src/engine/sequencePool";
import { expectedCompletion } from "../../fixtures/copy-table";
import { copyFixture, ensureModel, type CopyFixture } from "../../fixtures/models";
import { TINY_SHAPE } from "../../fixtures/random-model";
import { makeDocument } from "../support/documents";

const quiet = () => undefined;

describe("LlamaEngine with several KV states (real node-llama-cpp, generated models)", function () {
    let llama: Llama;
    let tinyPath: string;
    let fixture: CopyFixture;
    const opened: LlamaEngine[] = [];

    async function open(options: Partial<LoadOptions> & { modelPath: string }): Promise<LlamaEngine> {
        const engine = await LlamaEngine.load(async () => llama, { gpu: "cpu", threads: 1, ...options }, quiet);
        opened.push(engine);
        return engine;
    }
    const ask = (engine: LlamaEngine, text: string, maxTokens = 4): Promise<CompletionResult> => engine.complete({ prompt: { kind: "text", text }, maxTokens });

    before(async () => {
        ({ llama } = await acquireLlama("cpu", quiet));
        tinyPath = await ensureModel("tiny");
        fixture = await copyFixture("copy");
    });
    after(async () => {
        for (const engine of opened) await engine.dispose();
        await llama?.dispose();
    });

    it("prompt A, an unrelated prompt B, then A + 3 characters: at most 8 tokens with 2 states, all of A with 1", async () => {
        const single = await open({ modelPath: tinyPath });
        const double = await open({ modelPath: tinyPath, kvStates: 2 });
        assert.equal(single.info.kvStates, 1);
        assert.equal(double.info.kvStates, 2);
        const a = makeDocument(1500, (t) => single.countTokens(t), 7);
        const b = makeDocument(1500, (t) => single.countTokens(t), 31);
        const back = `${a}abc`;

        for (const engine of [single, double]) {
            await ask(engine, a);
            await ask(engine, b);
        }
        const withTwo = await ask(double, back);
        console.log(`      A, B, A+3 chars with 2 states: ${withTwo.stats.evaluatedTokens} of ${withTwo.stats.promptTokens} tokens evaluated`);
        assert.ok(withTwo.stats.evaluatedTokens <= 8, `evaluated ${withTwo.stats.evaluatedTokens}`);
        assert.deepEqual(withTwo.stats.kvState, { slot: 0, slots: 2, restored: true });

        const withOne = await ask(single, back);
        // One state holds B now: only the prefix B shares with A (BOS and the first line's start) is reused.
        const shared = sharedPrefixLength(single.tokenizePrompt(b), single.tokenizePrompt(back));
        assert.ok(shared < 10, `A and B share ${shared} tokens`);
        assert.equal(withOne.stats.reusedTokens, shared);
        assert.equal(withOne.stats.evaluatedTokens, withOne.stats.promptTokens - shared);
        assert.deepEqual(withOne.stats.kvState, { slot: 0, slots: 1, restored: false });
    });

    it("with 2 states and three prompts, the least recently used state is the one given up", async () => {
        const engine = await open({ modelPath: tinyPath, kvStates: 2 });
        const [a, b, c] = [3, 17, 29].map((seed) => makeDocument(600, (t) => engine.countTokens(t), seed));
        assert.equal((await ask(engine, a)).stats.kvState?.slot, 0);
        assert.equal((await ask(engine, b)).stats.kvState?.slot, 1);
        // A was used least recently: C takes its state.
        assert.deepEqual((await ask(engine, c)).stats.kvState, { slot: 0, slots: 2, restored: false });

        const backToB = await ask(engine, `${b}xyz`);
        assert.deepEqual(backToB.stats.kvState, { slot: 1, slots: 2, restored: true });
        assert.ok(backToB.stats.evaluatedTokens <= 8, `B again: evaluated ${backToB.stats.evaluatedTokens}`);

        // A was given up: it is evaluated again, in the state C (now the least recent) held.
        const backToA = await ask(engine, `${a}xyz`);
        assert.deepEqual(backToA.stats.kvState, { slot: 0, slots: 2, restored: false });
        assert.ok(backToA.stats.evaluatedTokens >= backToA.stats.promptTokens - 10, `A again: evaluated ${backToA.stats.evaluatedTokens} of ${backToA.stats.promptTokens}`);
    });

    it("the copy model continues exactly from every state, switching between three texts", async () => {
        const engine = await open({ modelPath: fixture.path, kvStates: 3 });
        await assertExactAcrossStates(engine, fixture, 3);
    });

    it("with drafting, each state has a predictor of its own and the output stays exact", async () => {
        const engine = await open({ modelPath: fixture.path, kvStates: 2, speculative: "on" });
        const sequences = (engine as unknown as { pool: { sequences: readonly { tokenPredictor?: object }[] } }).pool.sequences;
        assert.equal(sequences.length, 2);
        assert.ok(sequences[0].tokenPredictor && sequences[1].tokenPredictor);
        assert.notEqual(sequences[0].tokenPredictor, sequences[1].tokenPredictor);
        await assertExactAcrossStates(engine, fixture, 2);
    });

    it("reports the memory of every state it holds", async () => {
        const one = await open({ modelPath: tinyPath });
        const three = await open({ modelPath: tinyPath, kvStates: 3 });
        const perState = kvCacheBytes({ blockCount: TINY_SHAPE.blocks, embeddingLength: TINY_SHAPE.embedding, headCount: TINY_SHAPE.heads, headCountKv: TINY_SHAPE.kvHeads }, 4096);
        assert.equal(perState, 8 * 1024 * 1024);
        assert.equal(three.heldMemory().bytes - one.heldMemory().bytes, 2 * perState);
        assert.ok(one.heldMemory().bytes > perState);
    });
});

/**
 * Prompts from `states` texts (each starting at its own line of the copy text, so they share no
 * prefix), typed forward in turns: each turn returns to the state its text left, and every
 * completion is the copy model's known continuation.
 */
async function assertExactAcrossStates(engine: LlamaEngine, fixture: CopyFixture, states: number): Promise<void> {
    const lineStarts = [0, ...[...fixture.text.matchAll(/\n/g)].map((m) => (m.index ?? 0) + 1)].slice(0, states);
    const turns = 3;
    const cutsFor = (start: number) => fixture.cutPoints.map((c) => c.offset).filter((offset) => offset > start + 15).filter((_, i) => i % 2 === 0).slice(0, turns);
    const cuts = lineStarts.map(cutsFor);
    const slots = new Set<number>();
    for (let turn = 0; turn < turns; turn++) {
        for (let text = 0; text < states; text++) {
            const prompt = fixture.text.slice(lineStarts[text], cuts[text][turn]);
            const result = await engine.complete({ prompt: { kind: "text", text: prompt }, maxTokens: 8 });
            const expected = expectedCompletion(fixture.vocab, fixture.table, engine.tokenizePrompt(prompt), 8).text;
            const where = `text ${text}, turn ${turn}, state ${JSON.stringify(result.stats.kvState)}`;
            assert.equal(result.text, expected, where);
            assert.ok(fixture.text.slice(cuts[text][turn]).startsWith(result.text), `${where}: ${JSON.stringify(result.text)}`);
            assert.equal(result.stats.kvState?.slot, text, where);
            if (turn > 0) {
                assert.equal(result.stats.kvState?.restored, true, where);
                assert.ok(result.stats.reusedTokens > result.stats.promptTokens / 2, `${where}: reused ${result.stats.reusedTokens} of ${result.stats.promptTokens}`);
            }
            slots.add(result.stats.kvState?.slot ?? -1);
        }
    }
    assert.deepEqual([...slots].sort(), Array.from({ length: states }, (_, i) => i));
}
