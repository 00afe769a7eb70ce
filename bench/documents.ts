// Deterministic source documents and typing traces for the benchmark. The text looks like real
// TypeScript (indentation, identifiers, strings, comments), so its token density (~3-4 characters
// per token with the Llama-2 vocabulary) is what a user's file would have.

import { mulberry32 } from "../test/fixtures/prng";

const WORDS = [
    "user", "item", "order", "price", "total", "count", "index", "value", "result", "config", "cache",
    "buffer", "stream", "request", "response", "handler", "session", "token", "window", "anchor",
    "parse", "render", "update", "create", "delete", "load", "save", "fetch", "merge", "filter",
];

function* codeLines(seed: number): Generator<string> {
    const next = mulberry32(seed);
    const word = () => WORDS[Math.floor(next() * WORDS.length)];
    const name = () => word() + word()[0].toUpperCase() + word().slice(1);
    for (let block = 0; ; block++) {
        yield `/** ${word()[0].toUpperCase()}${word().slice(1)}s the ${word()} of each ${word()} (block ${block}). */`;
        yield `export function ${name()}${block}(${word()}: ${name()}, ${word()}s: readonly string[]): number {`;
        const statements = 4 + Math.floor(next() * 8);
        for (let s = 0; s < statements; s++) {
            switch (Math.floor(next() * 4)) {
                case 0: yield `    const ${name()} = ${word()}.${name()}(${Math.floor(next() * 1000)}, "${word()} ${word()}");`; break;
                case 1: yield `    if (${word()}.${word()} > ${Math.floor(next() * 100)}) return ${word()}s.length;`; break;
                case 2: yield `    // ${word()} ${word()} before the ${word()} is ${word()}d`; break;
                default: yield `    for (const ${word()} of ${word()}s) ${name()}(${word()}, ${word()});`;
            }
        }
        yield `    return ${Math.floor(next() * 100)};`;
        yield "}";
        yield "";
    }
}

/** About `chars` characters of code, cut at a line end. */
export function codeOfLength(chars: number, seed = 1): string {
    const out: string[] = [];
    let length = 0;
    for (const line of codeLines(seed)) {
        if (length >= chars) break;
        out.push(line);
        length += line.length + 1;
    }
    return out.join("\n") + "\n";
}

/** Code of at least `tokens` tokens as `countTokens` counts them (a few lines more at most). */
export function codeOfTokens(tokens: number, countTokens: (text: string) => number, seed = 1): string {
    let chars = tokens * 3;
    for (;;) {
        const text = codeOfLength(chars, seed);
        const counted = countTokens(text);
        if (counted >= tokens) return trimToTokens(text, tokens, countTokens);
        chars = Math.ceil(chars * (tokens / counted) * 1.05);
    }
}

function trimToTokens(text: string, tokens: number, countTokens: (text: string) => number): string {
    const lines = text.split("\n");
    let keep = lines.length;
    // Drop whole lines from the end while the rest still reaches the target: a few counts at most.
    while (keep > 1 && countTokens(lines.slice(0, keep - 10).join("\n") + "\n") >= tokens) keep -= 10;
    return lines.slice(0, keep).join("\n") + "\n";
}

/** One line of minified JavaScript, like a bundle: no newline anywhere. */
export function minifiedOfLength(chars: number, seed = 2): string {
    const next = mulberry32(seed);
    const id = () => String.fromCharCode(97 + Math.floor(next() * 26)) + Math.floor(next() * 100).toString(36);
    const parts: string[] = [];
    let length = 0;
    while (length < chars) {
        const part =
            next() < 0.5
                ? `function ${id()}(${id()},${id()}){return ${id()}.${id()}(${id()})+${Math.floor(next() * 999)}}`
                : `var ${id()}={${id()}:"${WORDS[Math.floor(next() * WORDS.length)]}",${id()}:[${id()},${id()}]};`;
        parts.push(part);
        length += part.length;
    }
    return parts.join("");
}

/** A fresh flat copy of a string: edits build rope strings, and flattening one is not window work. */
export function flat(text: string): string {
    return Buffer.from(text, "utf16le").toString("utf16le");
}

export interface Keystroke {
    readonly text: string;
    readonly cursor: number;
}

/** Types `typed` one character at a time at `cursor`, cycling through it for `count` keystrokes. */
export function* typing(text: string, cursor: number, typed: string, count: number): Generator<Keystroke> {
    for (let key = 0; key < count; key++) {
        text = text.slice(0, cursor) + typed[key % typed.length] + text.slice(cursor);
        cursor++;
        yield { text, cursor };
    }
}

/** What the benchmark's user types: ordinary code lines, newlines included. */
export const TYPED_CODE =
    "    const subtotal = items.reduce((sum, item) => sum + item.price * item.quantity, 0);\n" +
    '    if (subtotal > limit) throw new RangeError("order over the limit");\n' +
    "    return applyDiscount(subtotal, customer.discountRate);\n";

/** The start of the line holding `offset`. */
export function lineStartBefore(text: string, offset: number): number {
    return text.lastIndexOf("\n", Math.max(0, offset - 1)) + 1;
}
