// Documents into chunks: line ranges, caps, the per-version cache and the postings retrieval counts with.

import * as assert from "node:assert/strict";
import { CHUNK_LINES, CHUNK_STRIDE, ChunkCache, MAX_CHUNK_CHARS, MAX_DOCUMENT_LINES, chunkRanges, chunkText, indexDocument } from "../../../src/context/chunks";
import { Vocabulary, identifierSet, intersectionSize } from "../../../src/context/identifiers";
import { MAX_LINE_CHARS, splitLines } from "../../../src/context/lines";
import { countShared } from "../../../src/context/postings";

const UNLIMITED = { maxLines: Infinity, maxChars: Infinity };

function numberedLines(count: number, width = 20): string {
    return Array.from({ length: count }, (_, i) => `const value${i} = compute${i % 7}();`.padEnd(width, " ")).join("\n");
}

describe("context chunks", () => {
    it("reads lines without their CR, and caps long ones at a whole character", () => {
        assert.deepEqual(splitLines("a\r\nb\nc\r\n", UNLIMITED), ["a", "b", "c", ""]);
        assert.deepEqual(splitLines("", UNLIMITED), [""]);
        const long = "x".repeat(MAX_LINE_CHARS - 1) + "😀" + "tail";
        const [cut] = splitLines(long, UNLIMITED);
        assert.equal(cut.length, MAX_LINE_CHARS - 1, "the emoji that would be split is left out whole");
        assert.deepEqual(splitLines("1\n2\n3\n4", { maxLines: 2, maxChars: Infinity }), ["1", "2"]);
        assert.deepEqual(splitLines("aaaa\nbbbb\ncccc", { maxLines: Infinity, maxChars: 5 }), ["aaaa", "bbbb"]);
    });

    it("starts a chunk every CHUNK_STRIDE lines, CHUNK_LINES long, the last one ending with the document", () => {
        const lines = numberedLines(100).split("\n");
        const ranges = chunkRanges(lines);
        assert.equal(CHUNK_STRIDE, CHUNK_LINES / 2);
        assert.deepEqual(ranges[0], [0, CHUNK_LINES]);
        assert.deepEqual(ranges[1], [CHUNK_STRIDE, CHUNK_STRIDE + CHUNK_LINES]);
        assert.deepEqual(ranges.at(-1), [60, 100]);
        assert.equal(ranges.length, 4, "no chunk would only repeat the last one's tail");
        assert.deepEqual(chunkRanges(["only"]), [[0, 1]]);
    });

    it("ends a chunk at MAX_CHUNK_CHARS", () => {
        const lines = numberedLines(CHUNK_LINES, 200).split("\n");
        const [[start, end]] = chunkRanges(lines);
        const chars = lines.slice(start, end).join("\n").length;
        assert.ok(end < CHUNK_LINES && chars <= MAX_CHUNK_CHARS && chars + 201 > MAX_CHUNK_CHARS, `${end} lines, ${chars} chars`);
    });

    it("indexes a document: chunk texts, line ranges, identifier sets", () => {
        const text = "export function toCents(x: number) {\r\n    return Math.round(x * 100);\r\n}\r\n";
        const document = indexDocument({ path: "src/money.ts", languageId: "typescript", text, version: 3 }, new Vocabulary());
        assert.equal(document.chunks.length, 1);
        const [chunk] = document.chunks;
        assert.deepEqual([chunk.startLine, chunk.endLine], [0, 4]);
        assert.equal(chunkText(document, chunk), "export function toCents(x: number) {\n    return Math.round(x * 100);\n}\n");
        assert.equal(chunk.ids.length, 3, "tocents, math, round");
    });

    it("leaves out chunks without identifiers, and an empty document has none", () => {
        const vocabulary = new Vocabulary();
        assert.equal(indexDocument({ path: "e", languageId: "plaintext", text: "", version: 1 }, vocabulary).chunks.length, 0);
        const blank = indexDocument({ path: "b", languageId: "plaintext", text: "\n".repeat(200) + "123 456 {}", version: 1 }, vocabulary);
        assert.equal(blank.chunks.length, 0);
    });

    it("indexes a 10 MB minified line as one capped chunk, and a huge file only up to its line cap", () => {
        const minified = "var a1=function(b2,c3){return b2+c3};".repeat(300_000);
        assert.ok(minified.length > 10_000_000);
        const vocabulary = new Vocabulary();
        const document = indexDocument({ path: "dist/app.min.js", languageId: "javascript", text: minified, version: 1 }, vocabulary);
        assert.equal(document.lines.length, 1);
        assert.equal(document.lines[0].length, MAX_LINE_CHARS);
        assert.equal(document.chunks.length, 1);
        const huge = indexDocument({ path: "gen.ts", languageId: "typescript", text: numberedLines(MAX_DOCUMENT_LINES + 5000), version: 1 }, vocabulary);
        assert.equal(huge.lines.length, MAX_DOCUMENT_LINES);
    });

    it("re-indexes a document only when its version changes", () => {
        const cache = new ChunkCache(new Vocabulary());
        const input = { path: "a.ts", languageId: "typescript", text: "alpha beta\ngamma", version: 1 };
        assert.equal(cache.upsert(input), true);
        assert.equal(cache.upsert({ ...input, text: "ignored: same version" }), false);
        assert.equal(chunkText(cache.get("a.ts")!, cache.get("a.ts")!.chunks[0]), "alpha beta\ngamma");
        assert.equal(cache.upsert({ ...input, text: "delta", version: 2 }), true);
        assert.equal(chunkText(cache.get("a.ts")!, cache.get("a.ts")!.chunks[0]), "delta");
        assert.equal(cache.upsert({ ...input, text: "delta", version: 2, languageId: "javascript" }), true, "a new language is a new document");
        cache.delete("a.ts");
        assert.equal(cache.get("a.ts"), undefined);
        assert.equal(cache.size, 0);
    });

    it("gives the next version the same sets as a fresh index", () => {
        const vocabulary = new Vocabulary();
        const text = numberedLines(300);
        const first = indexDocument({ path: "a.ts", languageId: "typescript", text, version: 1 }, vocabulary);
        const edited = text.replace("value150 ", "renamed150 ");
        const next = indexDocument({ path: "a.ts", languageId: "typescript", text: edited, version: 2 }, vocabulary, first);
        const fresh = indexDocument({ path: "a.ts", languageId: "typescript", text: edited, version: 2 }, vocabulary);
        assert.deepEqual(next.chunks.map((c) => [...c.ids]), fresh.chunks.map((c) => [...c.ids]));
        assert.notDeepEqual(next.chunks.map((c) => [...c.ids]), first.chunks.map((c) => [...c.ids]));
    });

    it("counts through postings what intersecting each chunk's set counts", () => {
        const vocabulary = new Vocabulary();
        const document = indexDocument({ path: "a.ts", languageId: "typescript", text: numberedLines(500), version: 1 }, vocabulary);
        const window = identifierSet("value3 value250 compute2 compute5 nothing", vocabulary);
        const counts = new Uint16Array(document.chunks.length);
        countShared(document.postings, window, counts);
        assert.deepEqual([...counts], document.chunks.map((chunk) => intersectionSize(chunk.ids, window)));
        assert.ok(counts.some((n) => n > 2));
    });
});
