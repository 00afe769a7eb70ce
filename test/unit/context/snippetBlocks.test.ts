// Snippet blocks as the base model reads them: commented in the current file's language, or after a
// plain separator where it has no line comment or is prose. Byte-exact, since the KV cache depends on it.

import * as assert from "node:assert/strict";
import type { Snippet } from "../../../src/context/snippet";
import { blockComment, renderBlock, renderBlocks } from "../../../src/context/snippetBlocks";

function snippet(text: string, path = "src/util/money.ts", languageId = "typescript"): Snippet {
    return { path, languageId, text, startLine: 0, endLine: text.split("\n").length, score: 0.5, source: "document" };
}

const MONEY = "export function toCents(x: number) {\n\n    return Math.round(x * 100);\n}";

describe("context snippet blocks", () => {
    it("comments every line with the current language's line comment, under a Path header", () => {
        assert.equal(
            renderBlock(snippet(MONEY), "typescript"),
            "// Path: src/util/money.ts\n// export function toCents(x: number) {\n//\n//     return Math.round(x * 100);\n// }\n",
        );
    });

    it("uses # for Python, shell and YAML, -- for SQL, Lua and Haskell, ; for Lisp", () => {
        for (const languageId of ["python", "shellscript", "yaml", "ruby", "dockerfile"]) assert.equal(blockComment(languageId), "#", languageId);
        for (const languageId of ["sql", "lua", "haskell"]) assert.equal(blockComment(languageId), "--", languageId);
        for (const languageId of ["typescript", "javascript", "go", "rust", "java", "c", "cpp", "csharp", "scss", "jsonc"]) assert.equal(blockComment(languageId), "//", languageId);
        assert.equal(blockComment("clojure"), ";");
        assert.equal(blockComment("ini"), ";");
        assert.equal(renderBlock(snippet("SELECT 1", "q.sql", "sql"), "python"), "# Path: q.sql\n# SELECT 1\n");
        assert.equal(renderBlock(snippet("x = 1"), "sql"), "-- Path: src/util/money.ts\n-- x = 1\n");
    });

    it("puts prose and languages without a line comment after a plain separator, then a blank line", () => {
        for (const languageId of ["markdown", "plaintext", "latex", "html", "css", "json", "xml"]) assert.equal(blockComment(languageId), undefined, languageId);
        const expected = "--- Path: src/util/money.ts ---\nexport function toCents(x: number) {\n\n    return Math.round(x * 100);\n}\n\n";
        assert.equal(renderBlock(snippet(MONEY), "markdown"), expected);
        assert.equal(renderBlock(snippet(MONEY), "html"), expected);
        assert.equal(renderBlock(snippet("# Intro\n\nSome *notes*.", "notes/intro.md", "markdown"), "plaintext"), "--- Path: notes/intro.md ---\n# Intro\n\nSome *notes*.\n\n");
    });

    it("normalizes CRLF and lone CR to LF, and drops blank lines at the edges", () => {
        const crlf = "\r\n\r\nconst a = 1;\r\nconst b = 2;\rconst c = 3;\r\n\r\n   \r\n";
        assert.equal(renderBlock(snippet(crlf), "typescript"), "// Path: src/util/money.ts\n// const a = 1;\n// const b = 2;\n// const c = 3;\n");
    });

    it("keeps emoji and non-ASCII text, and drops a lone surrogate", () => {
        assert.equal(renderBlock(snippet("const größe = '👋🌍'; // 日本\ud83d"), "typescript"), "// Path: src/util/money.ts\n// const größe = '👋🌍'; // 日本\n");
    });

    it("keeps the header on one line whatever the path holds", () => {
        assert.equal(renderBlock(snippet("x1 = 2", "odd\r\nname.py"), "python"), "# Path: odd name.py\n# x1 = 2\n");
    });

    it("ends every block with a line break, even an empty one", () => {
        for (const languageId of ["typescript", "markdown"]) {
            for (const text of ["", "\n\n", "a", "a\n"]) assert.ok(renderBlock(snippet(text), languageId).endsWith("\n"), `${languageId} ${JSON.stringify(text)}`);
        }
        assert.equal(renderBlock(snippet(""), "typescript"), "// Path: src/util/money.ts\n");
    });

    it("renders the same snippets to byte-identical blocks, in their order", () => {
        const snippets = [snippet(MONEY), snippet("def f(): pass", "b.py", "python")];
        const first = renderBlocks(snippets, "typescript");
        assert.deepEqual(renderBlocks(snippets.map((s) => ({ ...s })), "typescript"), first);
        assert.equal(first.length, 2);
        assert.ok(first[1].startsWith("// Path: b.py\n"));
        assert.deepEqual(renderBlocks([], "typescript"), []);
    });
});
