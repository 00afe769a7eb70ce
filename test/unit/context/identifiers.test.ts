// Identifier sets: what counts as a word, the shared vocabulary, and set similarity.

import * as assert from "node:assert/strict";
import { MAX_IDENTIFIER_LENGTH, NO_ID, Vocabulary, forEachToken, identifierSet, intersectionSize, jaccard, probeSet, toIdSet } from "../../../src/context/identifiers";

function words(text: string): string[] {
    const vocabulary = new Vocabulary();
    const found: string[] = [];
    forEachToken(text, (token) => {
        if (vocabulary.intern(token) !== NO_ID) found.push(token.toLowerCase());
    });
    return found;
}

describe("context identifiers", () => {
    it("takes identifiers, not numbers, punctuation or 1-character names", () => {
        assert.deepEqual(words("const total_price = $scope.items[0] + 100 * x;"), ["total_price", "$scope", "items"]);
        assert.deepEqual(words("a1 b2c 3d _x __init__"), ["a1", "b2c", "_x", "__init__"]);
    });

    it("folds case, so User, user and USER are one word", () => {
        const vocabulary = new Vocabulary();
        assert.equal(vocabulary.intern("User"), vocabulary.intern("user"));
        assert.equal(vocabulary.intern("USER"), vocabulary.intern("user"));
        assert.notEqual(vocabulary.intern("getUser"), vocabulary.intern("user"));
    });

    it("drops keywords and English stop words", () => {
        assert.deepEqual(words("export function toCents(x: number): number { return Math.round(x * 100); }"), ["tocents", "math", "round"]);
        assert.deepEqual(words("The price of the order is in cents"), ["price", "order", "cents"]);
        assert.deepEqual(words("def total(self): return self.items if True else None"), ["total", "items"]);
    });

    it("reads non-ASCII letters with their combining marks; emoji separate words", () => {
        assert.deepEqual(words("größe = Größe + naïve"), ["größe", "größe", "naïve"]);
        assert.deepEqual(words("日本語のテキスト"), ["日本語のテキスト"]);
        assert.deepEqual(words("नमस्ते दुनिया"), ["नमस्ते", "दुनिया"]);
        assert.deepEqual(words("rocket🚀launch 👋 wave"), ["rocket", "launch", "wave"]);
    });

    it("drops words too long to be names (data, hashes)", () => {
        const long = "a".repeat(MAX_IDENTIFIER_LENGTH + 1);
        assert.deepEqual(words(`${"b".repeat(MAX_IDENTIFIER_LENGTH)} ${long}`), ["b".repeat(MAX_IDENTIFIER_LENGTH)]);
    });

    it("gives the same id to the same word across texts, and counts ids from 1", () => {
        const vocabulary = new Vocabulary();
        const a = identifierSet("alpha beta gamma beta", vocabulary);
        const b = identifierSet("gamma delta Alpha", vocabulary);
        assert.deepEqual([...a], [1, 2, 3]);
        assert.deepEqual([...b], [1, 3, 4]);
        assert.equal(vocabulary.size, 4);
    });

    it("makes sorted sets without repeats", () => {
        assert.deepEqual([...toIdSet([5, 1, 5, 3, 1])], [1, 3, 5]);
        assert.deepEqual([...toIdSet([])], []);
        assert.ok(toIdSet([2]) instanceof Uint32Array);
    });

    it("probes the window without growing the vocabulary, counting its unknown words", () => {
        const vocabulary = new Vocabulary();
        identifierSet("alpha beta", vocabulary);
        const probe = probeSet("alpha Gamma gamma delta the x", vocabulary);
        assert.deepEqual([...probe.ids], [1]);
        assert.equal(probe.unknown, 2, "gamma (once, case-folded) and delta; stop words and short names are not words");
        assert.equal(vocabulary.size, 2);
        assert.deepEqual(probeSet("", vocabulary), { ids: new Uint32Array(0), unknown: 0 });
    });

    it("measures Jaccard similarity of sorted sets", () => {
        const a = Uint32Array.from([1, 2, 3, 4]);
        const b = Uint32Array.from([3, 4, 5]);
        assert.equal(intersectionSize(a, b), 2);
        assert.equal(jaccard(a, b), 2 / 5);
        assert.equal(jaccard(a, a), 1);
        assert.equal(jaccard(new Uint32Array(0), new Uint32Array(0)), 0);
    });
});
