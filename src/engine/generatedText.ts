// Turns generated tokens into exactly the text the model produced, streamed safely.
//
// Why not detokenize each token on its own: a SentencePiece piece like `▁word` loses its leading
// space when decoded alone, and a multi-byte character split across byte tokens decodes to U+FFFD
// until its last byte arrives. So the whole generation is decoded with the prompt's last tokens as
// context, and only the stable part is released. Text that might be the start of a stop string is
// held back too, so a stop string never leaks into the stream.

export type Detokenize = (tokens: readonly number[], lastTokens: readonly number[]) => string;

const REPLACEMENT_CHAR = "\uFFFD";

export interface PushResult {
    /** Text that became final with this token (may be empty). */
    readonly chunk: string;
    /** A stop string was reached: the text ends before it, and generation should stop. */
    readonly stopped: boolean;
}

export class GeneratedText {
    private readonly tokens: number[] = [];
    private emitted = 0;
    private finalText: string | undefined;
    private readonly longestStop: number;

    constructor(
        private readonly detokenize: Detokenize,
        private readonly promptTail: readonly number[],
        private readonly stops: readonly string[] = [],
    ) {
        this.stops = stops.filter((s) => s.length > 0);
        this.longestStop = Math.max(0, ...this.stops.map((s) => s.length));
    }

    get tokenCount(): number {
        return this.tokens.length;
    }

    /** The text released so far (after finish(): the whole text). */
    get text(): string {
        return this.finalText ?? this.decoded().slice(0, this.emitted);
    }

    push(token: number): PushResult {
        if (this.finalText !== undefined) throw new Error("push() after the text was finished");
        this.tokens.push(token);
        const decoded = this.decoded();
        const stable = stripTrailing(decoded, REPLACEMENT_CHAR);

        const stopAt = this.findStop(stable);
        if (stopAt >= 0) {
            this.finalText = stable.slice(0, stopAt);
            return { chunk: this.release(this.finalText), stopped: true };
        }
        const releasable = stable.slice(0, stable.length - this.pendingStopPrefix(stable));
        return { chunk: this.release(releasable), stopped: false };
    }

    /** Ends the stream: releases what was held back (a partial stop string is just text then). */
    finish(): string {
        if (this.finalText !== undefined) return "";
        this.finalText = this.decoded();
        return this.release(this.finalText);
    }

    private decoded(): string {
        return this.tokens.length === 0 ? "" : this.detokenize(this.tokens, this.promptTail);
    }

    private release(upTo: string): string {
        if (upTo.length <= this.emitted) return "";
        const chunk = upTo.slice(this.emitted);
        this.emitted = upTo.length;
        return chunk;
    }

    private findStop(text: string): number {
        // Only the region that could contain a new match: a stop string may straddle what was emitted.
        const from = Math.max(0, this.emitted - this.longestStop);
        let best = -1;
        for (const stop of this.stops) {
            const at = text.indexOf(stop, from);
            if (at >= 0 && (best < 0 || at < best)) best = at;
        }
        return best;
    }

    /** Length of the longest suffix of `text` that is a proper prefix of some stop string. */
    private pendingStopPrefix(text: string): number {
        let longest = 0;
        for (const stop of this.stops) {
            for (let n = Math.min(stop.length - 1, text.length); n > longest; n--) {
                if (text.endsWith(stop.slice(0, n))) {
                    longest = n;
                    break;
                }
            }
        }
        return longest;
    }
}

function stripTrailing(text: string, char: string): string {
    let end = text.length;
    while (end > 0 && text[end - 1] === char) end--;
    return text.slice(0, end);
}
