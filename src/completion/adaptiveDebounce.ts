// How long to wait after a keystroke before asking the model. A fixed delay is wrong for someone:
// too short and a fast typist fires a request per keystroke, each aborting the last, which on a CPU
// pins every core (llama.vscode#161); too long and a pause shows ghost text late.
//
// The rule, in two terms, clamped to the user's [minMs, maxMs]:
//
//   delay = k × min(T, L) + c × max(0, L − T)
//
// T is the user's typing gap (median of recent gaps between keystrokes), L the model's latency
// (median of recent completed requests).
// - k × T: wait until the gap is clearly longer than this user's usual one: a pause, not typing.
// - but min(T, L): a model that answers faster than the user types finishes before the next
//   keystroke, so nothing is saved by waiting; a cached prefix answering in 30 ms gets ~45 ms.
// - c × (L − T): when the model is slower than the typing, every request fired too early wastes
//   about L of compute (and delays the next), so a slow model waits a little longer still.
// Medians, not means: one hesitation or one cold prompt must not swing the delay.
//
// No timers here: the caller passes `now` and sleeps; tests use plain numbers.

export interface DebounceLimits {
    readonly minMs: number;
    readonly maxMs: number;
}

export interface DebounceTuning {
    /** Wait this many typing gaps: 1.5 lets a gap half again as long as usual still count as typing. */
    readonly gapFactor: number;
    /** Share of the latency in excess of the typing gap added to the wait. */
    readonly latencyFactor: number;
    /** Gaps longer than this are pauses (reading, thinking), not typing speed. */
    readonly pauseMs: number;
    /** The typing gap assumed before any is measured (about 60 words a minute). */
    readonly initialGapMs: number;
    /** How many recent gaps and latencies the medians look at. */
    readonly gapSamples: number;
    readonly latencySamples: number;
}

export const DEFAULT_TUNING: DebounceTuning = {
    gapFactor: 1.5,
    latencyFactor: 0.1,
    pauseMs: 1000,
    initialGapMs: 200,
    gapSamples: 9,
    latencySamples: 5,
};

export class AdaptiveDebounce {
    private readonly tuning: DebounceTuning;
    private readonly gaps: number[] = [];
    private readonly latencies: number[] = [];
    private lastKeystroke: number | undefined;

    /** `limits` is read on every call, so a settings change applies to the next keystroke. */
    constructor(
        private readonly limits: () => DebounceLimits,
        tuning: Partial<DebounceTuning> = {},
    ) {
        this.tuning = { ...DEFAULT_TUNING, ...tuning };
    }

    recordKeystroke(now: number): void {
        const gap = this.lastKeystroke === undefined ? undefined : now - this.lastKeystroke;
        this.lastKeystroke = now;
        // A gap of 0 is two calls for one edit (multi-cursor, a re-trigger), not typing; a negative
        // one is a clock step. A pause says nothing about typing speed.
        if (gap !== undefined && gap > 0 && gap <= this.tuning.pauseMs) push(this.gaps, gap, this.tuning.gapSamples);
    }

    /** Latency of a request that completed (not aborted ones: they say how long the user waited, not the model). */
    recordLatency(ms: number): void {
        if (Number.isFinite(ms) && ms >= 0) push(this.latencies, ms, this.tuning.latencySamples);
    }

    /** The typing gap in use: measured, or the initial guess. */
    typingGapMs(): number {
        return median(this.gaps) ?? this.tuning.initialGapMs;
    }

    /** Model latency in use; undefined until a request completed. */
    latencyMs(): number | undefined {
        return median(this.latencies);
    }

    /** The wait measured from the last keystroke, before subtracting the time already elapsed. */
    targetMs(): number {
        const { gapFactor, latencyFactor } = this.tuning;
        const gap = this.typingGapMs();
        // Unknown latency: assume the model is slow enough that waiting for a pause pays off, and
        // add nothing for it until measured.
        const latency = this.latencyMs() ?? gap;
        const wait = gapFactor * Math.min(gap, latency) + latencyFactor * Math.max(0, latency - gap);
        const { minMs, maxMs } = this.limits();
        // min wins over max if the two ever cross: the user asked for at least that much.
        return Math.max(minMs, Math.min(maxMs, wait));
    }

    /** How long to sleep from `now` before sending: the target less what already passed since the last keystroke. */
    delay(now: number): number {
        // A clock that stepped back counts as no time elapsed, never as extra wait.
        const elapsed = this.lastKeystroke === undefined ? 0 : Math.max(0, now - this.lastKeystroke);
        return Math.max(0, Math.round(this.targetMs() - elapsed));
    }
}

function push(samples: number[], value: number, limit: number): void {
    samples.push(value);
    if (samples.length > limit) samples.splice(0, samples.length - limit);
}

function median(samples: readonly number[]): number | undefined {
    if (samples.length === 0) return undefined;
    const sorted = [...samples].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
