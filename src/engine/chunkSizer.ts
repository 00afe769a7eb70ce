// Prompt evaluation in llama.cpp can't be interrupted, so prompts are fed in chunks and the abort
// signal is checked between them: a cancel settles within one chunk. Small chunks cancel fast but
// waste throughput (measured on 2 CPU cores: 256-token chunks 370 ms abort latency, 16-token chunks
// 48 ms). The right size depends on the machine (a GPU evaluates thousands of tokens/s, Solar on
// two CPU cores about ten), so the size is chosen from the measured speed to make each chunk take
// about `targetMs`.

export interface ChunkSizerOptions {
    readonly targetMs: number;
    readonly min: number;
    readonly max: number;
    readonly initial: number;
}

// 25 ms: the benchmark measured cancel p95 at 218 ms with 40 ms chunks on a busy 2-core machine
// (later positions of a long prompt and other processes stretch chunks well past their target).
export const DEFAULT_CHUNK_SIZER: ChunkSizerOptions = { targetMs: 25, min: 8, max: 512, initial: 32 };

export class ChunkSizer {
    private tokensPerMs: number | undefined;

    constructor(private readonly options: ChunkSizerOptions = DEFAULT_CHUNK_SIZER) {}

    next(): number {
        const { targetMs, min, max, initial } = this.options;
        if (this.tokensPerMs === undefined) return initial;
        return Math.max(min, Math.min(max, Math.floor(this.tokensPerMs * targetMs)));
    }

    /** Feeds back one chunk's measurement; tiny chunks are too noisy to learn from. */
    record(tokens: number, ms: number): void {
        if (tokens < 4 || ms <= 0) return;
        const speed = tokens / ms;
        // Smoothed so one slow chunk (another process took the core) doesn't swing the size.
        this.tokensPerMs = this.tokensPerMs === undefined ? speed : 0.7 * this.tokensPerMs + 0.3 * speed;
    }
}
