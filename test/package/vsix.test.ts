// What the linux-x64 .vsix carries, read from the archive that `npm run package` wrote (the
// test:package script builds it first): its own platform's llama.cpp binaries and nothing of the
// others, no sources, tests or dev dependencies, production bundles, under the size budget.
// SOLAR_PACKAGE_VSIX=<file> checks another linux-x64 .vsix.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { SIZE_BUDGET_BYTES } from "../../scripts/package/targets";
import { Zip } from "../../scripts/package/zip";

const ROOT = path.resolve(__dirname, "../..");
const VSIX = process.env.SOLAR_PACKAGE_VSIX ?? path.join(ROOT, "packages/solar-complete-linux-x64.vsix");

/** The ELF machine of a native file: 62 = x86-64, 183 = AArch64; undefined when not ELF (Mach-O, PE). */
function elfMachine(header: Buffer): number | undefined {
    if (header.readUInt32BE(0) !== 0x7f454c46) return undefined;
    return header.readUInt16LE(18);
}

describe("the linux-x64 .vsix", () => {
    let zip: Zip;
    let entries: string[];
    before(function () {
        if (!fs.existsSync(VSIX)) throw new Error(`${VSIX} is missing: run "npm run package -- --target linux-x64" (npm run test:package does)`);
        zip = new Zip(VSIX);
        entries = zip.files();
    });

    it("is under the 100 MB budget", () => {
        const bytes = fs.statSync(VSIX).size;
        assert.ok(bytes < SIZE_BUDGET_BYTES, `${(bytes / 1024 / 1024).toFixed(1)} MB`);
    });

    it("declares the linux-x64 target", () => {
        const manifest = zip.read("extension.vsixmanifest").toString("utf8");
        assert.match(manifest, /TargetPlatform="linux-x64"/);
    });

    it("carries node-llama-cpp with its runtime dependencies and the linux-x64 CPU and Vulkan binaries", () => {
        for (const file of [
            "extension/node_modules/node-llama-cpp/package.json",
            "extension/node_modules/node-llama-cpp/dist/index.js",
            "extension/node_modules/node-llama-cpp/llama/binariesGithubRelease.json",
            "extension/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/llama-addon.node",
            "extension/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/_nlcBuildMetadata.json",
            "extension/node_modules/@node-llama-cpp/linux-x64-vulkan/bins/linux-x64-vulkan/llama-addon.node",
        ]) assert.ok(entries.includes(file), file);
        const llama = JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/node-llama-cpp/package.json"), "utf8")) as { dependencies: Record<string, string> };
        for (const dependency of Object.keys(llama.dependencies)) {
            assert.ok(entries.includes(`extension/node_modules/${dependency}/package.json`), `node-llama-cpp's dependency ${dependency}`);
        }
    });

    it("has no other platform's, no CUDA and no arm64 binaries: every native file is x86-64 ELF", () => {
        const foreign = entries.filter((e) => /node_modules\/@node-llama-cpp\/(?!linux-x64\/|linux-x64-vulkan\/)|reflink-(?!linux-x64-gnu\/)[a-z0-9-]+\//.test(e));
        assert.deepEqual(foreign, []);
        const native = entries.filter((e) => /\.(node|so|dll|dylib|metallib|exe)$/.test(e));
        assert.ok(native.length >= 4, native.join("\n"));
        for (const file of native) {
            const header = zip.read(file).subarray(0, 20);
            assert.equal(elfMachine(header), 62, `${file} is not an x86-64 ELF file`);
        }
    });

    it("has no sources, tests, source maps or dev dependencies, and only the allowlisted top-level files", () => {
        const ours = entries.filter((e) => !e.startsWith("extension/node_modules/"));
        assert.deepEqual(ours.sort(), [
            "[Content_Types].xml",
            "extension.vsixmanifest",
            "extension/LICENSE.txt",
            "extension/changelog.md",
            "extension/dist/extension.js",
            "extension/dist/worker.js",
            "extension/media/ghost-text.png",
            "extension/media/icon.png",
            "extension/package.json",
            "extension/readme.md",
        ]);
        assert.deepEqual(entries.filter((e) => /\.(ts|mts|cts|map)$|\/(test|tests|__tests__)\//.test(e)), []);
        const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
        const devOnly = Object.keys(manifest.devDependencies).filter((name) => entries.some((e) => e.startsWith(`extension/node_modules/${name}/`)));
        assert.deepEqual(devOnly, []);
    });

    it("has the Marketplace metadata: a 256x256 PNG icon, license, and a README saying what is downloaded from where", () => {
        const manifest = zip.read("extension.vsixmanifest").toString("utf8");
        assert.match(manifest, /<Icon>extension\/media\/icon\.png<\/Icon>/);
        assert.match(manifest, /<License>extension\/LICENSE\.txt<\/License>/);
        const icon = zip.read("extension/media/icon.png");
        assert.equal(icon.toString("latin1", 1, 4), "PNG");
        assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [256, 256]);
        assert.match(zip.read("extension/LICENSE.txt").toString("utf8"), /Apache License\s+Version 2\.0/);
        const readme = zip.read("extension/readme.md").toString("utf8");
        for (const source of ["TheBloke/SOLAR-10.7B-v1.0-GGUF", "TheBloke/SOLAR-10.7B-Instruct-v1.0-GGUF", "https://registry.npmjs.org", "@node-llama-cpp/linux-x64-cuda", "CUDA available: install GPU pack?"]) {
            assert.ok(readme.includes(source), `README names ${source}`);
        }
    });

    it("carries minified production bundles without source map references", () => {
        for (const bundle of ["extension/dist/extension.js", "extension/dist/worker.js"]) {
            const code = zip.read(bundle).toString("utf8");
            assert.doesNotMatch(code, /sourceMappingURL/, bundle);
            const lines = code.split("\n").length;
            assert.ok(code.length / lines > 500, `${bundle}: ${lines} lines for ${code.length} characters is not minified`);
        }
    });
});
