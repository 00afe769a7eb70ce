// Headless completions: `npm run complete -- --model m.gguf --file f.ts [--offset N | --line L --col C]
// [--trace trace.json] [--max-tokens N] [--json]`. Benchmarks and outside checks drive the engine
// through this, so a trace replays through ONE engine and the KV cache persists between steps.

import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { applyEdit, parseTrace, resolveCursor, UsageError, type TraceEdit } from "./cliInput";
import { LlamaEngine } from "../engine/llamaEngine";
import { RemoteBackend } from "../remote/remoteBackend";
import { loadVocabTokenizer } from "../remote/vocabTokenizer";
import { acquireLlama, errorMessage } from "../engine/llamaRuntime";
import type { Llama } from "node-llama-cpp";
import type { CompletionRequest, CompletionResult, GpuSetting } from "../engine/protocol";
import type { WindowAnchor } from "../completion/promptWindow";

const USAGE = `usage: npm run complete -- --model <file.gguf> --file <path> [--offset N | --line L --col C]
       [--trace <trace.json>] [--max-tokens N] [--gpu auto|cuda|vulkan|metal|cpu] [--threads N] [--json]
   or: npm run complete -- --endpoint <url> [--remote-model NAME] [--tokenizer <solar.gguf>] --file <path> ...
  --endpoint asks an OpenAI-compatible server (llama-server, vLLM) instead of loading a model; an API
  key comes from the SOLAR_REMOTE_API_KEY environment variable. --tokenizer counts tokens with a local
  vocabulary-only load of that GGUF, for servers without /tokenize (Ollama).
  --line and --col are 1-based; without a position the cursor is at the end of the file.
  A trace is a JSON array of {"offset": N, "insert": "text", "delete": 0} edits, applied in order,
  with a completion requested after each edit at the end of the inserted text.`;

async function main(argv: string[]): Promise<void> {
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
    if (values.help) {
        console.log(USAGE);
        return;
    }
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

    const log = (level: string, message: string) => {
        if (level === "warn" || level === "error") process.stderr.write(`${level}: ${message}\n`);
    };
    if (values.endpoint) {
        const llama = values.tokenizer ? (await acquireLlama("cpu", log)).llama : undefined;
        const vocab = llama && values.tokenizer ? await loadVocabTokenizer(llama, values.tokenizer) : undefined;
        const remote = new RemoteBackend({
            endpoint: values.endpoint,
            model: values["remote-model"],
            apiKey: () => process.env.SOLAR_REMOTE_API_KEY,
            localTokenizer: vocab && ((t) => vocab.countTokens(t)),
        });
        try {
            await replay(text, cursor, edits, maxTokens, values.json, (request) => remote.complete(request));
        } finally {
            await remote.stop();
            await vocab?.dispose();
            await llama?.dispose();
        }
        return;
    }
    if (values.tokenizer) throw new UsageError("--tokenizer goes with --endpoint");
    const modelPath = values.model as string;
    let llama: Llama | undefined;
    const runtime = async () => (llama = (await acquireLlama(gpu, log)).llama);
    const engine = await LlamaEngine.load(runtime, { modelPath, gpu, threads }, log).catch(async (error) => {
        await llama?.dispose();
        throw error;
    });
    try {
        await replay(text, cursor, edits, maxTokens, values.json, (request) => engine.complete(request));
    } finally {
        await engine.dispose();
        await llama?.dispose();
    }
}

/** One completion, or one per trace step, through one backend (the KV cache persists between steps). */
async function replay(
    text: string,
    cursor: number | undefined,
    edits: TraceEdit[] | undefined,
    maxTokens: number,
    json: boolean,
    complete: (request: CompletionRequest) => Promise<CompletionResult>,
): Promise<void> {
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

main(process.argv.slice(2)).catch((error: unknown) => {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    process.stderr.write(`error: ${errorMessage(error)}\n${usage ? `${USAGE}\n` : ""}`);
    process.exitCode = usage ? 2 : 1;
});
