// One loaded model with a few context sequences (KV states, sequencePool.ts), reused between requests
// so the KV cache carries over: each request takes the state sharing the most of its prompt and only
// evaluates the tokens past that prefix.
// Plain Node: runs inside the worker, in the CLI and in tests.

import * as os from "node:os";
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token, TokenPredictor } from "node-llama-cpp";
import { resolvePrompt } from "../backend/resolvePrompt";
import { inspectGguf } from "../model/ggufFile";
import { ChunkSizer, DEFAULT_CHUNK_SIZER } from "./chunkSizer";
import { GeneratedText } from "./generatedText";
import { IncrementalTokenizer, supportsLineCuts, type Tokenize } from "./incrementalTokenizer";
import { BackendError } from "../backend/backendError";
import { SOLAR_CONTEXT_SIZE } from "../backend/limits";
import type { Log } from "./llamaRuntime";
import { backendDescription, gpuLayersFor } from "./llamaRuntime";
import type { HeldMemory } from "./memoryProbe";
import type { CompletionRequest, CompletionResult, CompletionStats, ModelInfo, StopReason } from "../backend/types";
import { streamingStopFor, type StreamingStop } from "../suggestion/streamingStop";
import type { LoadOptions } from "./protocol";
import { kvCacheBytes, normalizeKvStates, openSequencePool, type SequencePool } from "./sequencePool";

/** A smaller context leaves no room for a prompt beside an answer: the model is refused at load. */
const MIN_CONTEXT_SIZE = 256;
/** Prompt tokens given to the detokenizer as context so the first piece keeps its leading space. */
const DETOKENIZE_CONTEXT = 8;
/** Prompt-lookup drafting: up to 4 tokens drafted per step, after a match of at least 2 tokens. */
const DRAFTING = { patternLength: { min: 2 }, predictionLength: { min: 1, max: 4 } } as const;
/** Drafts are looked up in this many of the prompt's last tokens. */
const DRAFT_LOOKUP_TOKENS = 1024;

export function defaultThreads(): number {
    return Math.max(1, os.availableParallelism() - 1);
}

export interface CompleteHooks {
    readonly signal?: AbortSignal;
    readonly onText?: (chunk: string) => void;
}

export class LlamaEngine {
    private readonly tokenizer: IncrementalTokenizer;

    private constructor(
        private readonly model: LlamaModel,
        private readonly context: LlamaContext,
        private readonly pool: SequencePool,
        readonly info: ModelInfo,
        private readonly chunks: ChunkSizer,
        /** What the KV states occupy: allocated in full when the context is created. */
        private readonly kvBytes: number,
    ) {
        this.tokenizer = incrementalTokenizerFor(model);
    }

    /**
     * `runtime` is only asked for once the file passed our own header check: llama.cpp's loader gives
     * cryptic errors (or worse) on bad files, and a bad path shouldn't cost a backend start-up.
     */
    static async load(
        runtime: () => Promise<Llama>,
        options: LoadOptions,
        log: Log,
        llamaReason: () => string | undefined = () => undefined,
    ): Promise<LlamaEngine> {
        const started = performance.now();
        const summary = await inspectGguf(options.modelPath, { checkCrashes: options.skipCrashCheck !== true });
        const llama = await runtime();
        const threads = options.threads ?? defaultThreads();
        // "cpu" on a GPU build (Apple silicon has no other, see cpuBinding) keeps every layer on the CPU.
        const gpuLayers = gpuLayersFor(options.gpu, llama.gpu);
        const onCpu = llama.gpu === false || gpuLayers === 0;
        let model: LlamaModel;
        try {
            // On the CPU llama.cpp repacks the weights into a second, anonymous copy; with the file
            // also mapped, both stay resident (measured: 298 against 214 MB over the medium model).
            model = await llama.loadModel({ modelPath: options.modelPath, gpuLayers, useMmap: onCpu ? false : "auto" });
        } catch (error) {
            throw new BackendError("LOAD_FAILED", `llama.cpp could not load ${options.modelPath}: ${explain(error, llamaReason())}`);
        }
        if (model.trainContextSize < MIN_CONTEXT_SIZE) {
            await model.dispose();
            throw new BackendError(
                "LOAD_FAILED",
                `${options.modelPath} was trained for a context of ${model.trainContextSize} tokens (${summary.architecture}.context_length), too few for a prompt and its answer; Solar's is ${SOLAR_CONTEXT_SIZE}. Use an unmodified Solar GGUF file.`,
            );
        }
        try {
            const contextSize = Math.min(options.maxContextSize ?? SOLAR_CONTEXT_SIZE, model.trainContextSize);
            const batchSize = batchSizeFor(onCpu ? { gpu: false } : llama);
            const speculative = options.speculative ?? "auto";
            const drafting = speculative === "on" || (speculative === "auto" && !onCpu);
            const states = normalizeKvStates(options.kvStates);
            const { context, pool } = await openSequencePool(model, { contextSize, threads, batchSize, states, predictor: drafting ? draftPredictor : undefined }, log);
            const info: ModelInfo = {
                modelPath: options.modelPath,
                architecture: summary.architecture,
                fileType: summary.fileType,
                fileSize: summary.fileSize,
                contextSize: context.contextSize,
                trainedContextSize: model.trainContextSize,
                backend: await describeBackend(llama, model, threads),
                gpu: llama.gpu,
                threads,
                loadMs: Math.round(performance.now() - started),
                kvStates: pool.size,
            };
            const kvText = pool.size === 1 ? "" : `, ${pool.size} KV states${pool.size < states ? ` of the ${states} asked for` : ""}`;
            log("info", `Loaded ${options.modelPath} (${info.fileType ?? "?"}, context ${info.contextSize}${kvText}) on ${info.backend} in ${info.loadMs} ms${drafting ? ", drafting from the prompt" : ""}`);
            const kvBytes = kvCacheBytes(summary, context.contextSize * pool.size);
            return new LlamaEngine(model, context, pool, info, new ChunkSizer({ ...DEFAULT_CHUNK_SIZER, max: batchSize }), kvBytes);
        } catch (error) {
            await model.dispose();
            throw new BackendError("LOAD_FAILED", `Could not create a context for ${options.modelPath}: ${explain(error, llamaReason())}`);
        }
    }

    /** Exactly the tokens evaluated for a prompt: BOS (when the model wants it) + the text. */
    tokenizePrompt(text: string): Token[] {
        // The window's final count tokenizes exactly the prompt that is then evaluated, and the next
        // keystroke's prompt differs from it only in its last line: the incremental tokenizer makes
        // the first a cache hit and the second a tokenization of that line alone.
        const tokens = this.tokenizer.tokens(text) as Token[];
        const bos = this.model.tokens.bos;
        return bos != null && this.model.tokens.shouldPrependBosToken ? [bos, ...tokens] : tokens;
    }

    countTokens(text: string): number {
        return this.tokenizePrompt(text).length;
    }

    async complete(request: CompletionRequest, hooks: CompleteHooks = {}): Promise<CompletionResult> {
        const started = performance.now();
        const deadline = request.timeLimitMs === undefined ? Infinity : started + request.timeLimitMs;
        const interrupted = (): StopReason | undefined =>
            hooks.signal?.aborted ? "abort" : performance.now() > deadline ? "timeLimit" : undefined;
        // The window's last count tokenized exactly this prompt: tokenizePrompt is then a cache hit.
        const { text: promptText, window, context, maxTokens } = await resolvePrompt(request, this.info.contextSize, (text) => this.countTokens(text));
        const tokens = this.tokenizePrompt(promptText);
        if (tokens.length === 0) throw new BackendError("EMPTY_PROMPT", "The prompt is empty.");

        const { sequence, kvState } = this.pool.take(tokens);
        const reusedTokens = await reuseCachedPrefix(sequence, tokens);
        const prompt = await this.evaluateInChunks(sequence, tokens.slice(reusedTokens, -1), interrupted);
        const promptDone = performance.now();
        const generated = new GeneratedText(
            (t, last) => this.model.detokenize(t as Token[], false, last as Token[]),
            tokens.slice(-DETOKENIZE_CONTEXT),
            request.stop,
        );
        const run: Generation = { sequence, request, maxTokens, generated, hooks, interrupted, suggestion: streamingStopFor(request) };
        const generation =
            prompt.stoppedBy === undefined
                ? await this.generate(tokens, run)
                : { stopReason: prompt.stoppedBy, firstTokenAt: undefined };
        const rest = generated.finish();
        if (rest) hooks.onText?.(rest);
        const promptEnd = generation.firstTokenAt ?? promptDone;
        return {
            text: generated.text,
            window,
            ...(context ? { context } : {}),
            stats: {
                promptTokens: tokens.length,
                reusedTokens,
                // The generation step evaluates the last prompt token, so it counts only when that ran.
                evaluatedTokens: prompt.evaluated + (generation.firstTokenAt === undefined ? 0 : 1),
                promptMs: round(promptEnd - started),
                genMs: round(performance.now() - promptEnd),
                generatedTokens: generated.tokenCount,
                stopReason: generation.stopReason,
                maxChunkMs: round(prompt.maxChunkMs),
                ...(generation.draft ? { draft: generation.draft } : {}),
                kvState,
            },
        };
    }

    /** What this model and its context occupy, for the memory probe: a replacement may use it. */
    heldMemory(): HeldMemory {
        return { bytes: this.model.size + this.kvBytes, onGpu: this.info.gpu !== false && this.model.gpuLayers > 0 };
    }

    /** The sequence the latest request used (tests read how far it has evaluated). */
    get sequence(): LlamaContextSequence {
        return this.pool.latest;
    }

    async dispose(): Promise<void> {
        await this.context.dispose();
        await this.model.dispose();
    }

    /** Generates from the last prompt token until a stop condition; streams through `generated`. */
    private async generate(promptTokens: readonly Token[], run: Generation): Promise<{ stopReason: StopReason; firstTokenAt: number | undefined; draft?: CompletionStats["draft"] }> {
        const { sequence } = run;
        const predictor = sequence.tokenPredictor;
        if (!predictor) return this.generateTokens(promptTokens, run);
        // Drafts come from the text near the cursor: a longer lookup costs more per step than it finds.
        predictor.updateInputTokens?.(promptTokens.slice(-DRAFT_LOOKUP_TOKENS) as Token[]);
        const before = sequence.tokenPredictions;
        const result = await this.generateTokens(promptTokens, run);
        const after = sequence.tokenPredictions;
        return { ...result, draft: { accepted: after.validated - before.validated, refuted: after.refuted - before.refuted } };
    }

    private async generateTokens(promptTokens: readonly Token[], run: Generation): Promise<{ stopReason: StopReason; firstTokenAt: number | undefined }> {
        const { sequence, request, maxTokens, generated, hooks, interrupted, suggestion } = run;
        let firstTokenAt: number | undefined;
        const iterator = sequence.evaluate([promptTokens[promptTokens.length - 1]], { temperature: request.temperature ?? 0, seed: request.seed });
        // Leaving the loop ends the generator: the token just sampled is the last one, none is evaluated after it.
        for await (const token of iterator) {
            firstTokenAt ??= performance.now();
            if (this.model.isEogToken(token)) return { stopReason: "eos", firstTokenAt };
            const { chunk, stopped } = generated.push(token);
            if (chunk) hooks.onText?.(chunk);
            if (stopped) return { stopReason: "stopString", firstTokenAt };
            // Only released text: what is held back may still turn out to start a stop string.
            if (chunk && suggestion?.push(chunk)) return { stopReason: "suggestionFinal", firstTokenAt };
            const stopReason =
                generated.tokenCount >= maxTokens
                    ? "maxTokens"
                    : (interrupted() ?? (sequence.nextTokenIndex >= this.info.contextSize - 1 ? "contextFull" : undefined));
            if (stopReason) return { stopReason, firstTokenAt };
        }
        return { stopReason: "eos", firstTokenAt };
    }

    /** Evaluates prompt tokens a chunk at a time, checking between chunks whether to stop early. */
    private async evaluateInChunks(
        sequence: LlamaContextSequence,
        tokens: Token[],
        shouldStop: () => StopReason | undefined,
    ): Promise<{ evaluated: number; stoppedBy: StopReason | undefined; maxChunkMs: number }> {
        let evaluated = 0;
        let maxChunkMs = 0;
        while (evaluated < tokens.length) {
            const stoppedBy = shouldStop();
            if (stoppedBy !== undefined) return { evaluated, stoppedBy, maxChunkMs };
            const chunk = tokens.slice(evaluated, evaluated + this.chunks.next());
            const t0 = performance.now();
            await sequence.evaluateWithoutGeneratingNewTokens(chunk);
            const ms = performance.now() - t0;
            this.chunks.record(chunk.length, ms);
            maxChunkMs = Math.max(maxChunkMs, ms);
            evaluated += chunk.length;
        }
        return { evaluated, stoppedBy: shouldStop(), maxChunkMs };
    }
}

/** One generation's sequence, request, limits and streams. */
interface Generation {
    readonly sequence: LlamaContextSequence;
    readonly request: CompletionRequest;
    readonly maxTokens: number;
    readonly generated: GeneratedText;
    readonly hooks: CompleteHooks;
    readonly interrupted: () => StopReason | undefined;
    /** Ghost text: says when the suggestion is final. */
    readonly suggestion: StreamingStop | undefined;
}

/**
 * Keeps the longest prefix of `tokens` cached in `sequence` and returns its length. The last prompt
 * token is always evaluated again: its logits (the next-token distribution) are not kept in the cache.
 */
async function reuseCachedPrefix(sequence: LlamaContextSequence, tokens: Token[]): Promise<number> {
    await sequence.adaptStateToTokens(tokens, false);
    const reused = Math.min(sequence.nextTokenIndex, tokens.length - 1);
    if (sequence.nextTokenIndex > reused) {
        await sequence.eraseContextTokenRanges([{ start: reused, end: sequence.nextTokenIndex }]);
    }
    return reused;
}

/**
 * The most tokens one prompt chunk may hold. llama.cpp's compute buffer grows with it (66 MB at 512
 * on the medium test model). A GPU evaluates big chunks well within the chunk time target; on a CPU
 * a chunk that meets the target is far smaller than 128, so a bigger buffer would only cost memory.
 */
export function batchSizeFor(llama: Pick<Llama, "gpu">): number {
    return llama.gpu === false ? 128 : 512;
}

/** node-llama-cpp is ESM-only and this bundle CommonJS: its classes come through import(). */
async function draftPredictor(): Promise<TokenPredictor> {
    const { InputLookupTokenPredictor } = await import("node-llama-cpp");
    return new InputLookupTokenPredictor(DRAFTING);
}

/** Line-incremental when the vocabulary allows it; otherwise every prompt is tokenized whole. */
function incrementalTokenizerFor(model: LlamaModel): IncrementalTokenizer {
    const tokenize: Tokenize = (text) => model.tokenize(text);
    const newline = model.tokens.nl;
    return new IncrementalTokenizer(tokenize, supportsLineCuts(tokenize, newline) ? newline : undefined);
}

async function describeBackend(llama: Llama, model: LlamaModel, threads: number): Promise<string> {
    const deviceNames = llama.gpu === false ? [] : await llama.getGpuDeviceNames().catch(() => [] as string[]);
    return backendDescription({ binding: llama.gpu, deviceNames, gpuLayers: model.gpuLayers, threads });
}

/** node-llama-cpp's message, with llama.cpp's own reason when node-llama-cpp only says that it failed. */
function explain(error: unknown, reason: string | undefined): string {
    const message = error instanceof Error ? error.message : String(error);
    if (!reason || message.includes(reason)) return message;
    return /^Failed to (load|create)/i.test(message) ? `${reason} (${message.toLowerCase()})` : `${message}: ${reason}`;
}

function round(ms: number): number {
    return Math.round(ms * 10) / 10;
}
