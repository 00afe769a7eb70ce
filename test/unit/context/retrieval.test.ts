// Choosing snippets: ranking by identifier similarity, what is left out (the window itself, repeats,
// the current document's visible part), the budget, the order, and the ring's entries competing.

import * as assert from "node:assert/strict";
import { CHUNK_LINES } from "../../../src/context/chunks";
import { ContextIndex } from "../../../src/context/contextIndex";
import { CHARS_PER_TOKEN_ESTIMATE, DEFAULT_MAX_SNIPPETS, type CurrentWindow } from "../../../src/context/retrieval";
import type { Snippet } from "../../../src/context/snippet";
import { MIN_CUT_LINES } from "../../../src/context/snippetChoice";
import { renderBlocks } from "../../../src/context/snippetBlocks";

const MONEY = `export function toCents(amount: number): number {
    return Math.round(amount * 100);
}

export function formatCents(cents: number, currency: string): string {
    return (cents / 100).toFixed(2) + " " + currency;
}
`;

const LOGGER = `export function logInfo(message: string) {
    console.log(new Date().toISOString(), message);
}
`;

const CONFIG = `import * as fs from "node:fs";
export function readConfig(file: string) {
    return JSON.parse(fs.readFileSync(file, "utf8"));
}
`;

const CART = `import { toCents } from "./util/money";

export function cartTotal(items: Item[], currency: string) {
    let totalCents = 0;
    for (const item of items) totalCents += toCents(item.amount);
    return totalCents;
`;

const BUDGET = 2_000;

function indexOf(documents: Record<string, string>, options: ConstructorParameters<typeof ContextIndex>[0] = {}): ContextIndex {
    const index = new ContextIndex({ clock: () => 0, ...options });
    for (const [path, text] of Object.entries(documents)) index.upsertDocument({ path, languageId: path.endsWith(".md") ? "markdown" : "typescript", text, version: 1 });
    return index;
}

function select(index: ContextIndex, windowText: string, more: Partial<CurrentWindow> & { maxChars?: number; maxSnippets?: number } = {}): Snippet[] {
    const { maxChars = BUDGET, maxSnippets, ...current } = more;
    return index.select({ current: { path: "src/cart.ts", languageId: "typescript", windowText, ...current }, maxChars, maxSnippets });
}

/**
 * `count` lines of code whose names all carry `tag`; `variant` changes the lines' text but not their
 * names, so two calls share identifiers without sharing lines.
 */
function codeAbout(tag: string, count: number, variant = 0): string {
    return Array.from({ length: count }, (_, i) => `    const ${tag}Part${i % 9} = ${tag}Helper${i % 5}(${tag}Input, ${i + 1000 * variant});`).join("\n") + "\n";
}

/** The window of most tests: its lines are in no document. */
function windowAbout(tag: string, count: number): string {
    return codeAbout(tag, count, 99);
}

describe("context retrieval", () => {
    it("ranks the neighbouring file that defines toCents first, placed last, nearest the window", () => {
        const index = indexOf({ "src/util/money.ts": MONEY, "src/log.ts": LOGGER, "src/config.ts": CONFIG });
        const snippets = select(index, CART);
        assert.equal(snippets.at(-1)?.path, "src/util/money.ts");
        assert.equal(snippets.at(-1)?.source, "document");
        assert.deepEqual([snippets.at(-1)?.startLine, snippets.at(-1)?.endLine], [0, 7], "the blank last line is not kept");
        assert.ok(snippets.every((s) => s.path !== "src/log.ts"), "a file sharing nothing is never offered");
    });

    it("orders snippets from least to most relevant", () => {
        const index = indexOf({ "a.ts": codeAbout("alpha", 10) + codeAbout("beta", 2), "b.ts": codeAbout("alpha", 3) + codeAbout("gamma", 10), "c.ts": codeAbout("alpha", 1) + codeAbout("delta", 30) });
        const snippets = select(index, windowAbout("alpha", 12));
        assert.deepEqual(snippets.map((s) => s.path), ["c.ts", "b.ts", "a.ts"]);
        const scores = snippets.map((s) => s.score);
        assert.deepEqual(scores, [...scores].sort((x, y) => x - y));
    });

    it("never offers the current document's lines the prompt shows; without a cursor line, none of it", () => {
        const current = codeAbout("far", 60) + codeAbout("noise", 200) + codeAbout("far", 5, 99) + codeAbout("near", 15, 99);
        const index = indexOf({ "src/cart.ts": current });
        const windowText = current;
        const cursorLine = current.split("\n").length - 1;
        const withCursor = select(index, windowText, { cursorLine });
        assert.equal(withCursor.length, 1, "one snippet of the current file, far from the window");
        assert.ok(withCursor[0].endLine <= 60, `lines ${withCursor[0].startLine}-${withCursor[0].endLine}`);
        assert.deepEqual(select(index, windowText), [], "the cursor is unknown: the prompt may show any of it");
        assert.deepEqual(select(index, windowText, { cursorLine, promptStartLine: 0 }), [], "the prompt shows the whole file");
    });

    it("drops a copy of the window and a file whose lines the window holds", () => {
        const window = codeAbout("shared", 20);
        const subset = window.split("\n").slice(5, 9).join("\n") + "\n";
        const index = indexOf({ "copy.ts": window, "subset.ts": subset, "related.ts": codeAbout("shared", 3) + codeAbout("other", 20) });
        assert.deepEqual(select(index, window).map((s) => s.path), ["related.ts"]);
    });

    it("keeps one of two near-identical files, the first by path, and one snippet per file", () => {
        const text = codeAbout("dup", 30) + codeAbout("gap", 120) + codeAbout("dup", 30);
        const index = indexOf({ "z/copy.ts": text, "a/original.ts": text, "m/near.ts": text.replace("dupPart1 =", "dupPartOne =") });
        const snippets = select(index, windowAbout("dup", 15), { maxChars: 20_000 });
        assert.deepEqual(snippets.map((s) => s.path), ["a/original.ts"]);
    });

    it("fits the rendered blocks in the budget, cutting a block to its first lines", () => {
        const index = indexOf({ "big.ts": codeAbout("wide", CHUNK_LINES / 2) + codeAbout("extra", CHUNK_LINES / 2) });
        const window = windowAbout("wide", 10);
        const whole = select(index, window, { maxChars: 100_000 });
        const wholeChars = renderBlocks(whole, "typescript").join("").length;
        for (const maxChars of [wholeChars, wholeChars - 1, 900]) {
            const snippets = select(index, window, { maxChars });
            const chars = renderBlocks(snippets, "typescript").join("").length;
            assert.ok(chars <= maxChars, `${chars} > ${maxChars}`);
            assert.equal(snippets.length, 1);
            const lines = snippets[0].text.split("\n").length;
            assert.equal(snippets[0].endLine - snippets[0].startLine, lines);
            assert.ok(lines >= MIN_CUT_LINES && (maxChars === wholeChars ? lines === CHUNK_LINES : lines < CHUNK_LINES), `${lines} lines for ${maxChars}`);
        }
        assert.deepEqual(select(index, window, { maxChars: 200 }), [], "fewer than MIN_CUT_LINES lines fit");
        assert.deepEqual(select(index, window, { maxChars: 0 }), []);
    });

    it("measures blocks in the current language: plain blocks cost less than commented ones", () => {
        const index = indexOf({ "big.ts": codeAbout("wide", CHUNK_LINES / 2) + codeAbout("extra", CHUNK_LINES / 2) });
        const window = windowAbout("wide", 10);
        const maxChars = 1_500;
        const commented = select(index, window, { maxChars });
        const plain = select(index, window, { maxChars, languageId: "markdown" });
        assert.ok(plain[0].text.length > commented[0].text.length);
        assert.ok(renderBlocks(plain, "markdown").join("").length <= maxChars);
    });

    it("returns at most maxSnippets (DEFAULT_MAX_SNIPPETS when not given)", () => {
        const documents = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}.ts`, codeAbout("common", 3) + codeAbout(`own${i}`, 5)]));
        const index = indexOf(documents);
        assert.equal(select(index, windowAbout("common", 10), { maxChars: 100_000 }).length, DEFAULT_MAX_SNIPPETS);
        assert.equal(select(index, windowAbout("common", 10), { maxChars: 100_000, maxSnippets: 2 }).length, 2);
        assert.deepEqual(select(index, windowAbout("common", 10), { maxSnippets: 0 }), []);
    });

    it("gives the same snippets whatever order the documents were opened in; ties go by path", () => {
        const documents: Record<string, string> = { "b.ts": codeAbout("tie", 4), "a.ts": codeAbout("tie", 4), "c.ts": codeAbout("tie", 4, 5) + codeAbout("less", 5) };
        const forward = select(indexOf(documents), windowAbout("tie", 8), { maxChars: 100_000 });
        const backward = select(indexOf(Object.fromEntries(Object.entries(documents).reverse())), windowAbout("tie", 8), { maxChars: 100_000 });
        assert.deepEqual(backward, forward);
        assert.deepEqual(forward.map((s) => s.path), ["c.ts", "a.ts"], "a.ts and b.ts tie and are near-copies: the first by path stays");
    });

    it("lets ring entries compete with chunks, the newer of two equal ones first", () => {
        const index = indexOf({ "src/log.ts": LOGGER });
        index.record({ path: "src/old.ts", languageId: "typescript", text: codeAbout("ring", 4) + codeAbout("old", 3), startLine: 3, source: "clipboard" });
        index.record({ path: "src/new.ts", languageId: "typescript", text: codeAbout("ring", 4) + codeAbout("new", 3), startLine: 9, source: "edit" });
        const snippets = select(index, windowAbout("ring", 9), { maxChars: 100_000 });
        assert.deepEqual(snippets.map((s) => [s.path, s.source, s.startLine]), [["src/old.ts", "clipboard", 3], ["src/new.ts", "edit", 9]]);
        assert.deepEqual(index.select({ current: { path: "x.ts", windowText: windowAbout("ring", 9) }, maxChars: 100_000, ring: ["clipboard"] }).map((s) => s.path), ["src/old.ts"]);
        assert.deepEqual(index.select({ current: { path: "x.ts", windowText: LOGGER }, maxChars: 100_000, documents: false }), []);
    });

    it("keeps ring entries of the current file out of the window's lines", () => {
        const index = indexOf({});
        index.record({ path: "src/cart.ts", languageId: "typescript", text: codeAbout("seen", 5), startLine: 10, source: "view" });
        const window = windowAbout("seen", 3);
        assert.deepEqual(select(index, window, { cursorLine: 12 }), []);
        assert.equal(select(index, window, { cursorLine: 200 }).length, 1);
    });

    it("answers nothing for an empty index, an empty window or one without identifiers", () => {
        assert.deepEqual(select(indexOf({}), CART), []);
        const index = indexOf({ "src/util/money.ts": MONEY });
        assert.deepEqual(select(index, ""), []);
        assert.deepEqual(select(index, "{\n  1 + 2;\n}\n"), []);
    });

    it("gives LF text for CRLF documents, and finds prose by its non-ASCII words", () => {
        const notes = "# Größenordnung\r\n\r\nDie Größenordnung der Straße hängt vom Maßstab ab.\r\n";
        const index = indexOf({ "notes/maße.md": notes, "src/util/money.ts": MONEY });
        const [snippet] = select(index, "Welcher Maßstab gilt für die Straße?", { path: "notes/frage.md", languageId: "markdown" });
        assert.equal(snippet.path, "notes/maße.md");
        assert.equal(snippet.text, "# Größenordnung\n\nDie Größenordnung der Straße hängt vom Maßstab ab.");
        assert.equal(snippet.languageId, "markdown");
    });

    it("copes with a 10 MB minified neighbour and a minified window", () => {
        const minified = "function toCents(a1){return a1*100};var priceList=[];".repeat(200_000);
        const index = indexOf({ "dist/app.min.js": minified, "src/util/money.ts": MONEY });
        assert.ok(select(index, CART).length >= 1);
        const snippets = select(index, minified.slice(0, 5_000_000), { path: "dist/app.min.js", cursorLine: 0 });
        assert.ok(snippets.every((s) => s.text.length <= 4_000));
    });

    it("builds the vocabulary again past its limit, with the same results", () => {
        const documents = { "src/util/money.ts": MONEY, "src/log.ts": LOGGER, "src/config.ts": CONFIG };
        const small = indexOf(documents, { maxVocabulary: 8 });
        small.record({ path: "src/recent.ts", languageId: "typescript", text: "const cartTotal = toCents(priceList);", startLine: 0, source: "edit" });
        const large = indexOf(documents);
        large.record({ path: "src/recent.ts", languageId: "typescript", text: "const cartTotal = toCents(priceList);", startLine: 0, source: "edit" });
        assert.deepEqual(select(small, CART), select(large, CART));
        assert.ok(small.stats().vocabulary <= large.stats().vocabulary);
    });

    it("forgets documents and ring entries on removal and clear", () => {
        const index = indexOf({ "src/util/money.ts": MONEY, "src/log.ts": LOGGER });
        index.record({ path: "src/util/money.ts", languageId: "typescript", text: MONEY, startLine: 0, source: "view" });
        index.removeDocument("src/util/money.ts");
        assert.deepEqual(index.stats(), { documents: 1, chunks: 1, vocabulary: index.stats().vocabulary, ringEntries: 1 });
        assert.equal(select(index, CART).at(-1)?.source, "view", "the ring keeps what was seen of a closed file");
        index.clear();
        assert.deepEqual(index.stats(), { documents: 0, chunks: 0, vocabulary: 0, ringEntries: 0 });
        assert.deepEqual(select(index, CART), []);
    });

    it("turns tokens into characters with a constant below code's measured 3.4 characters per token", () => {
        assert.ok(CHARS_PER_TOKEN_ESTIMATE > 0 && CHARS_PER_TOKEN_ESTIMATE <= 3.4);
    });
});
