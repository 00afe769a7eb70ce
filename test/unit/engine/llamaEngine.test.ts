// The engine module with the real node-llama-cpp on generated GGUF models: prefix reuse, the anchored
// window on long files, exact copy-model output, cancellation and stop rules.

import * as assert from "node:assert/strict";
import type { Llama } from "node-llama-cpp";
import { buildPromptWindow, type WindowAnchor } from "../../../src/backend/window";
import { CONTEXT_MARGIN } from "../../../src/backend/limits";
import { LlamaEngine } from "../../../src/engine/llamaEngine";
import { acquireLlama } from "../../../src/engine/llamaRuntime";
import { copyFixture, ensureModel, type CopyFixture } from "../../fixtures/models";
import { expectedCompletion } from "../../fixtures/copy-table";
import { makeDocument } from "../support/documents";

const quiet = () => undefined;

describe("LlamaEngine (real node-llama-cpp, generated models)", function () {
    let llama: Llama;
    let tiny: LlamaEngine;
    let copy: LlamaEngine;
    let fixture: CopyFixture;

    before(async () => {
        ({ llama } = await acquireLlama("cpu", quiet));
        fixture = await copyFixture("copy");
        tiny = await LlamaEngine.load(async () => llama, { modelPath: await ensureModel("tiny"), gpu: "cpu", threads: 1 }, quiet);
        copy = await LlamaEngine.load(async () => llama, { modelPath: fixture.path, gpu: "cpu", threads: 1 }, quiet);
    });
    after(async () => {
        await tiny?.dispose();
        await copy?.dispose();
        await llama?.dispose();
    });

    it("reports what it loaded", () => {
        assert.equal(tiny.info.contextSize, 4096);
        assert.equal(tiny.info.architecture, "llama");
        assert.equal(tiny.info.backend, "CPU, 1 thread");
        assert.ok(tiny.info.loadMs > 0);
    });

    it("counts prompt tokens exactly as it evaluates them (BOS included)", async () => {
        const result = await tiny.complete({ prompt: { kind: "text", text: "const answer = 42;" }, maxTokens: 1 });
        assert.equal(result.stats.promptTokens, tiny.countTokens("const answer = 42;"));
        assert.equal(tiny.countTokens(""), 1);
    });

    it("typing one character at the end of a 3,500-token document evaluates at most 8 tokens", async () => {
        const doc = makeDocument(3500, (t) => tiny.countTokens(t));
        const first = await tiny.complete({ prompt: { kind: "document", text: doc, cursor: doc.length }, maxTokens: 8 });
        assert.ok(first.stats.promptTokens >= 3500, `prompt ${first.stats.promptTokens} tokens`);
        const typed = `${doc}c`;
        const second = await tiny.complete({
            prompt: { kind: "document", text: typed, cursor: typed.length, previous: first.window?.anchor },
            maxTokens: 8,
        });
        console.log(`      3,500-token document + 1 char: ${second.stats.evaluatedTokens} evaluated, ${second.stats.reusedTokens} reused`);
        assert.ok(second.stats.evaluatedTokens <= 8, `evaluated ${second.stats.evaluatedTokens}`);
        assert.ok(second.stats.evaluatedTokens >= 1);
        assert.equal(second.stats.reusedTokens + second.stats.evaluatedTokens, second.stats.promptTokens);
    });

    it("typing 200 keystrokes mid-file in a 20,000-token file evaluates under 5% of the window per keystroke", async () => {
        const maxTokens = 4;
        const doc = makeDocument(20_000, (t) => tiny.countTokens(t), 11);
        const budget = tiny.info.contextSize - maxTokens - CONTEXT_MARGIN;
        const typedLine = "    const typed = compute(alpha, \"bravo\") + 1; // and more words typed here\n";
        let text = doc;
        let cursor = doc.lastIndexOf("\n", Math.floor(doc.length / 2)) + 1;
        let anchor: WindowAnchor | undefined;
        let previousNaive: number[] = [];
        const anchored: number[] = [];
        const naive: number[] = [];
        for (let key = 0; key < 200; key++) {
            const ch = typedLine[key % typedLine.length];
            text = text.slice(0, cursor) + ch + text.slice(cursor);
            cursor++;
            const result = await tiny.complete({ prompt: { kind: "document", text, cursor, previous: anchor }, maxTokens });
            anchor = result.window?.anchor;
            if (key > 0) anchored.push(result.stats.evaluatedTokens / result.stats.promptTokens);

            // The naive window keeps the last `budget` tokens: a prefix cache can only reuse the
            // tokens it shares with the previous request, so that is exactly what it would evaluate.
            const all = tiny.tokenizePrompt(text.slice(Math.max(0, cursor - budget * 16), cursor));
            const window = all.slice(-budget);
            if (key > 0) naive.push((window.length - sharedPrefix(window, previousNaive)) / window.length);
            previousNaive = window;
        }
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        console.log(
            `      evaluated fraction per keystroke: anchored ${(100 * mean(anchored)).toFixed(2)}%, naive sliding ${(100 * mean(naive)).toFixed(2)}%`,
        );
        assert.ok(mean(anchored) <= 0.05, `anchored mean ${mean(anchored)}`);
        assert.ok(mean(naive) > mean(anchored));
    });

    it("the copy model continues its text exactly at every cut point, leading space included", async () => {
        assert.ok(fixture.cutPoints.length >= 5, `only ${fixture.cutPoints.length} cut points`);
        for (const cut of fixture.cutPoints.slice(0, 12)) {
            const prompt = fixture.text.slice(0, cut.offset);
            const result = await copy.complete({ prompt: { kind: "text", text: prompt }, maxTokens: 8 });
            const expected = expectedCompletion(fixture.vocab, fixture.table, copy.tokenizePrompt(prompt), 8).text;
            assert.equal(result.text, expected, `cut at ${cut.offset}`);
            assert.ok(fixture.text.slice(cut.offset).startsWith(result.text), `cut at ${cut.offset}: ${JSON.stringify(result.text)}`);
        }
    });

    it("aborting mid-prompt settles within one chunk, and the next request reuses what was evaluated", async () => {
        const prompt = makeDocument(3000, (t) => copy.countTokens(t), 23);
        const controller = new AbortController();
        const started = performance.now();
        let abortedAt = 0;
        setTimeout(() => {
            abortedAt = performance.now();
            controller.abort();
        }, 150);
        const aborted = await copy.complete({ prompt: { kind: "text", text: prompt }, maxTokens: 8 }, { signal: controller.signal });
        const settleMs = performance.now() - abortedAt;
        console.log(
            `      abort after ${(abortedAt - started).toFixed(0)} ms: settled in ${settleMs.toFixed(1)} ms (longest chunk ${aborted.stats.maxChunkMs} ms), ${aborted.stats.evaluatedTokens} of ${aborted.stats.promptTokens} tokens evaluated`,
        );
        assert.equal(aborted.stats.stopReason, "abort");
        assert.equal(aborted.text, "");
        assert.ok(aborted.stats.evaluatedTokens > 0 && aborted.stats.evaluatedTokens < aborted.stats.promptTokens - 1);
        assert.ok(settleMs <= aborted.stats.maxChunkMs + 25, `settled in ${settleMs} ms, chunk ${aborted.stats.maxChunkMs} ms`);

        const again = await copy.complete({ prompt: { kind: "text", text: prompt }, maxTokens: 8 });
        assert.ok(again.stats.reusedTokens >= aborted.stats.evaluatedTokens, `reused ${again.stats.reusedTokens}`);
        const expected = expectedCompletion(fixture.vocab, fixture.table, copy.tokenizePrompt(prompt), 8).text;
        assert.equal(again.text, expected);
    });

    it("stops on max tokens, stop strings and the time limit, and reports why", async () => {
        const max = await tiny.complete({ prompt: { kind: "text", text: "function main() {" }, maxTokens: 5 });
        assert.equal(max.stats.stopReason, "maxTokens");
        assert.equal(max.stats.generatedTokens, 5);

        const cut = fixture.cutPoints[0];
        const prompt = fixture.text.slice(0, cut.offset);
        const full = await copy.complete({ prompt: { kind: "text", text: prompt }, maxTokens: 8 });
        const stopAt = full.text.slice(2, 5);
        const stopped = await copy.complete({ prompt: { kind: "text", text: prompt }, maxTokens: 8, stop: [stopAt] });
        assert.equal(stopped.stats.stopReason, "stopString");
        assert.equal(stopped.text, full.text.slice(0, full.text.indexOf(stopAt)));

        const timed = await tiny.complete({ prompt: { kind: "text", text: makeDocument(2000, (t) => tiny.countTokens(t), 5) }, maxTokens: 50, timeLimitMs: 30 });
        assert.equal(timed.stats.stopReason, "timeLimit");
    });

    it("refuses a prompt that can't fit the context instead of truncating it silently", async () => {
        const long = makeDocument(4200, (t) => tiny.countTokens(t), 3);
        await assert.rejects(tiny.complete({ prompt: { kind: "text", text: long }, maxTokens: 8 }), /PROMPT_TOO_LONG|does not fit/);
        // A document prompt is windowed instead, and fits.
        const windowed = await tiny.complete({ prompt: { kind: "document", text: long, cursor: long.length }, maxTokens: 8 });
        assert.ok(windowed.stats.promptTokens + 8 <= 4096);
        assert.ok(windowed.window && windowed.window.start > 0);
    });

    it("cuts the document window with the engine's own tokenizer, within budget", () => {
        const doc = makeDocument(6000, (t) => tiny.countTokens(t), 9);
        const window = buildPromptWindow({ text: doc, cursor: doc.length, countTokens: (t) => tiny.countTokens(t), budget: 1000 });
        assert.equal(tiny.countTokens(window.prompt), window.promptTokens);
        assert.ok(window.promptTokens <= 1000);
    });
});

function sharedPrefix(a: readonly number[], b: readonly number[]): number {
    let n = 0;
    while (n < a.length && n < b.length && a[n] === b[n]) n++;
    return n;
}
