import * as assert from "node:assert/strict";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { GitignoredPaths } from "../../../src/context/gitignoredPaths";

/** A real folder tree on disk, read through the real file system. */
async function tree(files: Record<string, string>): Promise<string> {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), "solar-gitignore-"));
    for (const [name, text] of Object.entries(files)) {
        await fs.mkdir(path.dirname(path.join(root, name)), { recursive: true });
        await fs.writeFile(path.join(root, name), text);
    }
    return root;
}

const readText = (file: string) => fs.readFile(file, "utf8").catch(() => undefined);

describe("gitignored paths", () => {
    it("follows the root's .gitignore, nested ones relative to their folder, negation and .git/info/exclude", async () => {
        const root = await tree({
            ".gitignore": "dist/\n*.log\n!keep.log\n",
            "src/.gitignore": "generated/\n/local.ts\n",
            ".git/info/exclude": "scratch.md\n",
        });
        const paths = new GitignoredPaths(root, readText);
        const expected: Record<string, boolean> = {
            "src/app.ts": false,
            "dist/app.js": true,
            "debug.log": true,
            "keep.log": false,
            "src/generated/api.ts": true,
            "src/local.ts": true,
            "src/deep/local.ts": false,
            "scratch.md": true,
            ".git/config": true,
        };
        for (const [file, ignored] of Object.entries(expected)) {
            assert.equal(await paths.ignores(file), ignored, file);
        }
    });

    it("ignores nothing without rules, and reads changed rules after invalidate()", async () => {
        const root = await tree({ "a.ts": "" });
        const paths = new GitignoredPaths(root, readText);
        assert.equal(await paths.ignores("a.ts"), false);
        await fs.writeFile(path.join(root, ".gitignore"), "a.ts\n");
        assert.equal(await paths.ignores("a.ts"), false, "rules are read once until invalidated");
        paths.invalidate();
        assert.equal(await paths.ignores("a.ts"), true);
    });
});
