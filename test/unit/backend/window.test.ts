import * as assert from "node:assert/strict";
import fc from "fast-check";
import { buildPromptWindow, type PromptWindow, type PromptWindowRequest, type WindowAnchor } from "../../../src/backend/window";
import { isCutPoint } from "../../../src/text/cutPoints";

type Encode = (text: string, addBos?: boolean) => number[];

// Solar's budget in the extension: 4,096 context - 256 new tokens - 64 margin.
const SOLAR_BUDGET = 4096 - 256 - 64;

let encode: Encode;
/** The real Llama-2 tokenizer, BOS included: what the engine evaluates. */
const exactCount = (text: string): number => (text.length === 0 ? 1 : encode(text).length);

/**
 * FAKE counter, only for speed and size tests: O(length) like a real tokenizer, and on source code it
 * counts more than the real one (a token per 4 word chars, per punctuation, 3 per non-ASCII unit).
 */
function fakeCount(text: string): number {
    let tokens = 1;
    let run = 0;
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) {
            if (run++ % 4 === 0) tokens++;
        } else {
            run = 0;
            tokens += c < 128 ? 1 : 3;
        }
    }
    return tokens;
}

function mulberry32(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

function codeLikeDocument(chars: number, seed: number): string {
    const rand = mulberry32(seed);
    const words = ["value", "items", "index", "result", "config", "buffer", "render", "update", "total", "request", "handler", "cache"];
    const pick = () => words[Math.floor(rand() * words.length)];
    const lines: string[] = [];
    let length = 0;
    let depth = 0;
    while (length < chars) {
        const indent = "    ".repeat(depth);
        const roll = rand();
        let line: string;
        if (depth === 0) {
            line = `export function ${pick()}${Math.floor(rand() * 100)}(${pick()}: number): string {`;
            depth++;
        } else if (roll < 0.15 && depth < 4) {
            line = `${indent}if (${pick()}.length > ${Math.floor(rand() * 50)}) {`;
            depth++;
        } else if (roll < 0.3) {
            depth--;
            line = depth === 0 ? "}\n" : `${"    ".repeat(depth)}}`;
        } else if (roll < 0.4) {
            line = `${indent}// ${pick()} the ${pick()} before the ${pick()} is read`;
        } else {
            line = `${indent}const ${pick()}${lines.length} = ${pick()}.${pick()}(${pick()}, ${Math.floor(rand() * 1000)});`;
        }
        lines.push(line);
        length += line.length + 1;
    }
    return lines.join("\n") + "\n";
}

function minifiedLine(chars: number): string {
    const unit = "var a0=function(b,c){return b.map(function(d){return d+c})};a0([1,2,3],4);";
    return unit.repeat(Math.ceil(chars / unit.length)).slice(0, chars);
}

function sharedPrefix(a: readonly number[], b: readonly number[]): number {
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    return i;
}

function build(text: string, cursor: number, budget: number, previous?: WindowAnchor, countTokens = exactCount): PromptWindow {
    return buildPromptWindow({ text, cursor, budget, previous, countTokens });
}

function insertAt(text: string, at: number, typed: string): string {
    return text.slice(0, at) + typed + text.slice(at);
}

function checkWindow(req: PromptWindowRequest, w: PromptWindow): void {
    assert.equal(w.prompt, req.text.slice(w.start, w.end));
    assert.equal(w.promptTokens, exactCount(w.prompt));
    assert.ok(w.promptTokens <= req.budget, `${w.promptTokens} tokens over budget ${req.budget}`);
    assert.ok(isCutPoint(req.text, w.start) && isCutPoint(req.text, w.end), "window splits a character or a CRLF");
    const cursor = Math.min(Math.max(req.cursor, 0), req.text.length);
    assert.ok(w.end === cursor || w.end === cursor - 1);
    assert.equal(w.anchor.start, w.start);
}

/** Types 200 keys (a few backspaces) mid-way into a 20,000+-token file; returns the mean fraction of
 * the prompt the engine re-evaluates per keystroke: tokens after the prefix shared with the last prompt. */
function replayTrace(budget: number): { anchored: number; naive: number; moves: number } {
    let doc = codeLikeDocument(70_000, 3);
    assert.ok(exactCount(doc) > 20_000);
    const memo = new Map<string, number[]>();
    const tokensOf = (t: string): number[] => {
        let tokens = memo.get(t);
        if (!tokens) {
            if (memo.size > 32) memo.clear();
            tokens = t.length === 0 ? [1] : encode(t);
            memo.set(t, tokens);
        }
        return tokens;
    };
    const evaluated = (previous: number[], current: number[]) => Math.max(1, current.length - sharedPrefix(previous, current)) / current.length;
    const keys = [..."    for (const entry of items) {\n        total += entry.price * entry.count;\n    }\n"];
    let cursor = doc.indexOf("\n", doc.length / 2) + 1;
    let anchor: WindowAnchor | undefined;
    let lastAnchored: number[] = [];
    let lastNaive: number[] = [];
    const sum = { anchored: 0, naive: 0, moves: 0 };
    for (let i = 0; i < 200; i++) {
        const backspace = i % 37 === 36;
        doc = backspace ? doc.slice(0, cursor - 1) + doc.slice(cursor) : insertAt(doc, cursor, keys[i % keys.length]);
        cursor += backspace ? -1 : 1;
        const w = buildPromptWindow({ text: doc, cursor, budget, previous: anchor, countTokens: (t) => tokensOf(t).length });
        sum.moves += w.moved ? 1 : 0;
        anchor = w.anchor;
        const anchored = tokensOf(w.prompt);
        sum.anchored += evaluated(lastAnchored, anchored);
        lastAnchored = anchored;

        // What a "keep the last N tokens" window feeds the engine: tokenize a generous tail, keep N.
        const tail = encode(doc.slice(doc.lastIndexOf("\n", cursor - budget * 4) + 1, cursor), false);
        assert.ok(tail.length >= budget, "tail long enough for the naive window");
        const naive = [1, ...tail.slice(tail.length - (budget - 1))];
        sum.naive += evaluated(lastNaive, naive);
        lastNaive = naive;
    }
    return { anchored: sum.anchored / 200, naive: sum.naive / 200, moves: sum.moves };
}

const fragments = fc.constantFrom(
    "\r\n", "\n", "\n\n", "\t", "    ", "function", " foo", "(a, b)", "{", "}", ";", "return x + 1", "const",
    "😀", "🌍", "👩‍💻", "𝓝", "漢字", "한국어", "café", "\r", "= ", "//", "x".repeat(120), "ab,".repeat(60),
);
const documents = fc.array(fragments, { maxLength: 220, size: "max" }).map((parts) => parts.join(""));

before(async () => {
    const tokenizer = (await import("llama-tokenizer-js")).default;
    encode = (text, addBos = true) => tokenizer.encode(text, addBos);
});

describe("buildPromptWindow", () => {
    it("never exceeds the budget and never splits a character (real tokenizer)", () => {
        fc.assert(
            fc.property(documents, fc.integer({ min: 0, max: 1 }), fc.nat(), fc.integer({ min: 1, max: 160 }), (text, outside, at, budget) => {
                const cursor = outside ? text.length + 5 : at % (text.length + 1);
                const req = { text, cursor, budget, countTokens: exactCount };
                checkWindow(req, buildPromptWindow(req));
            }),
            { numRuns: 300 },
        );
    });

    it("keeps the start under appends while the window fits, moves forward when it does not", () => {
        fc.assert(
            fc.property(documents, fc.nat(), fc.integer({ min: 8, max: 160 }), fc.array(fragments, { minLength: 1, maxLength: 12 }), (text, at, budget, typed) => {
                const first = build(text, at % (text.length + 1), budget);
                let doc = text;
                let previous = first;
                for (const piece of typed) {
                    doc = insertAt(doc, previous.end, piece);
                    const req = { text: doc, cursor: previous.end + piece.length, budget, previous: previous.anchor, countTokens: exactCount };
                    const next = buildPromptWindow(req);
                    checkWindow(req, next);
                    const stillFits = isCutPoint(doc, previous.start) && exactCount(doc.slice(previous.start, next.end)) <= budget;
                    if (stillFits) {
                        assert.equal(next.start, previous.start);
                        assert.equal(next.moved, false);
                    } else {
                        assert.ok(next.moved && next.start >= previous.start);
                    }
                    previous = next;
                }
            }),
            { numRuns: 120 },
        );
    });

    it("handles empty documents, cursor at either end, inside a CRLF and inside a surrogate pair", () => {
        assert.deepEqual(build("", 0, 10), { prompt: "", start: 0, end: 0, promptTokens: 1, anchor: { start: 0, head: "" }, moved: true });
        assert.equal(build("abc\r\ndef", 4, 50).end, 3);
        assert.equal(build("ab😀cd", 3, 50).prompt, "ab");
        assert.equal(build("hello", 0, 50).end, 0);
        assert.equal(build("hello", 5, 50).prompt, "hello");
        assert.equal(build("😀😀😀", 6, 50, undefined).end, 6);
        assert.equal(build("ab😀cd", 5, 50, undefined).end, 5);
        assert.throws(() => build("abc", 3, 0), RangeError);
    });

    describe("anchor", () => {
        const text = codeLikeDocument(20_000, 7);
        const middle = text.indexOf("\n", 12_000) + 1;
        const budget = 400;

        it("starts a fresh window on a line, with room left to type", () => {
            const w = build(text, middle, budget);
            assert.equal(text[w.start - 1], "\n");
            assert.ok(w.promptTokens >= 0.6 * budget && w.promptTokens <= 0.8 * budget, `${w.promptTokens}`);
            assert.equal(build(text.slice(0, 300), 300, budget).start, 0, "a short document is taken whole");
        });

        it("stays put while typing, then jumps one line-aligned step when the window overflows", () => {
            let doc = text;
            let w = build(doc, middle, budget);
            const firstStart = w.start;
            let jumps = 0;
            for (const ch of "    const answer = compute(value, 42);\n".repeat(12)) {
                doc = insertAt(doc, w.end, ch);
                const next = build(doc, w.end + 1, budget, w.anchor);
                if (next.moved) {
                    jumps++;
                    assert.ok(next.start > w.start && doc[next.start - 1] === "\n");
                    assert.ok(next.promptTokens <= 0.8 * budget && next.promptTokens >= 0.6 * budget, `${next.promptTokens}`);
                } else {
                    assert.equal(next.start, w.start);
                }
                w = next;
            }
            assert.ok(jumps >= 1 && jumps <= 3, `${jumps} jumps`);
            assert.notEqual(w.start, firstStart);
        });

        it("resets when the cursor goes above the start or the text at the start changes, and follows an edit above it", () => {
            const w = build(text, middle, budget);
            const above = build(text, w.start - 10, budget, w.anchor);
            assert.ok(above.moved && above.end <= w.start);
            const edited = text.slice(0, w.start) + "X" + text.slice(w.start + 1);
            assert.ok(build(edited, middle, budget, w.anchor).moved);
            // An edit above shifts the start's offset, not its text: the anchor follows it, and the
            // window (the engine's cached tokens) stays the same.
            const shifted = insertAt(text, 100, "// a new line above\n");
            const followed = build(shifted, middle + 20, budget, w.anchor);
            assert.equal(followed.moved, false);
            assert.equal(followed.start, w.start + 20);
            assert.equal(followed.prompt, w.prompt);
            assert.equal(build(text, middle + 5, budget, w.anchor).moved, false, "moving right below the start keeps it");
        });

        it("cuts a single huge line at a soft break and keeps that cut while typing", () => {
            const line = minifiedLine(200_000);
            const w = build(line, 150_000, budget);
            assert.ok(w.start > 0 && " \t;,)]}>".includes(line[w.start - 1]), JSON.stringify(line.slice(w.start - 5, w.start + 5)));
            const typed = insertAt(line, w.end, "x");
            const next = build(typed, w.end + 1, budget, w.anchor);
            assert.equal(next.start, w.start);
            assert.equal(next.moved, false);
        });
    });

    for (const budget of [SOLAR_BUDGET, 128]) {
        it(`typing 200 keystrokes mid-file re-evaluates a small fraction of a ${budget}-token window (real tokenizer)`, function () {
            this.timeout(300_000);
            const { anchored, naive, moves } = replayTrace(budget);
            console.log(
                `      anchored: ${(100 * anchored).toFixed(2)}% of the window re-evaluated per keystroke (${moves} move(s) incl. the first), ` +
                    `naive last-N: ${(100 * naive).toFixed(2)}%`,
            );
            assert.ok(anchored <= 0.05);
            assert.ok(naive > 10 * anchored, "the comparison is meaningful");
        });
    }

    describe("speed and size (FAKE counter)", () => {
        const bigCode = codeLikeDocument(10_000_000, 11);
        const cases: [string, string][] = [
            ["10 KB", bigCode.slice(0, 10_000)],
            ["1 MB", bigCode.slice(0, 1_000_000)],
            ["10 MB", bigCode],
            ["5 MB line", minifiedLine(5_000_000)],
        ];
        for (const [name, text] of cases) {
            it(`builds a window over ${name} quickly, counting at most budget x 16 chars`, () => {
                const counted: number[] = [];
                const spy = (t: string): number => (t.length > 0 && counted.push(t.length), fakeCount(t));
                const cursor = Math.floor(text.length * 0.9);
                const w = build(text, cursor, SOLAR_BUDGET, undefined, spy);
                // Flatten the edited string once, as a document's getText() would hand it over.
                const typed = insertAt(text, w.end, "x");
                typed.charCodeAt(0);
                const measure = (label: string, cursorAt: number, previous?: WindowAnchor): number => {
                    counted.length = 0;
                    const t0 = performance.now();
                    const runs = 20;
                    for (let i = 0; i < runs; i++) build(typed, cursorAt, SOLAR_BUDGET, previous, spy);
                    const ms = (performance.now() - t0) / runs;
                    const chars = counted.reduce((a, b) => a + b, 0) / runs;
                    console.log(`      ${name} ${label}: ${ms.toFixed(3)} ms, ${counted.length / runs} non-empty count(s) over ${Math.round(chars)} chars`);
                    assert.ok(Math.max(...counted) <= SOLAR_BUDGET * 16);
                    return ms;
                };
                measure("warm-up", w.end + 1);
                const fresh = measure("fresh", w.end + 1);
                const anchored = measure("anchored", w.end + 1, w.anchor);
                const far = measure("cursor far above the anchor", Math.floor(text.length * 0.2), w.anchor);
                assert.ok(fresh < 200 && anchored < 200 && far < 200);
                assert.equal(build(typed, w.end + 1, SOLAR_BUDGET, w.anchor, spy).moved, false);
            });
        }
    });
});
