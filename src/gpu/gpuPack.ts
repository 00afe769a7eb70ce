// The CUDA "GPU pack": node-llama-cpp's prebuilt CUDA binary package (@node-llama-cpp/linux-x64-cuda,
// ~180 MB unpacked), too big to ship in every .vsix, downloaded after the user agrees.
//
//   1. The package's metadata from the npm registry (`<registry>/<name>/<version>`): tarball URL and
//      `dist.integrity` (sha512, base64).
//   2. The tarball, hashed while it streams to <storage>/gpu-pack/; a mismatch deletes it.
//      Both requests go through one undici dispatcher with the proxy and certificate policy
//      (src/net: VS Code's http.proxy, HTTPS_PROXY/NO_PROXY, solarComplete.caCertificates).
//   3. Unpacked into a temporary folder, checked (name, version), renamed to
//      <storage>/gpu-pack/<version>/<name> (so a half-unpacked pack is never used).
//   4. Linked: node-llama-cpp finds prebuilt binaries with `import("@node-llama-cpp/<platform>-cuda")`
//      from its own file, i.e. through ESM resolution from <extension>/node_modules/node-llama-cpp, which
//      looks in <extension>/node_modules/@node-llama-cpp/. ESM ignores NODE_PATH and there is no option
//      for a binaries folder, so a symlink (a junction on Windows) is placed there pointing into global
//      storage. Node resolves the link to its real path, so the package's getBinsDir() points into
//      global storage. The extension's folder is replaced on every update: linkGpuPack() runs at each
//      activation and re-creates the link; the pack itself stays, per node-llama-cpp version.

import { createHash } from "node:crypto";
import * as fsSync from "node:fs";
import { createReadStream, createWriteStream } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fetch, NetworkDispatcher } from "../net/fetchDispatcher";
import { describeCertificateError, describeProxyError, NetworkSetupError } from "../net/networkErrors";
import { tlsPolicy, type NetworkOptions } from "../net/networkOptions";
import { extractTarGz } from "./tarball";

export const NPM_REGISTRY = "https://registry.npmjs.org";

export interface GpuPack {
    /** e.g. @node-llama-cpp/linux-x64-cuda */
    readonly name: string;
    /** Always node-llama-cpp's own version: it refuses binaries of another. */
    readonly version: string;
}

/** The CUDA package for this platform, or undefined where node-llama-cpp has none (macOS: Metal; arm64). */
export function gpuPackFor(platform: NodeJS.Platform, arch: string, llamaVersion: string): GpuPack | undefined {
    if (arch !== "x64") return undefined;
    if (platform === "linux") return { name: "@node-llama-cpp/linux-x64-cuda", version: llamaVersion };
    if (platform === "win32") return { name: "@node-llama-cpp/win-x64-cuda", version: llamaVersion };
    return undefined;
}

export interface PackMetadata {
    readonly tarball: string;
    readonly integrity: string;
    readonly unpackedSize?: number;
}

export class GpuPackError extends Error {
    constructor(readonly code: "NOT_PUBLISHED" | "HTTP" | "INTEGRITY" | "BAD_PACKAGE" | "CERTIFICATE" | "PROXY" | "CANCELLED", message: string) {
        super(message);
        this.name = "GpuPackError";
    }
}

export const packDirectory = (storageDir: string, pack: GpuPack) => path.join(storageDir, "gpu-pack", pack.version, ...pack.name.split("/"));

/** `dispatcher`: the proxy and certificate policy (see networkDispatcher); default: the environment's proxy. */
export async function fetchPackMetadata(pack: GpuPack, registry = NPM_REGISTRY, signal?: AbortSignal, dispatcher?: NetworkDispatcher): Promise<PackMetadata> {
    if (!dispatcher) {
        const own = networkDispatcher(undefined);
        try {
            return await fetchPackMetadata(pack, registry, signal, own);
        } finally {
            await own.close();
        }
    }
    const url = `${registry.replace(/\/+$/, "")}/${pack.name.replace("/", "%2f")}/${encodeURIComponent(pack.version)}`;
    const response = await fetch(url, { signal, headers: { accept: "application/json" }, dispatcher }).catch((error: unknown) => {
        throw requestFailure(error, url, dispatcher, signal);
    });
    if (response.status === 404) throw new GpuPackError("NOT_PUBLISHED", `${pack.name}@${pack.version} is not on ${registry}.`);
    if (!response.ok) throw new GpuPackError("HTTP", `${url}: HTTP ${response.status}`);
    const body = await response.json() as { name?: string; version?: string; dist?: { tarball?: string; integrity?: string; unpackedSize?: number } };
    if (body.name !== pack.name || body.version !== pack.version || !body.dist?.tarball || !body.dist.integrity) {
        throw new GpuPackError("BAD_PACKAGE", `${url}: not the metadata of ${pack.name}@${pack.version}`);
    }
    return { tarball: body.dist.tarball, integrity: body.dist.integrity, unpackedSize: body.dist.unpackedSize };
}

/** The base64 sha512 digests an npm `integrity` string allows (it may list several hashes). */
export function sha512Digests(integrity: string): string[] {
    return integrity.trim().split(/\s+/).filter((item) => item.startsWith("sha512-")).map((item) => item.slice("sha512-".length).replace(/\?.*$/, ""));
}

export interface InstallOptions {
    readonly pack: GpuPack;
    readonly storageDir: string;
    readonly registry?: string;
    readonly signal?: AbortSignal;
    readonly onProgress?: (received: number, total: number | undefined) => void;
    readonly log?: (message: string) => void;
    /** Proxy and certificates (VS Code's http.* settings, solarComplete.caCertificates); default: the environment's proxy. */
    readonly network?: NetworkOptions;
}

/** Downloads, verifies and unpacks the pack; returns its folder. A pack already unpacked is kept. */
export async function installGpuPack(options: InstallOptions): Promise<string> {
    const { pack, storageDir } = options;
    const target = packDirectory(storageDir, pack);
    if (isPackAtSync(target, pack)) return target;
    const dispatcher = networkDispatcher(options.network);
    try {
        return await fetchAndUnpack(options, target, dispatcher);
    } finally {
        await dispatcher.close();
    }
}

async function fetchAndUnpack(options: InstallOptions, target: string, dispatcher: NetworkDispatcher): Promise<string> {
    const { pack, storageDir, signal } = options;
    const meta = await fetchPackMetadata(pack, options.registry, signal, dispatcher);
    const expected = sha512Digests(meta.integrity);
    if (expected.length === 0) throw new GpuPackError("INTEGRITY", `${pack.name}@${pack.version}: the registry gives no sha512 integrity (${meta.integrity}); refusing to install.`);

    const root = path.join(storageDir, "gpu-pack");
    await fs.mkdir(root, { recursive: true });
    const work = await fs.mkdtemp(path.join(root, ".install-"));
    try {
        const tarball = path.join(work, "package.tgz");
        options.log?.(`GPU pack: downloading ${meta.tarball}`);
        const digest = await download(meta.tarball, tarball, options, dispatcher);
        if (!expected.includes(digest)) {
            throw new GpuPackError("INTEGRITY", `${pack.name}@${pack.version}: the download's sha512 (${digest}) is not the registry's integrity (${meta.integrity}); deleted it.`);
        }
        options.log?.(`GPU pack: sha512 matches the registry's integrity; unpacking`);
        const unpacked = path.join(work, "package");
        await extractTarGz(tarball, unpacked);
        if (!isPackAtSync(unpacked, pack)) throw new GpuPackError("BAD_PACKAGE", `${meta.tarball} does not hold ${pack.name}@${pack.version}.`);
        await fs.rm(target, { recursive: true, force: true });
        await fs.mkdir(path.dirname(target), { recursive: true });
        await fs.rename(unpacked, target);
        return target;
    } finally {
        await fs.rm(work, { recursive: true, force: true });
    }
}

/** Streams `url` to `file`, returning the base64 sha512 of what arrived. */
async function download(url: string, file: string, options: InstallOptions, dispatcher: NetworkDispatcher): Promise<string> {
    const response = await fetch(url, { signal: options.signal, redirect: "follow", dispatcher }).catch((error: unknown) => {
        throw requestFailure(error, url, dispatcher, options.signal);
    });
    if (!response.ok || !response.body) throw new GpuPackError("HTTP", `${url}: HTTP ${response.status}`);
    const total = Number(response.headers.get("content-length")) || undefined;
    const hash = createHash("sha512");
    let received = 0;
    const meter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
            hash.update(chunk);
            received += chunk.length;
            options.onProgress?.(received, total);
            done(null, chunk);
        },
    });
    try {
        await pipeline(Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>), meter, createWriteStream(file), { signal: options.signal });
    } catch (error) {
        if (options.signal?.aborted) throw new GpuPackError("CANCELLED", "GPU pack download cancelled.");
        throw error;
    }
    if (total !== undefined && received !== total) throw new GpuPackError("HTTP", `${url}: ${received} of ${total} bytes arrived`);
    return hash.digest("base64");
}

/** The proxy and certificate policy for the pack's requests; a CA file it can't use fails here, before any request. */
function networkDispatcher(network: NetworkOptions | undefined): NetworkDispatcher {
    try {
        return new NetworkDispatcher(network ?? {}, tlsPolicy(network));
    } catch (error) {
        throw requestFailure(error, NPM_REGISTRY, undefined, undefined);
    }
}

/** A failed fetch as one line: cancelled, a certificate not trusted (naming the setting), a proxy problem, or the error itself. */
function requestFailure(error: unknown, url: string, dispatcher: NetworkDispatcher | undefined, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted) return new GpuPackError("CANCELLED", "GPU pack download cancelled.");
    for (let current = error, depth = 0; current && depth < 3; current = (current as { cause?: unknown }).cause, depth++) {
        if (current instanceof GpuPackError) return current;
        if (current instanceof NetworkSetupError) return new GpuPackError(current.code === "CA" ? "CERTIFICATE" : "PROXY", current.message);
    }
    const certificate = describeCertificateError(error, url);
    if (certificate) return new GpuPackError("CERTIFICATE", certificate);
    const proxy = describeProxyError(error, dispatcher?.proxyOf(url), url);
    return proxy ? new GpuPackError("PROXY", proxy.message) : error;
}

export type LinkOutcome =
    /** The link points at the installed pack (created now or before). */
    | "linked"
    /** A real package is there already (a development checkout's node_modules): nothing to do. */
    | "bundled"
    /** The pack is not installed in global storage. */
    | "missing";

/**
 * Makes <extensionDir>/node_modules/<pack.name> point at the installed pack (see the top of this
 * file). Synchronous, a few system calls: activation runs it before the worker imports node-llama-cpp.
 */
export function linkGpuPack(extensionDir: string, storageDir: string, pack: GpuPack): LinkOutcome {
    const link = path.join(extensionDir, "node_modules", ...pack.name.split("/"));
    const target = packDirectory(storageDir, pack);
    const existing = lstatOrUndefined(link);
    if (existing && !existing.isSymbolicLink()) return isPackAtSync(link, pack) ? "bundled" : "missing";
    if (!isPackAtSync(target, pack)) {
        if (existing) fsSync.rmSync(link, { force: true }); // a link to a removed or older pack
        return "missing";
    }
    if (existing && path.resolve(path.dirname(link), fsSync.readlinkSync(link)) === path.resolve(target)) return "linked";
    fsSync.rmSync(link, { force: true });
    fsSync.mkdirSync(path.dirname(link), { recursive: true });
    fsSync.symlinkSync(target, link, process.platform === "win32" ? "junction" : "dir");
    return "linked";
}

function lstatOrUndefined(file: string): fsSync.Stats | undefined {
    try {
        return fsSync.lstatSync(file);
    } catch {
        return undefined;
    }
}

/** A package.json naming this pack and version: a few bytes, read synchronously. */
function isPackAtSync(dir: string, pack: GpuPack): boolean {
    try {
        const manifest = JSON.parse(fsSync.readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
        return manifest.name === pack.name && manifest.version === pack.version;
    } catch {
        return false;
    }
}

/** sha512 of a file in npm's `integrity` form, for tests and the CLI. */
export async function fileIntegrity(file: string): Promise<string> {
    const hash = createHash("sha512");
    await pipeline(createReadStream(file), hash);
    return `sha512-${hash.digest("base64")}`;
}
