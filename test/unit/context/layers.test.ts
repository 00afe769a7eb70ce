// The fence around src/context (eslint.config.mjs, CONTRIBUTING.md "Layers"): no vscode at all, of our
// folders only text/ and suggestion/, and no layer but the adapters imports it.

import * as assert from "node:assert/strict";
import * as path from "node:path";
import { ESLint } from "eslint";

const ROOT = path.resolve(__dirname, "../../..");

async function restricted(file: string, code: string): Promise<boolean> {
    const [result] = await new ESLint({ cwd: ROOT }).lintText(code, { filePath: path.join(ROOT, file) });
    return result.messages.some((m) => m.ruleId === "@typescript-eslint/no-restricted-imports");
}

describe("context layer in lint", function () {
    this.timeout(60_000);

    it("lets src/context import text/, suggestion/ and Node, and nothing else of ours", async () => {
        assert.equal(await restricted("src/context/x.ts", 'import { isCutPoint } from "../text/cutPoints";\nexport const c = isCutPoint;\n'), false);
        assert.equal(await restricted("src/context/x.ts", 'import { rulesFor } from "../suggestion/languages";\nexport const r = rulesFor;\n'), false);
        assert.equal(await restricted("src/context/x.ts", 'import * as fs from "node:fs";\nexport const f = fs;\n'), false);
        assert.equal(await restricted("src/context/x.ts", 'import { resolvePrompt } from "../backend/resolvePrompt";\nexport const r = resolvePrompt;\n'), true);
        assert.equal(await restricted("src/context/x.ts", 'import { readSettings } from "../config";\nexport const r = readSettings;\n'), true);
        assert.equal(await restricted("src/context/x.ts", 'import { formatBytes } from "../util/bytes";\nexport const m = formatBytes;\n'), true);
    });

    it("keeps vscode out of src/context at run time", async () => {
        assert.equal(await restricted("src/context/x.ts", 'import * as vscode from "vscode";\nexport const w = vscode.window;\n'), true);
    });

    it("is imported by adapters, not by the layers below them", async () => {
        const code = 'import { ContextIndex } from "../context/contextIndex";\nexport const c = ContextIndex;\n';
        assert.equal(await restricted("src/ui/x.ts", code), false);
        assert.equal(await restricted("src/engine/x.ts", code), true);
        assert.equal(await restricted("src/suggestion/x.ts", code), true);
    });
});
