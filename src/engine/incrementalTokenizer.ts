// Tokenizes a text that differs from the last one only near its end by re-tokenizing from the line
// the two texts start to differ in, and reusing the tokens before it. A keystroke changes the prompt
// window's tail only, and tokenizing the whole window again costs ~5 ms per 4,000 tokens (measured)
// on a path whose model work is a single token.
//
// Why a line start is a safe cut: in a SentencePiece vocabulary like Llama's (Solar's), no piece
// contains "\n"; a newline is always its own byte token (<0x0A>), so no token spans a line break and
// the tokens of the text after a newline do not depend on the text before it. The tail is tokenized
// with that newline in front (so it is not the text's start, which gets the tokenizer's leading
// space), and the tokens up to and including the newline token are dropped. `supportsLineCuts`
// checks the assumption on the loaded vocabulary; a tokenizer that fails it is always run whole.

export type Tokenize = (text: string) => number[];

interface Tokenized {
    readonly text: string;
    readonly tokens: readonly number[];
    /** For the k-th "\n" of `text`: its character index, and the token index just past its newline token. */
    readonly lineCuts: readonly { readonly char: number; readonly token: number }[];
}

export class IncrementalTokenizer {
    private last: Tokenized | undefined;
    /** Characters the last call tokenized (the full text, or the tail after a cut): for tests and the bench. */
    lastTokenizedChars = 0;

    /** Without `newline` (a vocabulary that fails supportsLineCuts) every text is tokenized whole. */
    constructor(
        private readonly tokenize: Tokenize,
        private readonly newline?: number,
    ) {}

    tokens(text: string): number[] {
        const last = this.last;
        if (last?.text === text) {
            this.lastTokenizedChars = 0;
            return [...last.tokens];
        }
        const cut = last && lastCutBefore(last, commonPrefixLength(last.text, text));
        const tokens = cut ? this.fromCut(last, cut, text) : undefined;
        const result = tokens ?? this.tokenize(text);
        if (!tokens) this.lastTokenizedChars = text.length;
        this.remember(text, result);
        return result;
    }

    private fromCut(last: Tokenized, cut: Tokenized["lineCuts"][number], text: string): number[] | undefined {
        if (this.newline === undefined) return undefined;
        const tail = this.tokenize(text.slice(cut.char));
        // The tail starts with its newline: at most the tokenizer's leading-space token before it.
        const at = tail.indexOf(this.newline);
        if (at < 0 || at > 1) return undefined;
        this.lastTokenizedChars = text.length - cut.char;
        return [...last.tokens.slice(0, cut.token), ...tail.slice(at + 1)];
    }

    private remember(text: string, tokens: readonly number[]): void {
        const lineCuts: { char: number; token: number }[] = [];
        let token = 0;
        for (let char = text.indexOf("\n"); char >= 0; char = text.indexOf("\n", char + 1)) {
            if (this.newline === undefined) break;
        while (token < tokens.length && tokens[token] !== this.newline) token++;
            if (token >= tokens.length) break; // fewer newline tokens than newlines: no cuts past here
            lineCuts.push({ char, token: ++token });
        }
        this.last = { text, tokens, lineCuts };
    }
}

/**
 * True when the vocabulary never merges a newline with its neighbours, checked on short texts that
 * would show it: each sample is tokenized incrementally after every one of its prefixes, and must
 * come out exactly as tokenized whole (a few hundred tokenizations of a few characters: ~1 ms).
 */
export function supportsLineCuts(tokenize: Tokenize, newline: number | null | undefined): newline is number {
    if (newline == null) return false;
    const samples = ["ab\ncd \nef\ngh", "x\n\n  y\n z", "end \n next\n\tx", "crlf\r\nline\r\n", "emoji 😀\n😀 tail\n}", "}\n}\n\n)"];
    for (const sample of samples) {
        for (let cut = 1; cut < sample.length; cut++) {
            const incremental = new IncrementalTokenizer(tokenize, newline);
            incremental.tokens(sample.slice(0, cut));
            if (incremental.tokens(sample).join(",") !== tokenize(sample).join(",")) return false;
        }
    }
    return true;
}

function commonPrefixLength(a: string, b: string): number {
    const n = Math.min(a.length, b.length);
    let i = 0;
    while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
    return i;
}

/** The last newline that lies wholly inside the shared prefix, so everything up to it is unchanged. */
function lastCutBefore(last: Tokenized, common: number): Tokenized["lineCuts"][number] | undefined {
    const cuts = last.lineCuts;
    let lo = 0;
    let hi = cuts.length - 1;
    let found: Tokenized["lineCuts"][number] | undefined;
    while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (cuts[mid].char < common) {
            found = cuts[mid];
            lo = mid + 1;
        } else hi = mid - 1;
    }
    return found;
}
