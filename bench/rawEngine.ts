// node-llama-cpp used directly, in this process, with none of our engine around it: the baselines.
// - fresh: the sequence is cleared before each request (no prefix reuse at all);
// - reuse: the longest cached prefix is kept (adaptStateToTokens), like our engine does.
// Same context size and threads as LlamaEngine, greedy sampling, EOS stops; node-llama-cpp's default
// batch size (512): the baseline as a user of node-llama-cpp would run it.

import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";

const NODE_LLAMA_CPP_DEFAULT_BATCH = 512;

export interface RawRun {
    readonly promptTokens: number;
    readonly reusedTokens: number;
    readonly evaluatedTokens: number;
    readonly generated: Token[];
    /** From the call to the first generated token. */
    readonly promptMs: number;
    /** From the first generated token to the last. */
    readonly genMs: number;
}

export interface RawOptions {
    readonly maxTokens: number;
    readonly reuse: boolean;
}

export class RawEngine {
    private constructor(
        readonly model: LlamaModel,
        private readonly context: LlamaContext,
        private readonly sequence: LlamaContextSequence,
    ) {}

    static async load(llama: Llama, modelPath: string, threads: number, contextSize = 4096): Promise<RawEngine> {
        const model = await llama.loadModel({ modelPath });
        const context = await model.createContext({
            contextSize: Math.min(contextSize, model.trainContextSize),
            sequences: 1,
            threads,
            batchSize: NODE_LLAMA_CPP_DEFAULT_BATCH,
        });
        return new RawEngine(model, context, context.getSequence());
    }

    get contextSize(): number {
        return this.context.contextSize;
    }

    /** BOS (when the model wants it) + the text: the same tokens LlamaEngine evaluates. */
    tokenize(text: string): Token[] {
        const tokens = this.model.tokenize(text);
        const bos = this.model.tokens.bos;
        return bos != null && this.model.tokens.shouldPrependBosToken ? [bos, ...tokens] : tokens;
    }

    /** `before`: the prompt's last tokens, so the first piece keeps its leading space (as LlamaEngine does). */
    detokenize(tokens: readonly Token[], before: readonly Token[] = []): string {
        return this.model.detokenize(tokens, false, before);
    }

    async run(tokens: Token[], options: RawOptions): Promise<RawRun> {
        const started = performance.now();
        let reused = 0;
        if (options.reuse) {
            await this.sequence.adaptStateToTokens(tokens, false);
            // The last prompt token always runs again: its logits are what the first new token needs.
            reused = Math.min(this.sequence.nextTokenIndex, tokens.length - 1);
            if (this.sequence.nextTokenIndex > reused) {
                await this.sequence.eraseContextTokenRanges([{ start: reused, end: this.sequence.nextTokenIndex }]);
            }
        } else {
            await this.sequence.clearHistory();
        }
        const generated: Token[] = [];
        let firstAt: number | undefined;
        for await (const token of this.sequence.evaluate(tokens.slice(reused), { temperature: 0 })) {
            firstAt ??= performance.now();
            if (this.model.isEogToken(token)) break;
            generated.push(token);
            if (generated.length >= options.maxTokens) break;
        }
        const done = performance.now();
        return {
            promptTokens: tokens.length,
            reusedTokens: reused,
            evaluatedTokens: tokens.length - reused,
            generated,
            promptMs: (firstAt ?? done) - started,
            genMs: done - (firstAt ?? done),
        };
    }

    /** Evaluates a prompt from an empty sequence in fixed-size chunks; returns each chunk's ms. */
    async chunkTimes(tokens: Token[], size: number): Promise<number[]> {
        await this.sequence.clearHistory();
        const times: number[] = [];
        for (let i = 0; i < tokens.length; i += size) {
            const started = performance.now();
            await this.sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(i, i + size));
            times.push(performance.now() - started);
        }
        return times;
    }

    async dispose(): Promise<void> {
        await this.context.dispose();
        await this.model.dispose();
    }
}
