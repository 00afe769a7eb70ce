// macOS can't run here, so this checks the next best thing: node-llama-cpp's OWN lookup of its
// prebuilt binary, run on the unpacked darwin-arm64 and darwin-x64 packages with macOS as the
// platform. The modules come from the unpacked tree (node_modules/node-llama-cpp/dist/...), so the
// lookup imports `@node-llama-cpp/<name>` from there exactly as on a Mac, calls its getBinsDir() and
// compares its version with node-llama-cpp's own. Pinned to node-llama-cpp 3.21.1's internals:
//   bindings/utils/getBestComputeLayersAvailable.js  detectBestComputeLayersAvailable({platform, arch})
//     (what getLlama({gpu: "auto"}) tries, in order: ["metal"] on Apple silicon, [..., false] on Intel)
//   bindings/utils/getBuildFolderNameForBuildOptions.js  the bins/<folder> name for the build options
//   bindings/utils/compileLLamaCpp.js  getPrebuiltBinaryPath(buildOptions, folder), whose
//     getPrebuiltBinariesPackageDirectoryForBuildOptions maps mac+arm64+metal to mac-arm64-metal and
//     mac+x64+false to mac-x64, and returns null for a binary package of another version.
// A failed import here (a renamed module or function) means node-llama-cpp changed: read its
// getLlama.js again and adapt this test, don't delete it.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { identifyNative } from "../../scripts/package/nativeFormat";
import { findTarget, type PackageTarget } from "../../scripts/package/targets";
import { Zip } from "../../scripts/package/zip";

const ROOT = path.resolve(__dirname, "../..");
const PACKAGES = process.env.SOLAR_PACKAGES_DIR ?? path.join(ROOT, "packages");

type Gpu = false | "metal" | "cuda" | "vulkan";
interface BuildOptions {
    readonly customCmakeOptions: Map<string, string>;
    readonly progressLogs: boolean;
    readonly platform: "mac";
    readonly platformInfo: { readonly name: string; readonly version: string };
    readonly arch: string;
    readonly gpu: Gpu;
    readonly llamaCpp: { readonly repo: string; readonly release: string };
}
interface Lookup {
    readonly detectBestComputeLayersAvailable: (options: { platform: string; arch: string }) => Promise<Gpu[]>;
    readonly getBuildFolderNameForBuildOptions: (options: BuildOptions) => Promise<{ withoutCustomCmakeOptions: string }>;
    readonly getPrebuiltBinaryPath: (options: BuildOptions, folderName: string) => Promise<{ binaryPath: string; folderName: string } | null>;
    readonly builtinLlamaCppGitHubRepo: string;
    readonly builtinLlamaCppRelease: string;
}

/** Unpacks the package's node_modules (all the lookup reads) into `into`; optionally rewrites a binary package's version. */
function unpack(target: PackageTarget, into: string, versionOverride?: { name: string; version: string }): string {
    new Zip(path.join(PACKAGES, `solar-complete-${target.target}.vsix`)).extract("extension/", into);
    if (versionOverride) {
        const file = path.join(into, "node_modules", versionOverride.name, "package.json");
        fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, "utf8")), version: versionOverride.version }));
    }
    return into;
}

async function loadLookup(extension: string): Promise<Lookup> {
    const dist = path.join(extension, "node_modules/node-llama-cpp/dist");
    const load = (file: string) => import(pathToFileURL(path.join(dist, file)).href) as Promise<Record<string, unknown>>;
    const [best, folder, compile, config, release] = await Promise.all([
        load("bindings/utils/getBestComputeLayersAvailable.js"),
        load("bindings/utils/getBuildFolderNameForBuildOptions.js"),
        load("bindings/utils/compileLLamaCpp.js"),
        load("config.js"),
        load("bindings/utils/binariesGithubRelease.js"),
    ]);
    const lookup = {
        detectBestComputeLayersAvailable: best.detectBestComputeLayersAvailable,
        getBuildFolderNameForBuildOptions: folder.getBuildFolderNameForBuildOptions,
        getPrebuiltBinaryPath: compile.getPrebuiltBinaryPath,
        builtinLlamaCppGitHubRepo: config.builtinLlamaCppGitHubRepo,
        builtinLlamaCppRelease: release.builtinLlamaCppRelease,
    };
    for (const [name, value] of Object.entries(lookup)) {
        assert.ok(value !== undefined, `node-llama-cpp ${JSON.parse(fs.readFileSync(path.join(dist, "../package.json"), "utf8")).version} no longer exports ${name}`);
    }
    return lookup as Lookup;
}

/** The binary getLlama({gpu, build: "never"}) would load on a Mac of this arch, as its loadExistingLlamaBinary looks it up. */
async function prebuiltBinaryFor(lookup: Lookup, arch: string, gpu: Gpu): Promise<string | undefined> {
    const options: BuildOptions = {
        customCmakeOptions: new Map(),
        progressLogs: false,
        platform: "mac",
        platformInfo: { name: "macOS", version: "15.0.0" },
        arch,
        gpu,
        llamaCpp: { repo: lookup.builtinLlamaCppGitHubRepo, release: lookup.builtinLlamaCppRelease },
    };
    const folder = await lookup.getBuildFolderNameForBuildOptions(options);
    return (await lookup.getPrebuiltBinaryPath(options, folder.withoutCustomCmakeOptions))?.binaryPath ?? undefined;
}

const CASES = [
    { target: findTarget("darwin-arm64"), arch: "arm64", autoOrder: ["metal"] as Gpu[], found: "mac-arm64-metal" },
    { target: findTarget("darwin-x64"), arch: "x64", autoOrder: [false] as Gpu[], found: "mac-x64" },
];

for (const { target, arch, autoOrder, found } of CASES) {
    describe(`node-llama-cpp's own binary lookup in the unpacked ${target.target} .vsix (macOS ${arch})`, function () {
        this.timeout(60_000);
        let temp: string;
        let lookup: Lookup;
        let extension: string;
        before(async () => {
            temp = fs.mkdtempSync(path.join(os.tmpdir(), `solar-mac-lookup-${target.target}-`));
            extension = unpack(target, path.join(temp, "installed"));
            lookup = await loadLookup(extension);
        });
        after(() => fs.rmSync(temp, { recursive: true, force: true }));

        it(`tries ${JSON.stringify(autoOrder)} for gpu "auto", and the first finds the packaged ${found} binary, a Mach-O ${arch} file`, async () => {
            // With no Vulkan loader on PATH (none on a Mac by default, none here) Intel Macs get [false].
            assert.deepEqual(await lookup.detectBestComputeLayersAvailable({ platform: "mac", arch }), autoOrder);
            const binary = await prebuiltBinaryFor(lookup, arch, autoOrder[0]);
            const expected = path.join(extension, "node_modules", "@node-llama-cpp", found, "bins", found, "llama-addon.node");
            assert.equal(binary, expected);
            const native = identifyNative(fs.readFileSync(expected));
            assert.deepEqual([native?.format, native?.archs], ["Mach-O", [arch]]);
        });

        if (arch === "x64") {
            it("finds the same binary for gpu false (the \"cpu\" setting)", async () => {
                assert.equal(await prebuiltBinaryFor(lookup, arch, false), path.join(extension, "node_modules/@node-llama-cpp/mac-x64/bins/mac-x64/llama-addon.node"));
            });
        } else {
            it("has no CPU-only build for Apple silicon: gpu false finds nothing, so the engine must ask for Metal there", async () => {
                // node-llama-cpp 3.21.1 publishes no mac-arm64 package without Metal; getLlama({gpu: false})
                // on an M-series Mac would fail with NoBinaryFoundError.
                assert.equal(await prebuiltBinaryFor(lookup, arch, false), undefined);
            });
        }

        it("refuses the packaged binary when its version differs from node-llama-cpp's (the rule the packager enforces)", async () => {
            const other = unpack(target, path.join(temp, "other-version"), { name: `@node-llama-cpp/${found}`, version: "0.0.1" });
            assert.equal(await prebuiltBinaryFor(await loadLookup(other), arch, autoOrder[0]), undefined);
        });
    });
}
