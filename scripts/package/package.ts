// `npm run package [-- --target linux-x64 ...]`: one .vsix per platform in packages/, each with the
// production bundles, node-llama-cpp with its runtime dependencies, and only its own platform's
// prebuilt binaries. Each target is staged in packages/.staging/<target> (a copy of exactly what
// ships) and packed there by `vsce package --target`, whose `npm ls` then finds exactly the staged
// runtime tree (with --no-dependencies vsce would leave node_modules/ out altogether), and
// .vscodeignore's allowlist and vsce's checks apply to it. Source maps go to packages/sourcemaps/<version>/.
//
// Other platforms' binary packages come from the npm registry (`npm pack`), cached in
// ~/.cache/solar-complete/npm-binaries-v1. node-llama-cpp ignores a binary package whose version
// differs from its own, so every target needs its packages at exactly node-llama-cpp's version: when
// one is missing, nothing is built and the command fails, naming each missing package (before any
// bundle is built). packages/packages.json lists what was built, with sizes by top-level folder.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findTarget, isDroppedFile, nativePackageSpecs, PACKAGE_TARGETS, PLATFORM_PACKAGE, type PackageTarget } from "./targets";
import { Zip, type ZipEntry } from "./zip";

const ROOT = path.resolve(__dirname, "../..");
export const PACKAGES_DIR = path.join(ROOT, "packages");
const BINARY_CACHE = process.env.SOLAR_NPM_BINARIES ?? path.join(os.homedir(), ".cache/solar-complete/npm-binaries-v1");
/** Top-level files (and the walkthrough's folder) of the package; .vscodeignore (allowlist) has the final word on what vsce takes. */
const TOP_LEVEL = ["package.json", "package.nls.json", "README.md", "CHANGELOG.md", "LICENSE", ".vscodeignore", "media/icon.png", "media/ghost-text.png", "media/walkthrough.png", "media/walkthrough"];

export interface BuiltPackage {
    readonly target: string;
    readonly file: string;
    readonly bytes: number;
    readonly budgetBytes: number;
    /** Compressed bytes per top-level folder (node_modules/ split one level further). */
    readonly folders: Record<string, number>;
    readonly nativePackages: readonly string[];
}

/** A packaging failure with a message meant for the person running the command (no stack trace). */
export class PackagingError extends Error {
    override readonly name = "PackagingError";
}

function run(command: string, args: string[], cwd: string): string {
    const result = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
    return result.stdout;
}

function readManifest(dir: string): { name: string; version: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> } {
    return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as ReturnType<typeof readManifest>;
}

function splitSpec(spec: string): { name: string; version: string } {
    const at = spec.lastIndexOf("@");
    return { name: spec.slice(0, at), version: spec.slice(at + 1) };
}

/** The versions every target's binary packages must have: node-llama-cpp's own, and @reflink/reflink's pins. */
export function binaryVersions(): { llama: string; reflinkOf: (target: PackageTarget) => string } {
    const llama = readManifest(path.join(ROOT, "node_modules/node-llama-cpp")).version;
    const pinned = readManifest(ROOT).dependencies?.["node-llama-cpp"];
    if (pinned !== llama) {
        throw new PackagingError(`package.json pins node-llama-cpp ${pinned}, but ${llama} is installed: run npm install`);
    }
    const reflink = readManifest(path.join(ROOT, "node_modules/@reflink/reflink")).optionalDependencies ?? {};
    return {
        llama,
        reflinkOf: (target) => {
            const version = reflink[target.reflinkPackage];
            if (!version) throw new PackagingError(`@reflink/reflink lists no ${target.reflinkPackage}`);
            return version;
        },
    };
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

/** Where a binary package comes from: this install (when it is the wanted version) or a registry tarball. */
type PackageSource = { readonly kind: "installed"; readonly dir: string } | { readonly kind: "tarball"; readonly file: string };

function cachedTarball(spec: string): string {
    return path.join(BINARY_CACHE, spec.replace(/^@/, "").replace(/[/@]/g, "-") + ".tgz");
}

/** The package's source, fetching its tarball into the cache when needed; npm's reason when it can't. */
function locatePackage(spec: string): PackageSource | { readonly kind: "missing"; readonly reason: string } {
    const { name, version } = splitSpec(spec);
    const installed = path.join(ROOT, "node_modules", name);
    if (fs.existsSync(path.join(installed, "package.json")) && readManifest(installed).version === version) return { kind: "installed", dir: installed };
    const tarball = cachedTarball(spec);
    if (fs.existsSync(tarball)) return { kind: "tarball", file: tarball };
    fs.mkdirSync(BINARY_CACHE, { recursive: true });
    const packed = spawnSync("npm", ["pack", spec, "--json", "--pack-destination", BINARY_CACHE], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
    let output: unknown;
    try {
        output = JSON.parse(packed.stdout);
    } catch {
        output = undefined;
    }
    if (packed.status !== 0 || !Array.isArray(output)) {
        const error = (output as { error?: { code?: string; summary?: string } } | undefined)?.error;
        const reason = error ? `${error.code ?? "error"}: ${error.summary ?? ""}`.trim() : (packed.stderr.trim().split("\n").find((l) => /npm (ERR|error)/.test(l)) ?? `npm pack exited with ${packed.status ?? packed.signal}`);
        return { kind: "missing", reason };
    }
    const [{ filename }] = output as [{ filename: string }];
    fs.renameSync(path.join(BINARY_CACHE, path.basename(filename)), tarball);
    return { kind: "tarball", file: tarball };
}

/**
 * Every target's binary packages, located (and fetched into the cache) before anything is built.
 * Throws one PackagingError naming each package the registry lacks, by target.
 */
export function locateBinaryPackages(targets: readonly PackageTarget[]): Map<string, Map<string, PackageSource>> {
    const versions = binaryVersions();
    const located = new Map<string, Map<string, PackageSource>>();
    const missing: string[] = [];
    const failed = new Set<string>();
    for (const target of targets) {
        const sources = new Map<string, PackageSource>();
        for (const spec of nativePackageSpecs(target, { llama: versions.llama, reflink: versions.reflinkOf(target) })) {
            const source = locatePackage(spec);
            if (source.kind === "missing") {
                missing.push(`  ${target.target}: ${spec} (${source.reason})`);
                failed.add(target.target);
            } else {
                sources.set(spec, source);
            }
        }
        located.set(target.target, sources);
    }
    if (missing.length > 0) {
        throw new PackagingError([
            `cannot package ${[...failed].join(", ")}: node-llama-cpp ${versions.llama} needs binary packages of exactly its own version, and these are neither installed nor fetched from the registry:`,
            ...missing,
            `Pin node-llama-cpp to a version whose binary packages exist for every target (check with \`npm view @node-llama-cpp/<name> versions\`), or fix the registry access; nothing was built.`,
        ].join("\n"));
    }
    return located;
}

function addNativePackage(spec: string, source: PackageSource, nodeModules: string): void {
    const { name, version } = splitSpec(spec);
    const to = path.join(nodeModules, name);
    if (source.kind === "installed") {
        copyPackage(source.dir, to, path.dirname(nodeModules));
    } else {
        const unpacked = fs.mkdtempSync(path.join(os.tmpdir(), "solar-package-"));
        try {
            run("tar", ["-xzf", source.file, "-C", unpacked, "--strip-components=1"], ROOT);
            copyPackage(unpacked, to, path.dirname(nodeModules));
        } finally {
            fs.rmSync(unpacked, { recursive: true, force: true });
        }
    }
    const staged = readManifest(to);
    if (staged.name !== name || staged.version !== version) {
        throw new PackagingError(`${spec} staged as ${staged.name}@${staged.version} (from ${source.kind === "tarball" ? source.file : source.dir}): delete that file and run again`);
    }
}

function stage(staging: string, runtime: string[], bundles: string, natives: Map<string, PackageSource>): void {
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    for (const file of TOP_LEVEL) {
        fs.mkdirSync(path.dirname(path.join(staging, file)), { recursive: true });
        fs.cpSync(path.join(ROOT, file), path.join(staging, file), { recursive: true });
    }
    fs.cpSync(bundles, path.join(staging, "dist"), { recursive: true, filter: (source) => !source.endsWith(".map") });
    for (const dir of runtime) copyPackage(path.join(ROOT, dir), path.join(staging, dir), staging);
    for (const [spec, source] of natives) addNativePackage(spec, source, path.join(staging, "node_modules"));
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

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** dist/, media/, node-llama-cpp, each binary package, the other dependencies together. */
export function describeFolders(folders: Record<string, number>): string {
    const groups: Record<string, number> = {};
    for (const [folder, bytes] of Object.entries(folders)) {
        const key = /^node_modules\/(node-llama-cpp|@node-llama-cpp\/|@reflink\/reflink-)/.test(folder) || !folder.startsWith("node_modules/")
            ? folder
            : "node_modules/(other dependencies)";
        groups[key] = (groups[key] ?? 0) + bytes;
    }
    return Object.entries(groups).filter(([, bytes]) => bytes >= 10_000).sort((a, b) => b[1] - a[1]).map(([folder, bytes]) => `${folder} ${mib(bytes)}`).join(", ");
}

function parseArgs(args: readonly string[]): PackageTarget[] {
    const wanted: string[] = [];
    for (let i = 0; i < args.length; i++) {
        if (args[i] === "--target" && args[i + 1]) wanted.push(args[++i]);
        else throw new PackagingError(`unknown argument ${args[i]}; usage: npm run package [-- --target <${PACKAGE_TARGETS.map((t) => t.target).join("|")}> ...]`);
    }
    try {
        return wanted.length === 0 ? [...PACKAGE_TARGETS] : wanted.map(findTarget);
    } catch (error) {
        throw new PackagingError((error as Error).message);
    }
}

function main(): void {
    const targets = parseArgs(process.argv.slice(2));
    const started = Date.now();
    const located = locateBinaryPackages(targets);
    const manifest = readManifest(ROOT);

    const bundles = path.join(PACKAGES_DIR, ".staging", "bundles");
    fs.rmSync(bundles, { recursive: true, force: true });
    run("node", ["scripts/build.mjs", "--production", "--quiet", `--outdir=${path.relative(ROOT, bundles)}`], ROOT);
    const maps = path.join(PACKAGES_DIR, "sourcemaps", manifest.version);
    fs.mkdirSync(maps, { recursive: true });
    for (const file of ["extension.js.map", "worker.js.map"]) fs.copyFileSync(path.join(bundles, file), path.join(maps, file));
    const runtime = runtimePackages();

    const summaryFile = path.join(PACKAGES_DIR, "packages.json");
    const summary: Record<string, BuiltPackage> = fs.existsSync(summaryFile) ? JSON.parse(fs.readFileSync(summaryFile, "utf8")) as Record<string, BuiltPackage> : {};
    for (const target of targets) {
        const staging = path.join(PACKAGES_DIR, ".staging", target.target);
        const natives = located.get(target.target) ?? new Map<string, PackageSource>();
        stage(staging, runtime, bundles, natives);
        const file = path.join(PACKAGES_DIR, `solar-complete-${target.target}.vsix`);
        fs.rmSync(file, { force: true });
        const baseUrl = process.env.SOLAR_PUBLISH_BASE_URL; // where README's relative links point on the Marketplace
        run(path.join(ROOT, "node_modules/.bin/vsce"), [
            "package", "--target", target.target, "--out", file, "--allow-missing-repository",
            ...(baseUrl ? ["--baseContentUrl", baseUrl, "--baseImagesUrl", baseUrl] : ["--no-rewrite-relative-links"]),
        ], staging);
        const built: BuiltPackage = {
            target: target.target, file: path.relative(ROOT, file), bytes: fs.statSync(file).size, budgetBytes: target.sizeBudgetBytes,
            folders: foldersOf(new Zip(file).entries), nativePackages: [...natives.keys()],
        };
        summary[target.target] = built;
        console.log(`[package] ${built.file}: ${mib(built.bytes)} (budget ${mib(built.budgetBytes)}); compressed by folder: ${describeFolders(built.folders)}`);
        fs.rmSync(staging, { recursive: true, force: true });
    }
    fs.rmSync(path.join(PACKAGES_DIR, ".staging"), { recursive: true, force: true });
    fs.writeFileSync(summaryFile, JSON.stringify(summary, null, 2) + "\n");
    console.log(`[package] ${targets.length} target${targets.length === 1 ? "" : "s"} in ${((Date.now() - started) / 1000).toFixed(0)} s; summary in ${path.relative(ROOT, summaryFile)}`);
}

if (require.main === module) {
    try {
        main();
    } catch (error) {
        if (!(error instanceof PackagingError)) throw error;
        console.error(`[package] error: ${error.message}`);
        process.exitCode = 1;
    }
}
