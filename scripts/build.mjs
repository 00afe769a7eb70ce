// One esbuild script for every bundle. node-llama-cpp stays external: it is ESM-only, ships native
// binaries and finds them relative to its own package folder, so it can't be bundled.
import * as esbuild from "esbuild";

const args = new Set(process.argv.slice(2));
const production = args.has("--production");
const watch = args.has("--watch");
// `--outdir=<dir>`: where the bundles go (default dist/); the packager builds into its staging folder.
const outdir = process.argv.slice(2).find((a) => a.startsWith("--outdir="))?.slice("--outdir=".length) ?? "dist";

/** @type {import("esbuild").BuildOptions} */
const common = {
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: ["vscode", "node-llama-cpp"],
    sourcemap: production ? "external" : "linked",
    minify: production,
    logLevel: args.has("--quiet") ? "error" : "info",
};

const bundles = [
    { entryPoints: ["src/extension.ts"], outfile: "dist/extension.js" },
    { entryPoints: ["src/engine/worker.ts"], outfile: "dist/worker.js" },
    { entryPoints: ["src/cli/complete.ts"], outfile: "dist/cli/complete.js" },
    { entryPoints: ["src/cli/model.ts"], outfile: "dist/cli/model.js" },
].map((b) => ({ ...b, outfile: b.outfile.replace(/^dist\//, `${outdir}/`) }));

const contexts = await Promise.all(bundles.map((b) => esbuild.context({ ...common, ...b })));
if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
} else {
    await Promise.all(contexts.map((c) => c.rebuild()));
    await Promise.all(contexts.map((c) => c.dispose()));
}
