// Typing traces through the ghost-text pipeline, with the streaming stop (issue 14) and without it,
// for the `waste` and `first_line` scenarios. Each keystroke goes to two GhostTextServices, as the
// extension wires one (typing-through cache, the default settings: 64 tokens, 8 lines), over the same
// engine process: one asks as ghost text now does, the other strips `ghost` from its requests,
// which is the old behaviour (generate to the token limit, then post-process). They alternate which
// goes first. The debounce is zero in both: it delays both alike and is not what is measured.
//
// Models: copy models of a TypeScript, a Python and a Markdown file (the TypeScript one is the
// copy-code test model), so the continuations are real lines of that file and every generated
// token is known in advance from the copy table: how many of them the shown suggestion needed is
// exact, not estimated. The random tiny and medium models write no lines worth showing.
//
// The trace, per file: the user types two whole lines of the file back in (Enter first, then the
// characters), with the rest of the file below. Every keystroke asks for a suggestion. Single-line
// places are that same typing with solarComplete.multiline "never", and the first half of a line
// typed with its second half after the cursor, asked for explicitly (Alt+\: typing alone never asks
// mid-line) with one candidate, so no samples.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { CompletionBackend } from "../src/backend/backend";
import type { CompletionRequest, CompletionResult } from "../src/backend/types";
import { CompletionCache } from "../src/completion/completionCache";
import { GhostTextService, type GhostTextRequest } from "../src/completion/ghostTextService";
import { DEFAULTS, type Settings } from "../src/config";
import { WorkerClient } from "../src/engine/workerClient";
import { processTransport } from "../src/engine/transport";
import { isClosersOnly } from "../src/suggestion/closers";
import type { Suggestion } from "../src/suggestion/postprocess";
import { makeCopyModel } from "../test/fixtures/copy-model";
import { copyTable, expectedCompletion, type CopyTable } from "../test/fixtures/copy-table";
import { COPY_CODE_TEXT } from "../test/fixtures/copy-texts";
import { writeGguf } from "../test/fixtures/gguf-writer";
import { ensureModel, modelCacheDir } from "../test/fixtures/models";
import { BOS_ID, loadVocabulary, type Vocabulary } from "../test/fixtures/vocabulary";
import type { Bench } from "./harness";

/** Distinct words and one attribute written once per line start, so the copy model reproduces all of it. */
const PYTHON_TEXT = `import json
from pathlib import Path


def load_orders(folder: Path) -> list[dict]:
    """Read every order file below folder, newest first."""
    found = sorted(folder.glob("*.json"), reverse=True)
    orders = []
    for item in found:
        record = json.loads(item.read_text())
        if record.get("status") == "cancelled":
            continue
        orders.append(record)
    return orders


class Ledger:
    def __init__(self, currency: str):
        self.currency, self.entries = currency, []

    def post(self, amount: float, memo: str) -> None:
        self.entries.append((amount, memo))

    def balance(self) -> float:
        return sum(value for value, _ in self.entries)
`;

const MARKDOWN_TEXT = `# Field notes

Our team surveyed the northern marsh twice this spring.

## Findings

- Herons nested along the eastern reed beds.
- Water levels dropped by a hand's width in April.
- Volunteers counted forty turtles near the old mill.

## Next steps

1. Repeat the count after the summer floods.
2. Share raw tallies with the county office.

Questions go to Priya, who keeps the logbook.
`;

interface GhostFile {
    readonly languageId: string;
    readonly text: string;
    /** A test model already built for this text; otherwise one is built into the model cache. */
    readonly testModel?: "copy-code";
}

export const GHOST_FILES: readonly GhostFile[] = [
    { languageId: "typescript", text: COPY_CODE_TEXT, testModel: "copy-code" },
    { languageId: "python", text: PYTHON_TEXT },
    { languageId: "markdown", text: MARKDOWN_TEXT },
];

export type Arm = "stop" | "baseline";
export type Context = "single_line" | "multi_line";
/** Where a single-line suggestion comes from. */
export type Place = "lines" | "lines_multiline_never" | "mid_line_explicit";

/** One keystroke, one arm. */
export interface KeystrokeRecord {
    readonly arm: Arm;
    readonly languageId: string;
    readonly context: Context;
    readonly place: Place;
    /** From the keystroke (provide() called) to the suggestion (provide() resolved). */
    readonly ms: number;
    readonly suggestion: string | undefined;
    /** Present when the keystroke needed an engine request (not served by the typing cache). */
    readonly request?: RequestRecord;
}

export interface RequestRecord {
    readonly generatedTokens: number;
    readonly stopReason: string;
    /** Leading generated tokens the shown suggestion's lines needed (0 when nothing is shown). */
    readonly shownTokens: number;
    /** Tokens of the model's line right after the last one shown: what a stop rule must read. */
    readonly nextLineTokens: number;
    /** Tokens up to the line break after the suggestion's first line with text (or all, without one). */
    readonly tokensToFirstLine: number;
    /** From the keystroke to the arrival of that line break in the stream. */
    readonly firstLineStreamedMs: number | undefined;
    /** The engine's text is the copy table's prediction: the token accounting is exact. */
    readonly predicted: boolean;
}

const SETTINGS: Settings = { ...DEFAULTS, debounceMinMs: 0, debounceMaxMs: 0 };
const SETTINGS_BY_PLACE: Readonly<Record<Place, Settings>> = {
    lines: SETTINGS,
    lines_multiline_never: { ...SETTINGS, multiline: "never" },
    // Alt+\ with one candidate: the greedy suggestion only, no sampled alternatives.
    mid_line_explicit: { ...SETTINGS, candidates: 1 },
};

/** The copy model for `file`, built once into the model cache (about 0.6 s, 34 MB). */
async function modelFor(file: GhostFile, vocab: Vocabulary): Promise<string> {
    if (file.testModel) return ensureModel(file.testModel);
    const digest = createHash("sha256").update(file.text).digest("hex").slice(0, 10);
    const target = path.join(modelCacheDir(), `bench-copy-${file.languageId}-${digest}.gguf`);
    if (fs.existsSync(target)) return target;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.tmp`;
    writeGguf(temporary, makeCopyModel(file.text, { vocab, name: `solar-bench-${file.languageId}` }).model);
    fs.renameSync(temporary, target);
    return target;
}

interface Region {
    readonly place: Place;
    /** The document before typing; the typed text goes in at `at`. */
    readonly document: string;
    readonly at: number;
    readonly typed: string;
}

/** Two whole lines typed back in (Enter first), every `step` lines; and half lines with their other half after the cursor. */
export function regions(text: string, lines: number): Region[] {
    const starts = [0];
    for (let i = text.indexOf("\n"); i >= 0 && i < text.length - 1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    const lineAt = (i: number) => text.slice(starts[i], (starts[i + 1] ?? text.length + 1) - 1);
    const out: Region[] = [];
    const picked = Array.from({ length: lines }, (_, k) => 2 + Math.floor((k * (starts.length - 4)) / Math.max(1, lines)));
    for (const i of picked) {
        // From the end of line i-1 to the end of line i+1: "\n" + line i + "\n" + line i+1.
        const from = starts[i] - 1;
        const to = starts[i + 2] - 1;
        if (lineAt(i).trim() !== "") {
            const typedBack = { document: text.slice(0, from) + text.slice(to), at: from, typed: text.slice(from, to) };
            out.push({ place: "lines", ...typedBack }, { place: "lines_multiline_never", ...typedBack });
        }
        const line = lineAt(i);
        const indent = line.length - line.trimStart().length;
        const half = indent + Math.floor((line.length - indent) / 2);
        if (line.length - indent >= 16 && !isClosersOnly(line.slice(half))) {
            const from2 = starts[i] + indent;
            const to2 = starts[i] + half;
            out.push({ place: "mid_line_explicit", document: text.slice(0, from2) + text.slice(to2), at: from2, typed: text.slice(from2, to2) });
        }
    }
    return out;
}

/** The copy table's prediction for one request: the exact tokens and the text each prefix of them makes. */
function predicted(vocab: Vocabulary, table: CopyTable, request: CompletionRequest, result: CompletionResult) {
    const prompt = request.prompt;
    const text = prompt.kind === "document" ? prompt.text.slice(result.window?.start ?? 0, result.window?.end ?? prompt.cursor) : prompt.text;
    const ids = [BOS_ID, ...vocab.encode(text, { bos: false })];
    const { tokens } = expectedCompletion(vocab, table, ids, result.stats.generatedTokens);
    const texts = tokens.map((_, k) => vocab.decodeAfter(ids, tokens.slice(0, k + 1)));
    return { texts, exact: (texts.at(-1) ?? "") === result.text };
}

/** Fewest leading tokens whose text reaches `offset` (0 for offset 0). */
function tokensTo(texts: readonly string[], offset: number): number {
    if (offset <= 0) return 0;
    const k = texts.findIndex((t) => t.length >= offset);
    return k < 0 ? texts.length : k + 1;
}

/** What one request cost against what it showed. */
function account(texts: readonly string[], raw: string, suggestion: Suggestion | undefined, eol: string, chunkTimes: readonly { length: number; at: number }[], started: number) {
    const rawLines = raw.split("\n");
    const startOf = (line: number) => rawLines.slice(0, line).reduce((sum, l) => sum + l.length + 1, 0);
    const shownLines = suggestion === undefined ? 0 : suggestion.insertText.split(eol).length;
    const shownEnd = shownLines === 0 ? 0 : startOf(shownLines - 1) + rawLines[shownLines - 1].trimEnd().length;
    const shownTokens = tokensTo(texts, shownEnd);
    const next = rawLines[shownLines];
    const nextLineTokens = next === undefined || shownLines === 0 ? 0 : tokensTo(texts, startOf(shownLines) + next.length) - tokensTo(texts, startOf(shownLines));
    // The first line of the suggestion with text, complete when its line break has come.
    const first = suggestion === undefined ? -1 : suggestion.insertText.split(eol).findIndex((line) => line.trim() !== "");
    const breakAt = first < 0 || first >= rawLines.length - 1 ? undefined : startOf(first + 1);
    const tokensToFirstLine = breakAt === undefined ? texts.length : tokensTo(texts, breakAt);
    const arrived = breakAt === undefined ? undefined : chunkTimes.find((c) => c.length >= breakAt)?.at;
    return { shownTokens, nextLineTokens, tokensToFirstLine, firstLineStreamedMs: arrived === undefined ? undefined : arrived - started };
}

/** An arm: the service and a backend that records what its last request asked, got and streamed when. */
function arm(client: WorkerClient, kind: Arm, settings: () => Settings) {
    const seen: { request?: CompletionRequest; result?: CompletionResult; chunks: { length: number; at: number }[] } = { chunks: [] };
    const backend: CompletionBackend = {
        async complete(request, options) {
            // The baseline asks as ghost text did before the streaming stop: no `ghost`.
            const asked: CompletionRequest = kind === "baseline" ? { ...request, ghost: undefined } : request;
            let length = 0;
            seen.request = asked;
            seen.chunks = [];
            const result = await client.complete(asked, { ...options, onText: (chunk) => seen.chunks.push({ length: (length += chunk.length), at: performance.now() }) });
            seen.result = result;
            return result;
        },
    };
    const service = new GhostTextService({
        backend,
        settings,
        cache: new CompletionCache(),
        debounce: { recordKeystroke: () => undefined, recordLatency: () => undefined, delay: () => 0 },
        now: () => performance.now(),
        sleep: async () => true,
        controls: () => ({}),
    });
    /** What the last provide() asked of the engine, if anything, and forgets it. */
    const take = () => {
        const taken = { ...seen };
        seen.request = undefined;
        seen.result = undefined;
        return taken;
    };
    return { kind, service, take };
}

// `waste` and `first_line` read the same trace: in one bench run it is typed once.
const traces = new WeakMap<Bench, Promise<KeystrokeRecord[]>>();

/** The trace's records for this bench run, typed on first use. */
export function ghostTraces(bench: Bench): Promise<KeystrokeRecord[]> {
    let pending = traces.get(bench);
    if (!pending) traces.set(bench, (pending = runGhostTraces(bench, bench.plan.ghostTrace.places)));
    return pending;
}

/** Runs every file's trace, `lines` places per file, through both arms. */
async function runGhostTraces(bench: Bench, lines: number): Promise<KeystrokeRecord[]> {
    const vocab = await loadVocabulary();
    const records: KeystrokeRecord[] = [];
    for (const file of GHOST_FILES) {
        const table = copyTable(vocab.encode(file.text, { bos: false }));
        const client = new WorkerClient(processTransport(bench.workerScript), { log: (level, message) => (level === "error" ? bench.progress(`engine: ${message}`) : undefined) });
        try {
            await client.load({ modelPath: await modelFor(file, vocab), gpu: bench.gpu, threads: bench.threads });
            let place: Place = "lines";
            const arms = [arm(client, "stop", () => SETTINGS_BY_PLACE[place]), arm(client, "baseline", () => SETTINGS_BY_PLACE[place])];
            let key = 0;
            for (const [r, region] of regions(file.text, lines).entries()) {
                place = region.place;
                for (let typed = 1; typed <= region.typed.length; typed++, key++) {
                    const text = region.document.slice(0, region.at) + region.typed.slice(0, typed) + region.document.slice(region.at);
                    const request: GhostTextRequest = {
                        documentId: `${file.languageId}-${r}`,
                        languageId: file.languageId,
                        text,
                        sliceStart: 0,
                        cursor: region.at + typed,
                        eol: "\n",
                        documentEmpty: false,
                        selectionEmpty: true,
                        explicit: region.place === "mid_line_explicit",
                    };
                    // Alternate which arm asks first, so neither always finds the engine warmer.
                    for (const a of key % 2 === 0 ? arms : [...arms].reverse()) {
                        a.take();
                        const started = performance.now();
                        const suggestion = await a.service.provide(request, new AbortController().signal);
                        const ms = performance.now() - started;
                        const { request: asked, result, chunks } = a.take();
                        let requestRecord: RequestRecord | undefined;
                        if (asked && result) {
                            const { texts, exact } = predicted(vocab, table, asked, result);
                            const cost = account(texts, result.text, suggestion, request.eol, chunks, started);
                            requestRecord = { generatedTokens: result.stats.generatedTokens, stopReason: result.stats.stopReason, predicted: exact, ...cost };
                        }
                        const context: Context = region.place === "lines" ? "multi_line" : "single_line";
                        records.push({ arm: a.kind, languageId: file.languageId, context, place: region.place, ms, suggestion: suggestion?.insertText, ...(requestRecord ? { request: requestRecord } : {}) });
                    }
                }
            }
        } finally {
            await client.stop();
        }
        bench.progress(`ghost trace: ${file.languageId} done`);
    }
    return records;
}
