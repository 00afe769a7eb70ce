// The window retrieval compares with: the last lines before the cursor.

import * as assert from "node:assert/strict";
import { MAX_WINDOW_CHARS, WINDOW_LINES, windowBeforeCursor } from "../../../src/context/window";

describe("context window", () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`);

    it("takes the last WINDOW_LINES lines, the cursor's partial line included", () => {
        const before = lines.join("\n") + "\npart";
        const window = windowBeforeCursor(before, 100);
        assert.equal(window.windowText, [...lines.slice(100 - WINDOW_LINES + 1), "part"].join("\n"));
        assert.deepEqual([window.windowStartLine, window.windowEndLine], [100 - WINDOW_LINES + 1, 101]);
    });

    it("takes what there is near the start of a document", () => {
        assert.deepEqual(windowBeforeCursor("a\nb", 1), { windowText: "a\nb", windowStartLine: 0, windowEndLine: 2 });
        assert.deepEqual(windowBeforeCursor("", 0), { windowText: "", windowStartLine: 0, windowEndLine: 1 });
        assert.deepEqual(windowBeforeCursor("x\n", 1), { windowText: "x\n", windowStartLine: 0, windowEndLine: 2 });
    });

    it("counts lines the same in CRLF text", () => {
        const window = windowBeforeCursor(lines.join("\r\n"), 99, 3);
        assert.equal(window.windowText, "line 97\r\nline 98\r\nline 99");
        assert.equal(window.windowStartLine, 97);
    });

    it("reads a minified line only MAX_WINDOW_CHARS back", () => {
        const minified = "x".repeat(5_000_000) + "😀";
        const window = windowBeforeCursor(minified, 0);
        assert.ok(window.windowText.length <= MAX_WINDOW_CHARS);
        assert.ok(window.windowText.endsWith("😀"));
        assert.equal(window.windowStartLine, 0);
    });
});
