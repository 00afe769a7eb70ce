// Several candidates on an explicit request, and manual mode: first against a scripted backend (which
// answers chosen texts per seed, and checks that requests never overlap), then against the real
// engine, whose counters and stats say what each request cost.

import * as assert from "node:assert/strict";
import { DEFAULTS, type Settings } from "../../../src/config";
import { MAX_CANDIDATES } from "../../../src/config";
import { SAMPLE_TEMPERATURE, type GhostTextRequest, type GhostTextService } from "../../../src/completion/ghostTextService";
import type { CompletionBackend } from "../../../src/backend/backend";
import type { WorkerClient } from "../../../src/engine/workerClient";
import { BackendError } from "../../../src/backend/backendError";
import type { CompletionRequest, CompletionResult, CompletionStats, StopReason } from "../../../src/backend/types";
import { copyFixture, type CopyFixture } from "../../fixtures/models";
import { inProcessClient } from "../support/engines";
import { ghostTextService } from "../support/ghostText";

const PREFIX = "function total(items: number[]): number {\n";

/** What the scripted model answers: text and token count per request (seed undefined = greedy). */
type Script = (request: CompletionRequest) => { text: string; tokens: number } | Error;

class ScriptedBackend implements CompletionBackend {
    readonly requests: CompletionRequest[] = [];
    private inFlight = 0;
    maxInFlight = 0;
    /** Resolves the request in flight only when released (to abort or pause in between). */
    hold: ((request: CompletionRequest) => Promise<void>) | undefined;

    constructor(private readonly script: Script) {}

    async complete(request: CompletionRequest, options?: { signal?: AbortSignal }): Promise<CompletionResult> {
        this.requests.push(request);
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        try {
            await new Promise((resolve) => setTimeout(resolve, 1));
            await this.hold?.(request);
            const answer = this.script(request);
            if (answer instanceof Error) throw answer;
            const aborted = options?.signal?.aborted === true;
            return { text: aborted ? "" : answer.text, stats: stats(aborted ? 0 : answer.tokens, aborted ? "abort" : "maxTokens") };
        } finally {
            this.inFlight--;
        }
    }
}

function stats(generatedTokens: number, stopReason: StopReason): CompletionStats {
    return { promptTokens: 20, reusedTokens: 19, evaluatedTokens: 1, promptMs: 0, genMs: 1, generatedTokens, stopReason, maxChunkMs: 0 };
}

function request(text: string, extra: Partial<GhostTextRequest> = {}): GhostTextRequest {
    return {
        documentId: "file:///total.ts",
        languageId: "typescript",
        text,
        sliceStart: 0,
        cursor: text.length,
        eol: "\n",
        documentEmpty: false,
        selectionEmpty: true,
        explicit: true,
        ...extra,
    };
}

const signal = () => new AbortController().signal;
const texts = (candidates: readonly { insertText: string }[]) => candidates.map((c) => c.insertText);

describe("ghost text candidates and manual mode (scripted backend)", () => {
    let settings: Settings;
    beforeEach(() => {
        settings = { ...DEFAULTS, debounceMinMs: 0, debounceMaxMs: 0 };
    });

    /** Greedy answers `greedy`; seed n answers `samples[n - 1]`; every answer counts `tokens` tokens. */
    function scripted(greedy: string, samples: string[], tokens = 20): { backend: ScriptedBackend; service: GhostTextService } {
        const backend = new ScriptedBackend((r) => ({ text: r.seed === undefined ? greedy : (samples[r.seed - 1] ?? greedy), tokens }));
        return { backend, service: ghostTextService(backend, () => settings) };
    }

    it("typing gets one candidate from one greedy request", async () => {
        const { backend, service } = scripted("  let sum = 0;\n  for (const item of items) sum += item;\n", ["  return items.reduce((a, b) => a + b, 0);\n"]);
        const candidates = await service.provideCandidates(request(PREFIX, { explicit: false }), signal());
        assert.deepEqual(texts(candidates), ["  let sum = 0;\n  for (const item of items) sum += item;"]);
        assert.equal(backend.requests.length, 1);
        assert.equal(backend.requests[0].temperature, 0);
        assert.equal(backend.requests[0].seed, undefined);
    });

    it("an explicit request: greedy, a sample, then the greedy's first line; one request at a time", async () => {
        const { backend, service } = scripted(
            "  let sum = 0;\n  for (const item of items) sum += item;\n",
            ["  return items.reduce((a, b) => a + b, 0);\n}\n", "  return 0;\n"],
            settings.maxTokens,
        );
        const candidates = await service.provideCandidates(request(PREFIX), signal());
        assert.deepEqual(texts(candidates), [
            "  let sum = 0;\n  for (const item of items) sum += item;",
            "  return items.reduce((a, b) => a + b, 0);\n}",
            "  let sum = 0;",
        ]);
        assert.equal(candidates.length, MAX_CANDIDATES);
        // The first sample spent the whole token budget (maxTokens): no second one.
        assert.deepEqual(backend.requests.map((r) => [r.temperature, r.seed, r.maxTokens]), [[0, undefined, 64], [SAMPLE_TEMPERATURE, 1, 64]]);
        assert.equal(backend.requests[1].stop?.includes("\n"), false, "a multi-line place: samples may span lines");
        assert.equal(backend.maxInFlight, 1, "the engine preempts a running completion: never two at once");
        assert.deepEqual(service.lastCandidates, candidates);
    });

    it("a single-line place: samples stop at the line break and share the token budget", async () => {
        settings = { ...settings, multiline: "never" };
        const { backend, service } = scripted(`"total";\nconsole.log(label);\n`, [`"sum";`, `items.join(", ");`], 12);
        const candidates = await service.provideCandidates(request("const label = "), signal());
        assert.deepEqual(texts(candidates), [`"total";`, `"sum";`, `items.join(", ");`]);
        assert.deepEqual(backend.requests.map((r) => [r.seed, r.maxTokens, r.stop?.includes("\n")]), [[undefined, 64, false], [1, 64, true], [2, 52, true]]);
    });

    it("solarComplete.candidates lowers the limit: 1 asks for no sample, 2 none when the first line fills it", async () => {
        const multiLine = "  let sum = 0;\n  for (const item of items) sum += item;\n";
        settings = { ...settings, candidates: 1 };
        let { backend, service } = scripted(multiLine, ["  return 0;\n"]);
        assert.deepEqual(texts(await service.provideCandidates(request(PREFIX), signal())), ["  let sum = 0;\n  for (const item of items) sum += item;"]);
        assert.equal(backend.requests.length, 1);
        settings = { ...settings, candidates: 2 };
        ({ backend, service } = scripted(multiLine, ["  return 0;\n"]));
        assert.deepEqual(texts(await service.provideCandidates(request(PREFIX), signal())), ["  let sum = 0;\n  for (const item of items) sum += item;", "  let sum = 0;"]);
        assert.equal(backend.requests.length, 1);
        ({ backend, service } = scripted("  return items.length;\n", ["  return 0;\n", "  return -1;\n"]));
        assert.deepEqual(texts(await service.provideCandidates(request(PREFIX), signal())), ["  return items.length;", "  return 0;"]);
        assert.equal(backend.requests.length, 2);
    });

    it("drops duplicates, and a sample that repeats a candidate ends the sampling", async () => {
        const { backend, service } = scripted("  return items.length;\n", ["  return items.length;  \n", "  return 0;\n"]);
        const candidates = await service.provideCandidates(request(PREFIX), signal());
        assert.deepEqual(texts(candidates), ["  return items.length;"]);
        assert.equal(backend.requests.length, 2, "greedy + one sample, which repeated it");
    });

    it("a repeated explicit request at the same place reuses the samples: no engine request", async () => {
        const { backend, service } = scripted("  return items.length;\n", [`  return 0;\n`, "  return -1;\n"], 10);
        const first = await service.provideCandidates(request(PREFIX), signal());
        const asked = backend.requests.length;
        const again = await service.provideCandidates(request(PREFIX), signal());
        assert.deepEqual(again, first);
        assert.equal(backend.requests.length, asked);
        // Elsewhere: new samples.
        await service.provideCandidates(request(`${PREFIX}  // sum\n`), signal());
        assert.ok(backend.requests.length > asked);
    });

    it("an abort while sampling keeps nothing for later; an engine error keeps the greedy candidate", async () => {
        const { backend, service } = scripted("  return items.length;\n", ["  return 0;\n"]);
        const controller = new AbortController();
        backend.hold = async (r) => {
            if (r.seed !== undefined) controller.abort();
        };
        await service.provideCandidates(request(PREFIX), controller.signal);
        backend.hold = undefined;
        const before = backend.requests.length;
        const candidates = await service.provideCandidates(request(PREFIX), signal());
        assert.equal(backend.requests[before].seed, 1, "the aborted sample is asked again (the greedy one comes from the cache)");
        assert.deepEqual(texts(candidates), ["  return items.length;", "  return 0;"]);

        const busy = new ScriptedBackend((r) => (r.seed === undefined ? { text: "  return 1;\n", tokens: 5 } : new BackendError("BUSY", "a prompt is running")));
        const refused = await ghostTextService(busy, () => settings).provideCandidates(request(PREFIX), signal());
        assert.deepEqual(texts(refused), ["  return 1;"]);
    });

    it("asks for no sample once a prompt has paused ghost text", async () => {
        let pausedBy: string | undefined;
        const backend = new ScriptedBackend((r) => {
            pausedBy = "a prompt is running"; // it took the engine while the greedy request ran
            return { text: r.seed === undefined ? "  return 1;\n" : "  return 2;\n", tokens: 5 };
        });
        const service = ghostTextService(backend, () => settings, () => ({ pausedBy }));
        assert.deepEqual(texts(await service.provideCandidates(request(PREFIX), signal())), ["  return 1;"]);
        assert.equal(backend.requests.length, 1);
    });

    describe("manual mode", () => {
        beforeEach(() => {
            settings = { ...settings, trigger: "manual" };
        });

        it("typing never reaches the backend; asking does", async () => {
            const { backend, service } = scripted("  return items.length;\n", ["  return 0;\n"]);
            for (let i = 0; i < 20; i++) {
                assert.deepEqual(await service.provideCandidates(request(PREFIX + " ".repeat(i), { explicit: false }), signal()), []);
            }
            assert.equal(backend.requests.length, 0);
            assert.ok((await service.provideCandidates(request(PREFIX), signal())).length > 0);
            assert.ok(backend.requests.length > 0);
        });

        it("typing through what the user asked for shows the rest from the cache; a different keystroke ends it", async () => {
            const { backend, service } = scripted("  return items.length;\n", ["  return 0;\n"]);
            await service.provideCandidates(request(PREFIX), signal());
            const asked = backend.requests.length;
            const typed = (extra: string) => service.provideCandidates(request(PREFIX + extra, { explicit: false }), signal());
            assert.deepEqual(texts(await typed("  ret")), ["urn items.length;"]);
            assert.deepEqual(texts(await typed("  retu")), ["rn items.length;"]);
            assert.deepEqual(await typed("  retx"), [], "typed something else");
            assert.deepEqual(await typed("  retu"), [], "that ended it: back on the suggestion, still nothing unasked");
            assert.equal(backend.requests.length, asked);
        });

        it("after a switch back to automatic, typing asks again", async () => {
            const { backend, service } = scripted("  return items.length;\n", []);
            await service.provideCandidates(request(PREFIX, { explicit: false }), signal());
            assert.equal(backend.requests.length, 0);
            settings = { ...settings, trigger: "automatic" };
            assert.equal((await service.provideCandidates(request(PREFIX, { explicit: false }), signal())).length, 1);
            assert.equal(backend.requests.length, 1);
        });
    });
});

describe("ghost text candidates and manual mode (real engine, copy model)", () => {
    let client: WorkerClient;
    let fixture: CopyFixture;
    let settings: Settings;
    const results: CompletionResult[] = [];

    before(async () => {
        fixture = await copyFixture("copy-code");
        client = inProcessClient();
        await client.load({ modelPath: fixture.path, gpu: "cpu", threads: 1 });
    });
    after(() => client.stop());
    beforeEach(() => {
        settings = { ...DEFAULTS, debounceMinMs: 0, debounceMaxMs: 0 };
        results.length = 0;
    });

    const recording: CompletionBackend = {
        complete: async (r, options) => {
            const result = await client.complete(r, options);
            results.push(result);
            return result;
        },
    };
    const at = (offset: number, explicit: boolean): GhostTextRequest => request(fixture.text.slice(0, offset), { documentId: "file:///inventory.ts", explicit });
    const completions = async () => (await client.counters()).completions;
    /** A cut at the start of a line, where the copy model's answer spans several lines. */
    const lineStart = () => {
        const cut = fixture.cutPoints.find((c) => c.offset > 200 && fixture.text[c.offset - 1] === "\n");
        assert.ok(cut);
        return cut.offset;
    };

    it("typing: one engine request; asking: the same greedy answer plus samples whose prompt comes from the KV cache", async () => {
        const service = ghostTextService(recording, () => settings);
        const offset = lineStart();
        const typed = await service.provideCandidates(at(offset, false), signal());
        assert.equal(typed.length, 1);
        assert.equal(results.length, 1);

        const fresh = ghostTextService(recording, () => settings);
        results.length = 0;
        const asked = await fresh.provideCandidates(at(offset, true), signal());
        assert.equal(asked[0].insertText, typed[0].insertText, "the first candidate is what typing shows");
        assert.ok(asked.length >= 2 && asked.length <= MAX_CANDIDATES, JSON.stringify(texts(asked)));
        assert.equal(new Set(texts(asked)).size, asked.length, "distinct");
        const samples = results.slice(1);
        assert.ok(samples.length >= 1);
        // The cost of the extra candidates: tokens generated within one maxTokens, next to nothing evaluated.
        assert.ok(samples.reduce((sum, r) => sum + r.stats.generatedTokens, 0) <= settings.maxTokens);
        for (const sample of samples) {
            assert.ok(sample.stats.evaluatedTokens <= 2, `prompt re-evaluated: ${sample.stats.evaluatedTokens} tokens`);
            assert.ok(sample.stats.reusedTokens >= sample.stats.promptTokens - 1, "the prompt came from the KV cache");
        }
        assert.equal((await client.counters()).maxConcurrent, 1);
    });

    it("manual mode: a typing storm reaches the engine zero times, and Alt+\\ once per request", async () => {
        settings = { ...settings, trigger: "manual" };
        const service = ghostTextService(recording, () => settings);
        const start = fixture.cutPoints[8].offset;
        const before = await completions();
        for (let i = 0; i < 40; i++) await service.provideCandidates(at(start + i, false), signal());
        assert.equal(await completions(), before, "typing never reaches the engine");
        const asked = await service.provideCandidates(at(start + 40, true), signal());
        assert.ok(asked.length > 0);
        assert.equal(await completions(), before + results.length);
    });
});
