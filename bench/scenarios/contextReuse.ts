// Context from other files and the KV cache (issue 16): tokens evaluated per keystroke, and on coming
// back to a file or to a place in a long file, through the ghost-text pipeline as the extension wires
// it (GhostTextService, its window anchors, the engine process with its KV states), on the tiny model.
// Token counts do not depend on the machine.
//
// Arms, on the same trace and engine settings:
// - "off": no context, as before issue 16;
// - "on": the product: snippets chosen by src/context, kept per document and changed only at calm
//   moments (ContextPolicy);
// - "naive": the same retrieval asked on every keystroke, so the blocks change whenever the best
//   snippets do, as peers that rebuild their context per request;
// - "on, 1 state": the product with solarComplete.kvStates 1, to show what the kept states buy.
//
// The trace, per cycle: type in the long file A; switch to B and type; switch back to A (the
// "switch return"); jump near A's top and type; jump back (the "jump return"). What is typed is lines
// of the other two files, so the best-matching snippets change while typing. The simulated clock
// advances 150 ms per keystroke, so no pause counts as calm inside the trace.

import type { CompletionBackend } from "../../src/backend/backend";
import { PREFIX_SLICE_CHARS, SUFFIX_SLICE_CHARS } from "../../src/backend/limits";
import type { CompletionResult } from "../../src/backend/types";
import { GhostTextService, type GhostTextRequest } from "../../src/completion/ghostTextService";
import type { SelectedContext } from "../../src/completion/lastPrompt";
import { DEFAULTS, type Settings } from "../../src/config";
import { ContextIndex } from "../../src/context/contextIndex";
import { ContextPolicy, type ContextQuery } from "../../src/context/contextPolicy";
import { CHARS_PER_TOKEN_ESTIMATE, DEFAULT_MAX_SNIPPETS } from "../../src/context/retrieval";
import { renderBlocks } from "../../src/context/snippetBlocks";
import { WorkerClient } from "../../src/engine/workerClient";
import { processTransport } from "../../src/engine/transport";
import { codeOfLength, lineStartBefore } from "../documents";
import { KEYSTROKE_MAX_TOKENS, withResources, type Bench } from "../harness";
import { round, rounded, summarize } from "../stats";

type Arm = "off" | "on" | "naive" | "on_1_state";
const ARMS: readonly Arm[] = ["off", "on", "naive", "on_1_state"];
const KEYS_PER_PLACE = 10;
const KEYSTROKE_MS = 150;

interface Doc {
    readonly id: string;
    readonly path: string;
    text: string;
    cursor: number;
}

function documents(): Doc[] {
    const make = (id: string, chars: number, seed: number, at: number): Doc => {
        const text = codeOfLength(chars, seed);
        return { id, path: `src/${id}.ts`, text, cursor: lineStartBefore(text, Math.floor(text.length * at)) };
    };
    // A is longer than the window (about 20,000 tokens), so a jump in it moves the window.
    return [make("orders", 80_000, 11, 0.9), make("billing", 12_000, 12, 0.6), make("ledger", 12_000, 13, 0.5), make("customers", 12_000, 14, 0.5)];
}

/** A few lines from the middle of each document, to be typed elsewhere. */
function borrowedLines(from: readonly Doc[]): string {
    return from
        .map((doc) => {
            const start = lineStartBefore(doc.text, Math.floor(doc.text.length / 2));
            return doc.text.slice(start).split("\n").slice(0, 4).join("\n") + "\n";
        })
        .join("");
}

function requestAt(doc: Doc, explicit: boolean): GhostTextRequest {
    const sliceStart = Math.max(0, doc.cursor - PREFIX_SLICE_CHARS);
    return {
        documentId: doc.id,
        languageId: "typescript",
        text: doc.text.slice(sliceStart, doc.cursor + SUFFIX_SLICE_CHARS),
        sliceStart,
        cursor: doc.cursor - sliceStart,
        eol: "\n",
        documentEmpty: false,
        selectionEmpty: true,
        explicit,
    };
}

/** The context function of each arm, over one index of the trace's documents. */
function contextFor(arm: Arm, docs: readonly Doc[], clock: () => number): ((query: ContextQuery) => SelectedContext | undefined) | undefined {
    if (arm === "off") return undefined;
    const index = new ContextIndex({ clock });
    for (const doc of docs) index.upsertDocument({ path: doc.path, languageId: "typescript", text: doc.text, version: 1 });
    const maxTokens = DEFAULTS["context.maxTokens"];
    const pathOf = (id: string) => docs.find((d) => d.id === id)?.path ?? "";
    const select = (query: ContextQuery) => {
        const snippets = index.select({ current: { path: pathOf(query.documentId), windowText: query.prefix, languageId: query.languageId }, maxChars: maxTokens * CHARS_PER_TOKEN_ESTIMATE, maxSnippets: DEFAULT_MAX_SNIPPETS });
        return { blocks: renderBlocks(snippets, query.languageId), labels: snippets.map((s) => `${s.path}:${s.startLine + 1}`) };
    };
    if (arm === "naive") return (query) => ({ ...select(query), maxTokens });
    const policy = new ContextPolicy({ select, now: clock, settings: () => ({ enabled: true, maxTokens }) });
    return (query) => policy.contextFor(query);
}

interface Counts {
    /** Keystrokes after the first in each place. */
    typing: number[];
    /** The first keystroke in B, or near A's top after the first cycle: places left earlier, which fewer states forget. */
    visits: number[];
    switchReturn: number[];
    jumpReturn: number[];
    contextTokens: number[];
    blockChanges: number;
}

/** The engine behind a GhostTextService, remembering each result and counting changes of the blocks. */
function observed(client: WorkerClient, counts: Counts) {
    const seen: { result: CompletionResult | undefined; blocks: string | undefined } = { result: undefined, blocks: undefined };
    const backend: CompletionBackend = {
        complete: async (request, options) => {
            const result = await client.complete(request, options);
            seen.result = result;
            const blocks = request.prompt.kind === "document" ? (request.prompt.context?.blocks ?? []).join("") : "";
            if (seen.blocks !== undefined && blocks !== seen.blocks) counts.blockChanges++;
            seen.blocks = blocks;
            return result;
        },
    };
    return { backend, seen };
}

async function runArm(bench: Bench, arm: Arm, cycles: number): Promise<Counts> {
    return withResources(async (keep) => {
        const client = keep(new WorkerClient(processTransport(bench.workerScript), {}));
        await client.load({ modelPath: bench.models.tiny, gpu: bench.gpu, threads: bench.threads, kvStates: arm === "on_1_state" ? 1 : DEFAULTS.kvStates });
        const clock = { now: 0 };
        const docs = documents();
        const counts: Counts = { typing: [], visits: [], switchReturn: [], jumpReturn: [], contextTokens: [], blockChanges: 0 };
        const { backend, seen } = observed(client, counts);
        const settings: Settings = { ...DEFAULTS, maxTokens: KEYSTROKE_MAX_TOKENS, candidates: 1 };
        const service = new GhostTextService({
            backend,
            settings: () => settings,
            // No typing-through: every keystroke asks the engine, so each is measured.
            cache: { lookup: () => undefined, store: () => undefined, forget: () => undefined, clear: () => undefined },
            debounce: { recordKeystroke: () => undefined, recordLatency: () => undefined, delay: () => 0 },
            now: () => clock.now,
            sleep: async () => true,
            controls: () => ({}),
            context: contextFor(arm, docs, () => clock.now),
        });
        const ask = async (doc: Doc): Promise<number> => {
            clock.now += KEYSTROKE_MS;
            seen.result = undefined;
            await service.provide(requestAt(doc, true), new AbortController().signal);
            const result = seen.result as CompletionResult | undefined;
            if (result?.context) counts.contextTokens.push(result.context.tokens);
            return result?.stats.evaluatedTokens ?? 0;
        };
        await trace(docs, cycles, counts, ask);
        return counts;
    });
}

/** Types, switches and jumps as the top of this file says; `ask` requests a suggestion and returns the tokens evaluated. */
async function trace(docs: Doc[], cycles: number, counts: Counts, ask: (doc: Doc) => Promise<number>): Promise<void> {
    // What the user types is code that uses the other files' names, as real code does: the snippets
    // that match the window best shift as it is typed.
    const typed = borrowedLines(docs.slice(2));
    let typedAt = 0;
    /** Types `keys` characters at the doc's cursor; the first keystroke's cost goes to `first`. */
    const type = async (doc: Doc, keys: number, first: number[]) => {
        for (let key = 0; key < keys; key++) {
            const ch = typed[typedAt++ % typed.length];
            doc.text = doc.text.slice(0, doc.cursor) + ch + doc.text.slice(doc.cursor);
            doc.cursor++;
            const evaluated = await ask(doc);
            (key === 0 ? first : counts.typing).push(evaluated);
        }
    };
    const [a, b] = docs;
    // Warm-up: each place once, cold for any method.
    await type(a, 1, []);
    await type(b, 1, []);
    for (let cycle = 0; cycle < cycles; cycle++) {
        // Where the last cycle's jump return left off: typing on.
        await type(a, KEYS_PER_PLACE, counts.typing);
        await type(b, KEYS_PER_PLACE, counts.visits);
        await type(a, KEYS_PER_PLACE, counts.switchReturn);
        const back = a.cursor;
        a.cursor = lineStartBefore(a.text, 2_000 + cycle * 40);
        // The first visit near the top is a cold start; later ones return there too.
        await type(a, KEYS_PER_PLACE, cycle === 0 ? [] : counts.visits);
        // The text typed near the top moved the place down by as much.
        a.cursor = back + KEYS_PER_PLACE;
        await type(a, KEYS_PER_PLACE, counts.jumpReturn);
    }
}

export async function contextReuse(bench: Bench) {
    const { cycles } = bench.plan.contextReuse;
    const arms: Record<string, object> = {};
    for (const arm of ARMS) {
        bench.progress(`context_reuse: ${arm}`);
        const counts = await runArm(bench, arm, cycles);
        arms[arm] = {
            typing_evaluated: rounded(summarize(counts.typing)),
            visit_evaluated: rounded(summarize(counts.visits)),
            switch_return_evaluated: rounded(summarize(counts.switchReturn)),
            jump_return_evaluated: rounded(summarize(counts.jumpReturn)),
            context_tokens_mean: counts.contextTokens.length ? round(counts.contextTokens.reduce((s, x) => s + x, 0) / counts.contextTokens.length) : 0,
            block_changes: counts.blockChanges,
            requests: counts.typing.length + counts.visits.length + counts.switchReturn.length + counts.jumpReturn.length,
        };
    }
    return { model: "tiny", cycles, keys_per_place: KEYS_PER_PLACE, kv_states: DEFAULTS.kvStates, arms };
}
