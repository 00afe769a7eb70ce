// Headless completions: `npm run complete -- --model m.gguf --file f.ts [--offset N | --line L --col C]
// [--trace trace.json] [--max-tokens N] [--ghost] [--json]`. Benchmarks and outside checks drive the
// engine through this, so a trace replays through ONE engine and the KV cache persists between steps.
//
// Every --json row carries `suggestion`: the ghost text the extension shows at that cursor, from the
// same post-processing of the same slice of the document. `--ghost` also asks the way the extension
// asks: that slice as the prompt (its window anchored across the steps as the extension anchors it)
// and the streaming stop, so generation ends once the suggestion is final and `generatedTokens` is
// what the extension pays. Without it the generation runs to --max-tokens (or EOS): the raw-engine
// contract benchmarks compare backends with, where both sides must generate the same tokens. The
// suggestion is the same either way (test/unit/streamingStop.test.ts proves the stop never changes
// it), so the two modes side by side measure what the early stop saves.

import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { applyEdit, eolOf, languageIdFor, parseTrace, resolveCursor, type TraceEdit } from "./cliInput";
import { exitOnError, UsageError } from "./usage";
import { LlamaEngine } from "../engine/llamaEngine";
import { RemoteBackend } from "../remote/remoteBackend";
import { loadVocabTokenizer } from "../remote/vocabTokenizer";
import { acquireLlama, errorMessage } from "../engine/llamaRuntime";
import type { Llama } from "node-llama-cpp";
import type { CompletionRequest, CompletionResult, GhostTextStop } from "../backend/types";
import { PREFIX_SLICE_CHARS, SUFFIX_SLICE_CHARS } from "../backend/limits";
import type { GpuSetting } from "../gpu/gpuSetting";
import type { WindowAnchor } from "../backend/window";
import { finishedText, postprocess, type Suggestion } from "../suggestion/postprocess";

const USAGE = `usage: npm run complete -- --model <file.gguf> --file <path> [--offset N | --line L --col C]
       [--trace <trace.json>] [--max-tokens N] [--max-lines N] [--language ID] [--time-limit-ms N]
       [--ghost] [--gpu auto|cuda|vulkan|metal|cpu] [--threads N] [--json]
   or: npm run complete -- --endpoint <url> [--remote-model NAME] [--tokenizer <solar.gguf>] --file <path> ...
  --endpoint asks an OpenAI-compatible server (llama-server, vLLM) instead of loading a model; an API
  key comes from the SOLAR_REMOTE_API_KEY environment variable. --tokenizer counts tokens with a local
  vocabulary-only load of that GGUF, for servers without /tokenize (Ollama).
  --line and --col are 1-based; without a position the cursor is at the end of the file.
  A trace is a JSON array of {"offset": N, "insert": "text", "delete": 0} edits, applied in order,
  with a completion requested after each edit at the end of the inserted text.
  --ghost asks as ghost text does: the document slice around the cursor, and generation stops once
  the suggestion can no longer change. Without it, generation runs to --max-tokens or EOS.
  --json rows carry "suggestion" either way: the ghost text shown there (null: none), post-processed
  with --max-lines (default 8, the setting's; 1 = solarComplete.multiline "never") and --language
  (default: from the file's extension, as VS Code names it).`;

interface CliOptions {
    readonly model?: string;
    readonly endpoint?: string;
    readonly remoteModel?: string;
    readonly tokenizer?: string;
    readonly text: string;
    /** Undefined with a trace: each step's cursor is the end of its edit. */
    readonly cursor?: number;
    readonly edits?: TraceEdit[];
    readonly maxTokens: number;
    readonly gpu: GpuSetting;
    readonly threads?: number;
    readonly json: boolean;
    readonly ghost: boolean;
    /** How post-processing (and, with --ghost, the streaming stop) judges the text. */
    readonly shape: GhostTextStop;
    readonly timeLimitMs?: number;
}

/** Only warnings and errors, on stderr: stdout carries the completions. */
const log = (level: string, message: string) => {
    if (level === "warn" || level === "error") process.stderr.write(`${level}: ${message}\n`);
};

async function main(argv: string[]): Promise<void> {
    const options = await parseOptions(argv);
    if (options === "help") {
        console.log(USAGE);
        return;
    }
    if (options.endpoint) await runRemote(options, options.endpoint);
    else await runLocal(options);
}

/** The arguments checked, and the document and trace read; "help" for --help. */
async function parseOptions(argv: string[]): Promise<CliOptions | "help"> {
    const { values } = parseArgs({
        args: argv,
        strict: true,
        options: {
            model: { type: "string" },
            endpoint: { type: "string" },
            "remote-model": { type: "string" },
            tokenizer: { type: "string" },
            file: { type: "string" },
            offset: { type: "string" },
            line: { type: "string" },
            col: { type: "string" },
            trace: { type: "string" },
            "max-tokens": { type: "string", default: "64" },
            gpu: { type: "string", default: "auto" },
            threads: { type: "string" },
            json: { type: "boolean", default: false },
            ghost: { type: "boolean", default: false },
            "max-lines": { type: "string", default: "8" },
            language: { type: "string" },
            "time-limit-ms": { type: "string" },
            help: { type: "boolean", default: false },
        },
    });
    if (values.help) return "help";
    if (!values.model && !values.endpoint) throw new UsageError("--model (or --endpoint) is required");
    if (values.model && values.endpoint) throw new UsageError("use either --model or --endpoint, not both");
    if (!values.file) throw new UsageError("--file is required");
    const maxTokens = positiveInt(values["max-tokens"], "--max-tokens");
    const threads = values.threads === undefined ? undefined : positiveInt(values.threads, "--threads");
    const maxLines = positiveInt(values["max-lines"], "--max-lines");
    const timeLimitMs = values["time-limit-ms"] === undefined ? undefined : positiveInt(values["time-limit-ms"], "--time-limit-ms");
    const gpu = values.gpu as GpuSetting;
    if (!["auto", "cuda", "vulkan", "metal", "cpu"].includes(gpu)) throw new UsageError(`--gpu must be auto, cuda, vulkan, metal or cpu`);

    const text = await readFile(values.file, "utf8").catch((error) => {
        throw new UsageError(`cannot read --file ${values.file}: ${errorMessage(error)}`);
    });
    const edits: TraceEdit[] | undefined = values.trace ? parseTrace(await readFile(values.trace, "utf8"), values.trace) : undefined;
    const cursor = edits ? undefined : resolveCursor(text, values);
    const { model, endpoint, tokenizer, json, ghost } = values;
    const shape: GhostTextStop = { languageId: values.language ?? languageIdFor(values.file), eol: eolOf(text), maxLines };
    return { model, endpoint, remoteModel: values["remote-model"], tokenizer, text, cursor, edits, maxTokens, gpu, threads, json, ghost, shape, timeLimitMs };
}

/** Through a server; --tokenizer counts locally for a server without /tokenize. */
async function runRemote(options: CliOptions, endpoint: string): Promise<void> {
    const llama = options.tokenizer ? (await acquireLlama("cpu", log)).llama : undefined;
    const vocab = llama && options.tokenizer ? await loadVocabTokenizer(llama, options.tokenizer) : undefined;
    const remote = new RemoteBackend({
        endpoint,
        model: options.remoteModel,
        apiKey: () => process.env.SOLAR_REMOTE_API_KEY,
        localTokenizer: vocab && ((t) => vocab.countTokens(t)),
    });
    try {
        await replay(options, (request) => remote.complete(request));
    } finally {
        await remote.stop();
        await vocab?.dispose();
        await llama?.dispose();
    }
}

/** Through one engine loaded here. */
async function runLocal(options: CliOptions): Promise<void> {
    if (options.tokenizer) throw new UsageError("--tokenizer goes with --endpoint");
    const modelPath = options.model as string;
    const { gpu, threads } = options;
    let llama: Llama | undefined;
    const runtime = async () => (llama = (await acquireLlama(gpu, log)).llama);
    const engine = await LlamaEngine.load(runtime, { modelPath, gpu, threads }, log).catch(async (error) => {
        await llama?.dispose();
        throw error;
    });
    try {
        await replay(options, (request) => engine.complete(request));
    } finally {
        await engine.dispose();
        await llama?.dispose();
    }
}

/** One completion, or one per trace step, through one backend (the KV cache persists between steps). */
async function replay(options: CliOptions, complete: (request: CompletionRequest) => Promise<CompletionResult>): Promise<void> {
    const { cursor, edits, json } = options;
    let { text } = options;
    /** Where the last window started, as a document offset. */
    let anchor: WindowAnchor | undefined;
    const steps = edits ?? [undefined];
    for (const [step, edit] of steps.entries()) {
        let at = cursor ?? text.length;
        if (edit) ({ text, cursor: at } = applyEdit(text, edit, step));
        // What the extension's provider sends: a slice around the cursor, never the whole file.
        const sliceStart = Math.max(0, at - PREFIX_SLICE_CHARS);
        const slice = text.slice(sliceStart, at + SUFFIX_SLICE_CHARS);
        const sent = options.ghost ? { text: slice, cursor: at - sliceStart, offset: sliceStart } : { text, cursor: at, offset: 0 };
        const previous = anchor && anchor.start >= sent.offset ? { ...anchor, start: anchor.start - sent.offset } : undefined;
        const result = await complete({
            prompt: { kind: "document", text: sent.text, cursor: sent.cursor, previous },
            maxTokens: options.maxTokens,
            ...(options.timeLimitMs === undefined ? {} : { timeLimitMs: options.timeLimitMs }),
            ...(options.ghost ? { ghost: options.shape } : {}),
        });
        anchor = result.window && { ...result.window.anchor, start: result.window.anchor.start + sent.offset };
        // As ghost text shapes it: a limit's unfinished last line dropped, then post-processing.
        const suggestion = postprocess({
            prefix: slice.slice(0, at - sliceStart),
            suffix: slice.slice(at - sliceStart),
            completion: finishedText(result.text, result.stats.stopReason),
            ...options.shape,
        });
        print(step, result, suggestion, json, options.ghost);
    }
}

function print(step: number, result: CompletionResult, suggestion: Suggestion | undefined, json: boolean, ghost: boolean): void {
    if (!json) {
        process.stdout.write(`${ghost ? (suggestion?.insertText ?? "") : result.text}\n`);
        return;
    }
    const s = result.stats;
    process.stdout.write(
        `${JSON.stringify({
            step,
            completion: result.text,
            suggestion: suggestion?.insertText ?? null,
            replaceSuffixChars: suggestion?.replaceSuffixChars ?? 0,
            promptTokens: s.promptTokens,
            reusedTokens: s.reusedTokens,
            evaluatedTokens: s.evaluatedTokens,
            promptMs: s.promptMs,
            genMs: s.genMs,
            generatedTokens: s.generatedTokens,
            stopReason: s.stopReason,
        })}\n`,
    );
}

function positiveInt(value: string, name: string): number {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a positive integer, got "${value}"`);
    return n;
}

main(process.argv.slice(2)).catch(exitOnError(USAGE));
