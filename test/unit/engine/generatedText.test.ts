import * as assert from "node:assert/strict";
import { GeneratedText } from "../../../src/engine/generatedText";

// A toy SentencePiece-like detokenizer: "▁" marks a space that is dropped at the very start of the
// text unless context precedes it, and byte tokens build UTF-8 characters, as in llama.cpp.
const PIECES: Record<number, string | number> = { 1: "▁hello", 2: "▁world", 3: "!", 4: "\n", 5: 0xf0, 6: 0x9f, 7: 0x98, 8: 0x80, 9: "▁//", 10: "▁stop" };
function detokenize(tokens: readonly number[], lastTokens: readonly number[]): string {
    const bytes: number[] = [];
    for (const t of [...lastTokens, ...tokens]) {
        const piece = PIECES[t];
        if (typeof piece === "number") bytes.push(piece);
        else bytes.push(...Buffer.from(piece.replaceAll("▁", " ")));
    }
    let text = Buffer.from(bytes).toString("utf8");
    const context = Buffer.from(lastTokens.flatMap((t) => (typeof PIECES[t] === "number" ? [PIECES[t] as number] : [...Buffer.from((PIECES[t] as string).replaceAll("▁", " "))]))).toString("utf8");
    if (lastTokens.length === 0) text = text.replace(/^ /, "");
    return text.slice(context.length);
}

function run(tokens: number[], context: number[] = [], stops: string[] = []) {
    const g = new GeneratedText(detokenize, context, stops);
    const chunks: string[] = [];
    let stopped = false;
    for (const t of tokens) {
        const r = g.push(t);
        if (r.chunk) chunks.push(r.chunk);
        if (r.stopped) {
            stopped = true;
            break;
        }
    }
    const rest = g.finish();
    if (rest) chunks.push(rest);
    return { chunks, text: g.text, stopped };
}

describe("GeneratedText", () => {
    it("keeps the first piece's leading space when the prompt precedes it", () => {
        const { text, chunks } = run([2, 3], [1]);
        assert.equal(text, " world!");
        assert.equal(chunks.join(""), text);
    });

    it("never releases half of a multi-byte character", () => {
        const { chunks, text } = run([1, 5, 6, 7, 8], [4]);
        assert.equal(text, " hello😀");
        for (const c of chunks) assert.ok(!c.includes("\uFFFD"), `chunk ${JSON.stringify(c)} holds a replacement char`);
        assert.deepEqual(chunks, [" hello", "😀"]);
    });

    it("stops before a stop string and never streams any part of it", () => {
        const { chunks, text, stopped } = run([1, 4, 4, 2], [4], ["\n\n"]);
        assert.equal(stopped, true);
        assert.equal(text, " hello");
        assert.equal(chunks.join(""), " hello");
    });

    it("releases a held-back partial stop string when generation ends without it", () => {
        const { chunks, text, stopped } = run([1, 4], [4], ["\n\n"]);
        assert.equal(stopped, false);
        assert.equal(text, " hello\n");
        assert.deepEqual(chunks, [" hello", "\n"]);
    });

    it("finds a stop string that straddles two tokens", () => {
        const { text, stopped } = run([1, 9, 10], [4], ["// stop"]);
        assert.equal(stopped, true);
        assert.equal(text, " hello ");
    });

    it("the streamed chunks always add up to the final text", () => {
        for (const tokens of [[1, 2, 3, 4, 1], [5, 6, 7, 8, 5, 6], [9, 10, 4, 4]]) {
            const { chunks, text } = run(tokens, [1], ["▁never"]);
            assert.equal(chunks.join(""), text);
        }
    });
});
