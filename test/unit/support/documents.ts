// Deterministic source-like documents of a given token length, for cache and window tests.

const WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango"];

function* lines(seed: number): Generator<string> {
    let state = seed >>> 0 || 1;
    const next = () => {
        // xorshift32: fast, seeded, and the same on every machine.
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        return (state >>> 0) / 2 ** 32;
    };
    const pick = () => WORDS[Math.floor(next() * WORDS.length)];
    for (let n = 0; ; n++) {
        if (n % 12 === 0) yield `\nexport function ${pick()}_${n}(${pick()}: number, ${pick()}: string): string {`;
        else if (n % 12 === 11) yield "}";
        else yield `    const ${pick()}${n} = ${pick()}(${Math.floor(next() * 1000)}, "${pick()} ${pick()}");`;
    }
}

/** A document of at least `tokens` tokens (as counted by `countTokens`) and at most a few lines more. */
export function makeDocument(tokens: number, countTokens: (text: string) => number, seed = 7): string {
    const out: string[] = [];
    for (const line of lines(seed)) {
        out.push(line);
        if (out.length % 5 === 0) {
            const text = out.join("\n") + "\n";
            if (countTokens(text) >= tokens) return text;
        }
    }
    throw new Error("unreachable: the line generator is endless");
}
