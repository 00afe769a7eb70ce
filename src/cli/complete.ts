// Headless completions: `npm run complete -- --model m.gguf --file f.ts [--offset N | --line L --col C]
// [--trace trace.json] [--max-tokens N] [--json]`. Benchmarks and outside checks drive the engine
// through this, so a trace replays through ONE engine and the KV cache persists between steps.

import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { applyEdit, parseTrace, resolveCursor, type TraceEdit } from "./cliInput";
import { exitOnError, UsageError } from "./usage";
import { LlamaEngine } from "../engine/llamaEngine";
import { RemoteBackend } from "../remote/remoteBackend";
import { loadVocabTokenizer } from "../remote/vocabTokenizer";
import { acquireLlama, errorMessage } from "../engine/llamaRuntime";
import type { Llama } from "node-llama-cpp";
import type { CompletionRequest, CompletionResult } from "../backend/types";
import type { GpuSetting } from "../gpu/gpuSetting";
import type { WindowAnchor } from "../backend/window";

const USAGE = `usage: npm run complete -- --model <file.gguf> --file <path> [--offset N | --line L --col C]
       [--trace <trace.json>] [--max-tokens N] [--gpu auto|cuda|vulkan|metal|cpu] [--threads N] [--json]
   or: npm run complete -- --endpoint <url> [--remote-model NAME] [--tokenizer <solar.gguf>] --file <path> ...
  --endpoint asks an OpenAI-compatible server (llama-server, vLLM) instead of loading a model; an API
  key comes from the SOLAR_REMOTE_API_KEY environment variable. --tokenizer counts tokens with a local
  vocabulary-only load of that GGUF, for servers without /tokenize (Ollama).
  --line and --col are 1-based; without a position the cursor is at the end of the file.
  A trace is a JSON array of {"offset": N, "insert": "text", "delete": 0} edits, applied in order,
  with a completion requested after each edit at the end of the inserted text.`;

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
            help: { type: "boolean", default: false },
        },
    });
    if (values.help) return "help";
    if (!values.model && !values.endpoint) throw new UsageError("--model (or --endpoint) is required");
    if (values.model && values.endpoint) throw new UsageError("use either --model or --endpoint, not both");
    if (!values.file) throw new UsageError("--file is required");
    const maxTokens = positiveInt(values["max-tokens"], "--max-tokens");
    const threads = values.threads === undefined ? undefined : positiveInt(values.threads, "--threads");
    const gpu = values.gpu as GpuSetting;
    if (!["auto", "cuda", "vulkan", "metal", "cpu"].includes(gpu)) throw new UsageError(`--gpu must be auto, cuda, vulkan, metal or cpu`);

    const text = await readFile(values.file, "utf8").catch((error) => {
        throw new UsageError(`cannot read --file ${values.file}: ${errorMessage(error)}`);
    });
    const edits: TraceEdit[] | undefined = values.trace ? parseTrace(await readFile(values.trace, "utf8"), values.trace) : undefined;
    const cursor = edits ? undefined : resolveCursor(text, values);
    const { model, endpoint, tokenizer, json } = values;
    return { model, endpoint, remoteModel: values["remote-model"], tokenizer, text, cursor, edits, maxTokens, gpu, threads, json };
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
    const { cursor, edits, maxTokens, json } = options;
    let { text } = options;
    let anchor: WindowAnchor | undefined;
    const steps = edits ?? [undefined];
    for (const [step, edit] of steps.entries()) {
        let at = cursor ?? text.length;
        if (edit) ({ text, cursor: at } = applyEdit(text, edit, step));
        const result = await complete({ prompt: { kind: "document", text, cursor: at, previous: anchor }, maxTokens });
        anchor = result.window?.anchor;
        print(step, result, json);
    }
}

function print(step: number, result: CompletionResult, json: boolean): void {
    if (!json) {
        process.stdout.write(`${result.text}\n`);
        return;
    }
    const s = result.stats;
    process.stdout.write(
        `${JSON.stringify({
            step,
            completion: result.text,
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
