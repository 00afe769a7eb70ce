// What each platform .vsix carries, read from the archives that `npm run package` wrote (the
// test:package script builds all five first): its own platform's llama.cpp binaries and nothing of
// the others, every native file in the target's format and architecture (headers parsed by
// scripts/package/nativeFormat.ts), binary packages at exactly node-llama-cpp's version, no sources,
// tests or dev dependencies, production bundles, under the target's size budget.
// SOLAR_PACKAGES_DIR=<folder> checks the .vsix files in another folder.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describeNative, identifyNative } from "../../scripts/package/nativeFormat";
import { PACKAGE_TARGETS, type PackageTarget } from "../../scripts/package/targets";
import { Zip } from "../../scripts/package/zip";

const ROOT = path.resolve(__dirname, "../..");
const PACKAGES = process.env.SOLAR_PACKAGES_DIR ?? path.join(ROOT, "packages");
const repoManifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
/** File names that are native code on some platform; each must parse as the target's format. */
const NATIVE_NAME = /\.(node|so|dylib|dll|exe)$|\.so\.\d|\.metallib$/;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

interface PackageJson {
    readonly name: string;
    readonly version: string;
    readonly os?: string[];
    readonly cpu?: string[];
    readonly dependencies?: Record<string, string>;
    readonly optionalDependencies?: Record<string, string>;
}

/** The package folders inside the archive: node_modules/<name> or node_modules/@scope/<name>, nested ones too. */
function packagesIn(entries: readonly string[]): string[] {
    return entries.filter((e) => e.startsWith("extension/") && e.endsWith("/package.json"))
        .map((e) => e.slice("extension/".length, -"/package.json".length))
        .filter((dir) => /(^|\/)node_modules\/(@[^/]+\/)?[^/@]+$/.test(dir));
}

for (const target of PACKAGE_TARGETS) describeTarget(target);

function describeTarget(target: PackageTarget): void {
    describe(`the ${target.target} .vsix`, () => {
        const vsix = path.join(PACKAGES, `solar-complete-${target.target}.vsix`);
        let zip: Zip;
        let entries: string[];
        const json = (name: string) => JSON.parse(zip.read(name).toString("utf8")) as PackageJson;
        before(function () {
            this.timeout(60_000);
            if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: run "npm run package" (npm run test:package does)`);
            zip = new Zip(vsix);
            entries = zip.files();
        });

        it(`declares the ${target.target} target`, () => {
            assert.match(zip.read("extension.vsixmanifest").toString("utf8"), new RegExp(`TargetPlatform="${target.target}"`));
        });

        it(`is within its ${mib(target.sizeBudgetBytes)} budget`, () => {
            const bytes = fs.statSync(vsix).size;
            console.log(`      ${target.target}: ${mib(bytes)} of ${mib(target.sizeBudgetBytes)}`);
            assert.ok(bytes <= target.sizeBudgetBytes, `${mib(bytes)} > ${mib(target.sizeBudgetBytes)}`);
        });

        it("carries node-llama-cpp with its runtime dependencies, and its own binary packages, each with a loadable binary", () => {
            for (const file of ["node-llama-cpp/package.json", "node-llama-cpp/dist/index.js", "node-llama-cpp/llama/binariesGithubRelease.json"]) {
                assert.ok(entries.includes(`extension/node_modules/${file}`), file);
            }
            const llama = json("extension/node_modules/node-llama-cpp/package.json");
            for (const dependency of Object.keys(llama.dependencies ?? {})) {
                assert.ok(entries.includes(`extension/node_modules/${dependency}/package.json`), `node-llama-cpp's dependency ${dependency}`);
            }
            for (const name of target.llamaPackages) {
                // node-llama-cpp loads bins/<folder>/llama-addon.node when _nlcBuildMetadata.json sits next to it.
                const folder = name.slice("@node-llama-cpp/".length);
                for (const file of ["dist/index.js", `bins/${folder}/llama-addon.node`, `bins/${folder}/_nlcBuildMetadata.json`]) {
                    assert.ok(entries.includes(`extension/node_modules/${name}/${file}`), `${name}/${file}`);
                }
            }
        });

        it(`has binary packages at exactly node-llama-cpp's version (${repoManifest.dependencies["node-llama-cpp"]}), and only this target's`, () => {
            const llama = json("extension/node_modules/node-llama-cpp/package.json");
            assert.equal(llama.version, repoManifest.dependencies["node-llama-cpp"], "node-llama-cpp is the pinned version");
            const platformPackages = packagesIn(entries).filter((dir) => /(^|\/)node_modules\/(@node-llama-cpp\/|@reflink\/reflink-)/.test(dir))
                .map((dir) => dir.slice(dir.lastIndexOf("node_modules/") + "node_modules/".length));
            assert.deepEqual(platformPackages.sort(), [...target.llamaPackages, target.reflinkPackage].sort());
            for (const name of target.llamaPackages) {
                const binary = json(`extension/node_modules/${name}/package.json`);
                assert.equal(binary.version, llama.version, `${name}'s version`);
                assert.ok(binary.os?.includes(target.os) && binary.cpu?.includes(target.cpu), `${name} is for ${binary.os}/${binary.cpu}`);
            }
            const reflink = json(`extension/node_modules/${target.reflinkPackage}/package.json`);
            assert.equal(reflink.version, json("extension/node_modules/@reflink/reflink/package.json").optionalDependencies?.[target.reflinkPackage]);
            assert.ok(reflink.os?.includes(target.os) && reflink.cpu?.includes(target.cpu), `${target.reflinkPackage} is for ${reflink.os}/${reflink.cpu}`);
        });

        it(`has nothing but ${target.native.description} native files`, function () {
            this.timeout(60_000);
            const wrong: string[] = [];
            const found: string[] = [];
            for (const file of entries) {
                const bytes = zip.read(file);
                const native = identifyNative(bytes);
                const isMetalLibrary = file.endsWith(".metallib");
                if (!native && !NATIVE_NAME.test(file)) continue;
                found.push(file);
                if (isMetalLibrary) {
                    // Metal shader libraries ("MTLB") belong to macOS packages only.
                    if (target.os !== "darwin" || bytes.toString("latin1", 0, 4) !== "MTLB") wrong.push(`${file}: a Metal library in a ${target.target} package`);
                    continue;
                }
                const ok = native && native.format === target.native.format && native.bits === 64 && native.archs.includes(target.native.arch)
                    && (native.variant !== "fat" || native.archs.every((arch) => !arch.startsWith("unknown")))
                    && (target.native.format !== "PE" || native.variant === "PE32+");
                if (!ok) wrong.push(`${file}: ${describeNative(native)}`);
            }
            assert.deepEqual(wrong, [], `not ${target.native.description}`);
            // At least llama-addon.node, libllama and ggml per binary package, and reflink's addon.
            assert.ok(found.length >= 3 * target.llamaPackages.length + 1, found.join("\n"));
            for (const name of target.llamaPackages) assert.ok(found.some((f) => f.startsWith(`extension/node_modules/${name}/`)), `${name} has native files`);
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
                "extension/media/walkthrough.png",
                ...fs.readdirSync(path.join(ROOT, "media/walkthrough")).map((file) => `extension/media/walkthrough/${file}`),
                "extension/package.json",
                "extension/package.nls.json",
                "extension/readme.md",
            ].sort());
            assert.deepEqual(entries.filter((e) => /\.(ts|mts|cts|map|lib)$|\/(test|tests|__tests__)\/|gitRelease\.bundle$/.test(e)), []);
            const devOnly = Object.keys(repoManifest.devDependencies).filter((name) => entries.some((e) => e.startsWith(`extension/node_modules/${name}/`)));
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

        it("loads node-llama-cpp only in the engine, and only through import() (it is ESM with top-level await)", () => {
            // A value import compiles to require(), which Node refuses for node-llama-cpp (ERR_REQUIRE_ESM on
            // Node 20, ERR_REQUIRE_ASYNC_MODULE on 22.12+): the engine would die at its first load, on every platform.
            const loads = (code: string, how: "require" | "import") => new RegExp(`\\b${how}\\(\\s*["'\`]node-llama-cpp["'\`]\\s*\\)`).test(code);
            const worker = zip.read("extension/dist/worker.js").toString("utf8");
            const extension = zip.read("extension/dist/extension.js").toString("utf8");
            assert.ok(loads(worker, "import"), "the engine imports node-llama-cpp");
            assert.ok(!loads(worker, "require"), "the engine bundle require()s node-llama-cpp");
            assert.ok(!loads(extension, "require") && !loads(extension, "import"), "the extension host loads node-llama-cpp");
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
}
