import * as assert from "node:assert/strict";
import { applyEdit, eolOf, languageIdFor, parseTrace, resolveCursor } from "../../../src/cli/cliInput";
import { UsageError } from "../../../src/cli/usage";

describe("CLI input", () => {
    it("resolves 1-based line/col, offsets and the default end of file", () => {
        const text = "ab\r\ncd\nef";
        assert.equal(resolveCursor(text, { line: "2", col: "2" }), 5);
        assert.equal(resolveCursor(text, { line: "2", col: "3" }), 6);
        assert.equal(resolveCursor(text, { offset: "3" }), 3);
        assert.equal(resolveCursor(text, {}), text.length);
    });

    it("rejects positions outside the file with a usage error", () => {
        assert.throws(() => resolveCursor("ab", { offset: "3" }), UsageError);
        assert.throws(() => resolveCursor("ab", { line: "3" }), /past the end/);
        assert.throws(() => resolveCursor("ab\r\n", { line: "1", col: "4" }), /past the end of line 1/);
        assert.throws(() => resolveCursor("ab", { offset: "1", line: "1" }), /not both/);
    });

    it("parses and applies a trace, with the cursor after the insertion", () => {
        const edits = parseTrace('[{"offset": 1, "insert": "XY"}, {"offset": 0, "insert": "", "delete": 2}]', "t.json");
        let state = applyEdit("abc", edits[0], 0);
        assert.deepEqual(state, { text: "aXYbc", cursor: 3 });
        state = applyEdit(state.text, edits[1], 1);
        assert.deepEqual(state, { text: "Ybc", cursor: 0 });
    });

    it("explains a malformed trace", () => {
        assert.throws(() => parseTrace("{", "t.json"), /not valid JSON/);
        assert.throws(() => parseTrace('{"offset": 1}', "t.json"), /JSON array/);
        assert.throws(() => parseTrace('[{"offset": "x"}]', "t.json"), /step 0/);
        assert.throws(() => applyEdit("abc", { offset: 2, insert: "", delete: 5 }, 4), /trace step 4/);
    });

    it("names the language as VS Code does and reads the line ending, for post-processing", () => {
        assert.equal(languageIdFor("src/app.ts"), "typescript");
        assert.equal(languageIdFor("/tmp/x/notes.MD"), "markdown");
        assert.equal(languageIdFor("tool.py"), "python");
        assert.equal(languageIdFor("Makefile"), "plaintext");
        assert.equal(languageIdFor("odd.constructor"), "plaintext");
        assert.equal(eolOf("a\r\nb\nc"), "\r\n");
        assert.equal(eolOf("a\nb\r\n"), "\n");
        assert.equal(eolOf("one line"), "\n");
    });
});
