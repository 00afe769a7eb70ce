// The ring of recent ranges: bounded, newest last, one entry per area of a file.

import * as assert from "node:assert/strict";
import { CHUNK_LINES } from "../../../src/context/chunks";
import { Vocabulary } from "../../../src/context/identifiers";
import { RING_CAPACITY, RingBuffer, makeRingEntry, type RingEntryInput } from "../../../src/context/ringBuffer";

const vocabulary = new Vocabulary();

function entry(path: string, startLine: number, text: string, source: RingEntryInput["source"] = "edit", at = 0) {
    const made = makeRingEntry({ path, languageId: "typescript", text, startLine, source }, at, vocabulary);
    assert.ok(made, "an entry with identifiers");
    return made;
}

/** Text of `lines` lines whose identifiers are unique to `tag`. */
function text(tag: string, lines = 3): string {
    return Array.from({ length: lines }, (_, i) => `const ${tag}Value${i} = ${tag}Compute(${i});`).join("\n");
}

describe("context ring buffer", () => {
    it("holds RING_CAPACITY entries by default, dropping the oldest", () => {
        const ring = new RingBuffer();
        assert.equal(RING_CAPACITY, 16);
        for (let i = 0; i < RING_CAPACITY + 3; i++) ring.add(entry(`f${i}.ts`, 0, text(`f${i}`), "view", i));
        assert.equal(ring.size, RING_CAPACITY);
        assert.deepEqual(ring.entries().map((e) => e.path).slice(0, 2), ["f3.ts", "f4.ts"]);
        assert.equal(ring.entries().at(-1)?.path, `f${RING_CAPACITY + 2}.ts`);
    });

    it("replaces an entry of the same file whose lines overlap, moving it to the newest", () => {
        const ring = new RingBuffer(4);
        ring.add(entry("a.ts", 10, text("old", 5)));
        ring.add(entry("b.ts", 0, text("other")));
        ring.add(entry("a.ts", 12, text("new", 5), "view"));
        assert.deepEqual(ring.entries().map((e) => [e.path, e.startLine, e.source]), [["b.ts", 0, "edit"], ["a.ts", 12, "view"]]);
    });

    it("replaces a near-copy of the same file elsewhere in it, but not one of another file", () => {
        const ring = new RingBuffer(4);
        ring.add(entry("a.ts", 0, text("same")));
        ring.add(entry("a.ts", 100, text("same")));
        assert.deepEqual(ring.entries().map((e) => e.startLine), [100]);
        ring.add(entry("c.ts", 100, text("same")));
        assert.equal(ring.size, 2);
    });

    it("keeps ranges of one file that neither overlap nor repeat", () => {
        const ring = new RingBuffer(4);
        ring.add(entry("a.ts", 0, text("top")));
        ring.add(entry("a.ts", 3, text("next")));
        assert.equal(ring.size, 2, "lines 0-2 and 3-5 touch but do not overlap");
    });

    it("cuts an entry like a chunk and drops the CR of CRLF", () => {
        const made = entry("a.ts", 5, text("long", 100).replace(/\n/g, "\r\n"));
        assert.equal(made.text.split("\n").length, CHUNK_LINES);
        assert.ok(!made.text.includes("\r"));
        assert.deepEqual([made.startLine, made.endLine], [5, 5 + CHUNK_LINES]);
    });

    it("makes no entry of text without identifiers", () => {
        assert.equal(makeRingEntry({ path: "a.ts", languageId: "typescript", text: "", startLine: 0, source: "clipboard" }, 0, vocabulary), undefined);
        assert.equal(makeRingEntry({ path: "a.ts", languageId: "typescript", text: "{ 1, 2 }\n", startLine: 0, source: "clipboard" }, 0, vocabulary), undefined);
    });

    it("clears", () => {
        const ring = new RingBuffer();
        ring.add(entry("a.ts", 0, text("x")));
        ring.clear();
        assert.equal(ring.size, 0);
    });
});
