// Bundles the extension-host suite (test/host/suite) into dist/test/host/suite: index.js plus one
// bundle per *.test.ts, which index.js finds at run time. `vscode` is the host's and node-llama-cpp
// loads from node_modules (as in build.mjs); mocha is bundled, since its entry is ESM and
// require(esm) differs between code-server's Node 24 and Electron's Node.
import * as esbuild from "esbuild";
import * as fs from "node:fs";
import * as path from "node:path";

const SUITE = "test/host/suite";
const OUT = "dist/test/host/suite";

const tests = fs.readdirSync(SUITE, { recursive: true })
    .filter((file) => file.endsWith(".test.ts"))
    .map((file) => path.join(SUITE, file));

fs.rmSync(OUT, { recursive: true, force: true }); // no stale bundles of deleted tests
await esbuild.build({
    entryPoints: [path.join(SUITE, "index.ts"), ...tests],
    outbase: SUITE,
    outdir: OUT,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: ["vscode", "node-llama-cpp"],
    sourcemap: "linked",
    // Only mocha's parallel mode resolves files next to itself; the host suite runs serially.
    logOverride: { "require-resolve-not-external": "silent" },
    logLevel: process.argv.includes("--quiet") ? "error" : "info",
});
