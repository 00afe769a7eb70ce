// `npm run package [-- --target linux-x64 ...]`: one .vsix per platform in packages/, each with the
// production bundles, node-llama-cpp with its runtime dependencies, and only its own platform's
// prebuilt binaries. Each target is staged in packages/.staging/<target> (a copy of exactly what
// ships) and packed there by `vsce package --target`, whose `npm ls` then finds exactly the staged
// runtime tree (with --no-dependencies vsce would leave node_modules/ out altogether), and
// .vscodeignore's allowlist and vsce's checks apply to it. Source maps go to packages/sourcemaps/<version>/.
//
// Other platforms' binary packages come from the npm registry (`npm pack`), cached in
// ~/.cache/solar-complete/npm-binaries-v1. A target whose packages the registry doesn't have for this
// node-llama-cpp version is skipped with a message (`--strict` makes that an error); packages/
// packages.json lists what was built, with sizes by top-level folder.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isDroppedFile, packageTargets, PLATFORM_PACKAGE, type PackageTarget } from "./targets";
import { Zip, type ZipEntry } from "./zip";

const ROOT = path.resolve(__dirname, "../..");
export const PACKAGES_DIR = path.join(ROOT, "packages");
const BINARY_CACHE = process.env.SOLAR_NPM_BINARIES ?? path.join(os.homedir(), ".cache/solar-complete/npm-binaries-v1");
/** Top-level files of the package; .vscodeignore (allowlist) has the final word on what vsce takes. */
const TOP_LEVEL = ["package.json", "README.md", "CHANGELOG.md", "LICENSE", ".vscodeignore", "media/icon.png", "media/ghost-text.png"];

export interface BuiltPackage {
    readonly target: string;
    readonly file: string;
    readonly bytes: number;
    /** Compressed bytes per top-level folder (node_modules/ split one level further). */
    readonly folders: Record<string, number>;
    readonly nativePackages: readonly string[];
}

function run(command: string, args: string[], cwd: string): string {
    const result = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
    return result.stdout;
}

/** node-llama-cpp and what it needs at run time, as installed here, minus platform packages and optional peers. */
function runtimePackages(): string[] {
    const listed = run("npm", ["ls", "--omit=dev", "--all", "--parseable"], ROOT).split("\n").filter(Boolean)
        .map((dir) => path.relative(ROOT, dir)).filter((dir) => dir.startsWith("node_modules"));
    const manifests = listed.map((dir) => JSON.parse(fs.readFileSync(path.join(ROOT, dir, "package.json"), "utf8")) as Record<string, Record<string, unknown> | undefined>);
    const required = new Set(manifests.flatMap((m) => [...Object.keys(m.dependencies ?? {}), ...Object.keys(m.optionalDependencies ?? {})]));
    const optionalPeers = new Set(manifests.flatMap((m) => Object.entries(m.peerDependenciesMeta ?? {})
        .filter(([name, meta]) => (meta as { optional?: boolean }).optional && !required.has(name)).map(([name]) => name)));
    return listed.filter((dir) => {
        const name = dir.slice(dir.lastIndexOf("node_modules/") + "node_modules/".length);
        return !PLATFORM_PACKAGE.test(name) && !optionalPeers.has(name);
    });
}

/** Copies a package folder without its nested node_modules (those are listed on their own). */
function copyPackage(from: string, to: string, relativeTo: string): void {
    fs.cpSync(from, to, {
        recursive: true,
        filter: (source) => {
            const rel = path.relative(from, source);
            if (rel.split(path.sep)[0] === "node_modules") return false;
            return !isDroppedFile(path.relative(relativeTo, path.join(to, rel)));
        },
    });
}

/** The package's tarball from the npm registry (cached), unpacked into `to`; undefined when the registry lacks it. */
function fetchPackage(spec: string, to: string): boolean {
    fs.mkdirSync(BINARY_CACHE, { recursive: true });
    const tarball = path.join(BINARY_CACHE, spec.replace(/^@/, "").replace(/[/@]/g, "-") + ".tgz");
    if (!fs.existsSync(tarball)) {
        const packed = spawnSync("npm", ["pack", spec, "--json", "--pack-destination", BINARY_CACHE], { encoding: "utf8" });
        if (packed.status !== 0) return false;
        const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
        fs.renameSync(path.join(BINARY_CACHE, path.basename(filename)), tarball);
    }
    fs.mkdirSync(to, { recursive: true });
    run("tar", ["-xzf", tarball, "-C", to, "--strip-components=1"], ROOT);
    return true;
}

/** Copies the installed package when it is the wanted version, else fetches it. */
function addNativePackage(spec: string, nodeModules: string): boolean {
    const at = spec.lastIndexOf("@");
    const [name, version] = [spec.slice(0, at), spec.slice(at + 1)];
    const to = path.join(nodeModules, name);
    const installed = path.join(ROOT, "node_modules", name);
    const installedVersion = fs.existsSync(installed) ? (JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8")) as { version: string }).version : undefined;
    if (installedVersion === version) {
        copyPackage(installed, to, path.dirname(nodeModules));
        return true;
    }
    return fetchPackage(spec, to);
}

function stage(target: PackageTarget, staging: string, runtime: string[], bundles: string): string[] {
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    for (const file of TOP_LEVEL) {
        fs.mkdirSync(path.dirname(path.join(staging, file)), { recursive: true });
        fs.copyFileSync(path.join(ROOT, file), path.join(staging, file));
    }
    fs.cpSync(bundles, path.join(staging, "dist"), { recursive: true, filter: (source) => !source.endsWith(".map") });
    for (const dir of runtime) copyPackage(path.join(ROOT, dir), path.join(staging, dir), staging);
    const missing = target.nativePackages.filter((spec) => !addNativePackage(spec, path.join(staging, "node_modules")));
    return missing;
}

/** Compressed bytes per top-level folder (node_modules/<package> for dependencies). */
export function foldersOf(entries: readonly ZipEntry[]): Record<string, number> {
    const folders: Record<string, number> = {};
    for (const { name, compressedSize: compressed } of entries) {
        if (name.endsWith("/")) continue;
        const parts = name.replace(/^extension\//, "").split("/");
        const key = parts[0] === "node_modules"
            ? parts.slice(0, parts[1].startsWith("@") ? 3 : 2).join("/")
            : parts.length > 1 ? `${parts[0]}/` : parts[0];
        folders[key] = (folders[key] ?? 0) + compressed;
    }
    return folders;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** dist/, media/, node-llama-cpp, each binary package, the other dependencies together. */
export function describeFolders(folders: Record<string, number>): string {
    const groups: Record<string, number> = {};
    for (const [folder, bytes] of Object.entries(folders)) {
        const key = /^node_modules\/(node-llama-cpp|@node-llama-cpp\/|@reflink\/reflink-)/.test(folder) || !folder.startsWith("node_modules/")
            ? folder
            : "node_modules/(other dependencies)";
        groups[key] = (groups[key] ?? 0) + bytes;
    }
    return Object.entries(groups).filter(([, bytes]) => bytes >= 10_000).sort((a, b) => b[1] - a[1]).map(([folder, bytes]) => `${folder} ${mb(bytes)}`).join(", ");
}

function main(): void {
    const args = process.argv.slice(2);
    const strict = args.includes("--strict");
    const wanted = args.flatMap((arg, i) => (args[i - 1] === "--target" ? [arg] : []));
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
    const llamaVersion = (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/node-llama-cpp/package.json"), "utf8")) as { version: string }).version;
    const targets = packageTargets(llamaVersion).filter((t) => wanted.length === 0 || wanted.includes(t.target));
    if (wanted.length > targets.length) throw new Error(`unknown target among ${wanted.join(", ")}`);

    const started = Date.now();
    const bundles = path.join(PACKAGES_DIR, ".staging", "bundles");
    fs.rmSync(bundles, { recursive: true, force: true });
    run("node", ["scripts/build.mjs", "--production", "--quiet", `--outdir=${path.relative(ROOT, bundles)}`], ROOT);
    const maps = path.join(PACKAGES_DIR, "sourcemaps", manifest.version);
    fs.mkdirSync(maps, { recursive: true });
    for (const file of ["extension.js.map", "worker.js.map"]) fs.copyFileSync(path.join(bundles, file), path.join(maps, file));
    const runtime = runtimePackages();

    const summaryFile = path.join(PACKAGES_DIR, "packages.json");
    const summary: Record<string, BuiltPackage> = fs.existsSync(summaryFile) ? JSON.parse(fs.readFileSync(summaryFile, "utf8")) as Record<string, BuiltPackage> : {};
    const skipped: string[] = [];
    for (const target of targets) {
        const staging = path.join(PACKAGES_DIR, ".staging", target.target);
        const missing = stage(target, staging, runtime, bundles);
        if (missing.length) {
            const why = `${target.target}: skipped, the npm registry has no ${missing.join(", ")}`;
            if (strict) throw new Error(why);
            console.warn(`[package] ${why}`);
            skipped.push(target.target);
            delete summary[target.target];
            fs.rmSync(staging, { recursive: true, force: true });
            continue;
        }
        const file = path.join(PACKAGES_DIR, `solar-complete-${target.target}.vsix`);
        fs.rmSync(file, { force: true });
        const baseUrl = process.env.SOLAR_PUBLISH_BASE_URL; // where README's relative links point on the Marketplace
        run(path.join(ROOT, "node_modules/.bin/vsce"), [
            "package", "--target", target.target, "--out", file, "--allow-missing-repository",
            ...(baseUrl ? ["--baseContentUrl", baseUrl, "--baseImagesUrl", baseUrl] : ["--no-rewrite-relative-links"]),
        ], staging);
        const built: BuiltPackage = { target: target.target, file: path.relative(ROOT, file), bytes: fs.statSync(file).size, folders: foldersOf(new Zip(file).entries), nativePackages: target.nativePackages };
        summary[target.target] = built;
        console.log(`[package] ${built.file}: ${mb(built.bytes)}; compressed by folder: ${describeFolders(built.folders)}`);
        fs.rmSync(staging, { recursive: true, force: true });
    }
    fs.rmSync(path.join(PACKAGES_DIR, ".staging"), { recursive: true, force: true });
    fs.writeFileSync(summaryFile, JSON.stringify(summary, null, 2) + "\n");
    console.log(`[package] ${targets.length - skipped.length} of ${targets.length} targets in ${((Date.now() - started) / 1000).toFixed(0)} s; summary in ${path.relative(ROOT, summaryFile)}`);
}

if (require.main === module) main();
