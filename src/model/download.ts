// Downloads one GGUF file so that a model path only ever holds a complete, verified model:
//   <file>.lock          held while downloading (downloadLock.ts): a second window/CLI waits for it
//   <file>.partial       the bytes so far; survives a crash or a VS Code restart and is resumed
//                        with an HTTP Range request (If-Range guards against a changed file)
//   <file>.partial.json  what the partial belongs to: URL, ETag, total size
// When the bytes are all there: size, sha256 (when one is known: the caller's, or the source's
// X-Linked-Etag, which is how Hugging Face publishes LFS checksums) and the GGUF header are checked,
// then the partial is synced and renamed over <file>. A failed check removes the partial.

import { createHash, type Hash } from "node:crypto";
import { createReadStream, createWriteStream, statfsSync, writeFileSync } from "node:fs";
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import * as http from "node:http";
import * as https from "node:https";
import * as path from "node:path";
import { inspectGguf, ModelFileError } from "./ggufFile";
import { acquireLock, type LockOwner } from "./downloadLock";
import { DownloadError, httpError, systemError } from "./downloadErrors";

export interface DownloadProgress {
    readonly phase: "waiting" | "downloading" | "verifying";
    readonly received: number;
    readonly total?: number;
    /** Bytes that were already on disk when this run started. */
    readonly resumedFrom: number;
    readonly bytesPerSecond: number;
    readonly etaSeconds?: number;
}

export interface DownloadOptions {
    readonly url: string;
    /** Where the verified file lands. */
    readonly destination: string;
    readonly expectedSize?: number;
    readonly sha256?: string;
    /** Sent to the first host only (a redirect to another host drops Authorization). */
    readonly headers?: Readonly<Record<string, string>>;
    readonly signal?: AbortSignal;
    readonly onProgress?: (progress: DownloadProgress) => void;
    readonly log?: (message: string) => void;
    /** No byte for this long: TIMEOUT (the partial stays, resumable). Default 30 s. */
    readonly idleTimeoutMs?: number;
    /** Automatic resumes after a dropped connection within this run. Default 3. */
    readonly retries?: number;
    /** GGUF architectures accepted by the header check; default ["llama"] (Solar). */
    readonly architectures?: readonly string[];
    /** Free bytes in a folder; injectable so tests can simulate a full disk. */
    readonly freeSpace?: (folder: string) => number;
    readonly lockStaleMs?: number;
}

export interface DownloadResult {
    readonly path: string;
    readonly size: number;
    /** Undefined when the file was already there (not re-hashed). */
    readonly sha256?: string;
    /** True when the file was already complete: nothing was downloaded. */
    readonly reused: boolean;
    /** Bytes found on disk at the start and resumed from. */
    readonly resumedFrom: number;
    /** Bytes that came over the network in this run. */
    readonly transferred: number;
    /** True when a server ignored Range and the download started again from 0. */
    readonly restarted: boolean;
    /** True when another process held the lock and this one waited for it. */
    readonly waited: boolean;
}

interface PartialMeta {
    readonly url: string;
    readonly etag?: string;
    readonly total?: number;
}

export const partialPath = (destination: string) => `${destination}.partial`;
const metaPath = (destination: string) => `${destination}.partial.json`;
const lockPath = (destination: string) => `${destination}.lock`;

/** Solar is a Llama-architecture model; the engine runs nothing else. */
const LLAMA = ["llama"];
const SHA256_HEX = /^[0-9a-f]{64}$/;
const MAX_REDIRECTS = 8;
/** Kept free besides the download: a disk filled to the last byte breaks other programs. */
const DISK_MARGIN = 64 * 1024 * 1024;

export async function downloadModel(options: DownloadOptions): Promise<DownloadResult> {
    const { destination, url } = options;
    const expectedSha = options.sha256?.toLowerCase();
    if (expectedSha !== undefined && !SHA256_HEX.test(expectedSha)) throw new DownloadError("SHA256_MISMATCH", `Not a sha256 (64 hex digits): ${options.sha256}`);
    await mkdir(path.dirname(destination), { recursive: true }).catch((error: unknown) => {
        throw systemError(error, url, destination);
    });

    let waited = false;
    const lock = await acquireLock(lockPath(destination), {
        signal: options.signal,
        staleMs: options.lockStaleMs,
        onWait: (owner) => {
            if (!waited) options.log?.(`Waiting: ${describeOwner(owner)} is downloading ${path.basename(destination)}`);
            waited = true;
            void stat(partialPath(destination)).then(
                (s) => options.onProgress?.({ phase: "waiting", received: s.size, resumedFrom: 0, bytesPerSecond: 0 }),
                () => undefined,
            );
        },
    }).catch((error: unknown) => {
        throw options.signal?.aborted ? cancelled(destination) : systemError(error, url, destination);
    });
    try {
        const existing = await completeFile(destination, options);
        if (existing !== undefined) {
            return { path: destination, size: existing, reused: true, resumedFrom: 0, transferred: 0, restarted: false, waited };
        }
        return { ...(await transferAndVerify(options, expectedSha)), waited };
    } finally {
        await lock.release();
    }
}

/** Size of the destination when a complete model is already there (it only ever lands verified). */
async function completeFile(destination: string, options: DownloadOptions): Promise<number | undefined> {
    try {
        const summary = await inspectGguf(destination, { supportedArchitectures: options.architectures ?? LLAMA });
        if (options.expectedSize !== undefined && summary.fileSize !== options.expectedSize) return undefined;
        return summary.fileSize;
    } catch {
        return undefined;
    }
}

async function transferAndVerify(options: DownloadOptions, callerSha: string | undefined): Promise<Omit<DownloadResult, "waited">> {
    const { destination, url } = options;
    const partial = partialPath(destination);
    let restarted = false;
    let transferred = 0;
    let resumedFrom = -1;
    let retriesLeft = options.retries ?? 3;
    for (;;) {
        const meta = await readMeta(destination);
        let offset = meta?.url === url ? await sizeOf(partial) : 0;
        if (offset === 0) await rm(partial, { force: true });
        if (resumedFrom < 0) resumedFrom = offset;
        try {
            const run = await fetchInto(options, meta?.url === url ? meta : undefined, offset);
            transferred += run.transferred;
            restarted ||= run.restarted;
            offset = run.size;
            const sha = callerSha ?? run.publishedSha;
            return { ...(await verifyAndPlace(options, run.size, run.hash, sha)), reused: false, resumedFrom, transferred, restarted };
        } catch (error) {
            const failure = options.signal?.aborted ? cancelled(destination) : systemError(error, url, partial);
            if (failure.code === "INTERRUPTED" && retriesLeft-- > 0 && !options.signal?.aborted) {
                options.log?.(`${failure.message}; resuming`);
                continue;
            }
            if (!failure.resumable) await discard(destination);
            throw failure;
        }
    }
}

interface FetchRun {
    readonly size: number;
    readonly hash: Hash;
    readonly transferred: number;
    readonly restarted: boolean;
    readonly publishedSha?: string;
}

async function fetchInto(options: DownloadOptions, meta: PartialMeta | undefined, offset: number): Promise<FetchRun> {
    const { destination, url } = options;
    const partial = partialPath(destination);
    const headers: Record<string, string> = { "user-agent": "solar-complete", "accept-encoding": "identity", ...options.headers };
    if (offset > 0) {
        headers.range = `bytes=${offset}-`;
        // A strong ETag: if the file changed since, the server sends all of the new one (200).
        if (meta?.etag && !meta.etag.startsWith("W/")) headers["if-range"] = meta.etag;
    }
    // Everything async happens before the request: between the response's headers and streamBody's
    // listeners nothing may await, or a connection that drops right away goes unnoticed.
    let hash = offset > 0 ? await hashFile(partial, offset) : createHash("sha256");
    const { response, publishedSha } = await request(url, headers, options);
    const status = response.statusCode ?? 0;
    let restarted = false;
    let total: number | undefined;
    if (status === 416 && offset > 0) {
        response.resume();
        if (meta?.total === offset) return { size: offset, hash, transferred: 0, restarted: false, publishedSha };
        options.log?.(`The server refused to resume at byte ${offset}; starting again`);
        await discard(destination);
        return fetchInto(options, undefined, 0);
    }
    if (status === 206 && offset > 0) {
        const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(response.headers["content-range"] ?? ""));
        if (!range || Number(range[1]) !== offset) {
            response.destroy();
            throw new DownloadError("HTTP_STATUS", `The server answered a resume at byte ${offset} with ${String(response.headers["content-range"])}: ${url}`);
        }
        total = range[3] === "*" ? undefined : Number(range[3]);
    } else if (status === 200) {
        if (offset > 0) {
            options.log?.(`The server ignored the Range request (or the file changed): downloading ${path.basename(destination)} from the start`);
            restarted = true;
            offset = 0;
            hash = createHash("sha256");
        }
        const length = response.headers["content-length"];
        total = length === undefined ? undefined : Number(length);
    } else {
        response.resume();
        throw httpError(status, response.statusMessage ?? "", url);
    }

    if (options.expectedSize !== undefined && total !== undefined && total !== options.expectedSize) {
        response.destroy();
        throw new DownloadError("SIZE_MISMATCH", `Size mismatch: the server has ${total} bytes, expected ${options.expectedSize}: ${url}`);
    }
    if (total !== undefined) checkFreeSpace(options, total - offset, response);
    writeFileSync(metaPath(destination), JSON.stringify({ url, etag: response.headers.etag, total } satisfies PartialMeta));
    const transferred = await streamBody(response, partial, offset, total, hash, options);
    const size = offset + transferred;
    if (total !== undefined && size < total) {
        throw new DownloadError("INTERRUPTED", `Connection closed after ${size} of ${total} bytes: ${url}`);
    }
    return { size, hash, transferred, restarted, publishedSha };
}

/** GET with redirects followed by hand: Authorization goes to the first host only. */
async function request(url: string, headers: Record<string, string>, options: DownloadOptions): Promise<{ response: http.IncomingMessage; publishedSha?: string }> {
    let current = url;
    let publishedSha: string | undefined;
    const firstHost = new URL(url).host;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
        const target = new URL(current);
        const sent = { ...headers };
        if (target.host !== firstHost) delete sent.authorization;
        const response = await get(target, sent, options);
        publishedSha ??= linkedSha(response);
        const status = response.statusCode ?? 0;
        const location = response.headers.location;
        if (status >= 300 && status < 400 && location) {
            response.resume();
            current = new URL(location, target).toString();
            continue;
        }
        return { response, publishedSha };
    }
    throw new DownloadError("TOO_MANY_REDIRECTS", `More than ${MAX_REDIRECTS} redirects: ${url}`);
}

function get(target: URL, headers: Record<string, string>, options: DownloadOptions): Promise<http.IncomingMessage> {
    const idleMs = options.idleTimeoutMs ?? 30_000;
    const client = target.protocol === "https:" ? https : target.protocol === "http:" ? http : undefined;
    if (!client) return Promise.reject(new DownloadError("HTTP_STATUS", `Only http and https URLs can be downloaded: ${target.toString()}`));
    return new Promise((resolve, reject) => {
        const req = client.get(target, { headers, signal: options.signal }, resolve);
        req.setTimeout(idleMs, () => req.destroy(new DownloadError("TIMEOUT", `No answer from ${target.host} for ${idleMs / 1000} s`)));
        req.on("error", (error) => reject(options.signal?.aborted ? cancelled(options.destination) : error));
    });
}

function linkedSha(response: http.IncomingMessage): string | undefined {
    const value = String(response.headers["x-linked-etag"] ?? "").replace(/^W\//, "").replace(/"/g, "").toLowerCase();
    return SHA256_HEX.test(value) ? value : undefined;
}

/** Appends the body to the partial file, hashing and reporting progress; resolves with the bytes written. */
function streamBody(
    response: http.IncomingMessage,
    partial: string,
    offset: number,
    total: number | undefined,
    hash: Hash,
    options: DownloadOptions,
): Promise<number> {
    const idleMs = options.idleTimeoutMs ?? 30_000;
    const speed = new SpeedMeter();
    let written = 0;
    let lastReport = 0;
    const report = (force = false) => {
        const now = performance.now();
        if (!force && now - lastReport < 200) return;
        lastReport = now;
        const bytesPerSecond = speed.rate(now);
        const received = offset + written;
        options.onProgress?.({
            phase: "downloading",
            received,
            total,
            resumedFrom: offset,
            bytesPerSecond,
            etaSeconds: total !== undefined && bytesPerSecond > 0 ? (total - received) / bytesPerSecond : undefined,
        });
    };
    return new Promise((resolve, reject) => {
        const out = createWriteStream(partial, { flags: offset > 0 ? "a" : "w", highWaterMark: 1 << 20 });
        let failure: unknown;
        const fail = (error: unknown) => {
            failure ??= error;
            response.destroy();
            out.end();
        };
        response.setTimeout(idleMs, () => fail(new DownloadError("TIMEOUT", `No data from the server for ${idleMs / 1000} s after ${offset + written} bytes: ${options.url}`)));
        response.on("data", (chunk: Buffer) => {
            hash.update(chunk);
            written += chunk.length;
            speed.add(performance.now(), chunk.length);
            if (!out.write(chunk)) {
                response.pause();
                out.once("drain", () => response.resume());
            }
            report();
        });
        response.on("end", () => out.end());
        // "aborted"/"close" without "end": the connection dropped mid-body.
        response.on("close", () => {
            if (!response.complete) fail(options.signal?.aborted ? cancelled(options.destination) : new DownloadError("INTERRUPTED", `Connection closed after ${offset + written} bytes: ${options.url}`));
        });
        response.on("error", (error) =>
            fail(options.signal?.aborted ? cancelled(options.destination) : new DownloadError("INTERRUPTED", `Connection lost after ${offset + written} bytes (${error.message}): ${options.url}`)),
        );
        out.on("error", (error) => fail(error));
        out.on("close", () => {
            report(true);
            if (failure !== undefined) reject(failure);
            else resolve(written);
        });
    });
}

async function verifyAndPlace(options: DownloadOptions, size: number, hash: Hash, sha256: string | undefined): Promise<{ path: string; size: number; sha256: string }> {
    const { destination, url } = options;
    const partial = partialPath(destination);
    options.onProgress?.({ phase: "verifying", received: size, total: size, resumedFrom: 0, bytesPerSecond: 0 });
    const onDisk = await sizeOf(partial);
    if (onDisk !== size) {
        throw new DownloadError("SIZE_MISMATCH", `Size mismatch: ${onDisk} bytes on disk, ${size} received: ${partial}`);
    }
    if (options.expectedSize !== undefined && size !== options.expectedSize) {
        throw new DownloadError("SIZE_MISMATCH", `Size mismatch: downloaded ${size} bytes, expected ${options.expectedSize}: ${url}`);
    }
    const actual = hash.digest("hex");
    if (sha256 !== undefined && actual !== sha256) {
        throw new DownloadError("SHA256_MISMATCH", `sha256 mismatch: got ${actual}, expected ${sha256}: ${url}`);
    }
    try {
        await inspectGguf(partial, { supportedArchitectures: options.architectures ?? LLAMA });
    } catch (error) {
        if (error instanceof ModelFileError) throw new DownloadError("NOT_GGUF", `Downloaded file is not a usable GGUF model (${error.code}): ${url}`);
        throw error;
    }
    const handle = await open(partial, "r+");
    try {
        await handle.datasync();
    } finally {
        await handle.close();
    }
    await rename(partial, destination);
    await rm(metaPath(destination), { force: true });
    return { path: destination, size, sha256: actual };
}

function checkFreeSpace(options: DownloadOptions, needed: number, response: http.IncomingMessage): void {
    const folder = path.dirname(options.destination);
    let free: number;
    try {
        free = (options.freeSpace ?? diskFree)(folder);
    } catch {
        return; // unknown: let ENOSPC speak if it comes to that
    }
    if (needed + DISK_MARGIN > free) {
        response.destroy();
        throw new DownloadError(
            "DISK_FULL",
            `Not enough disk space in ${folder}: the download needs ${formatSize(needed)} more, ${formatSize(Math.max(0, free))} free. Free some space or choose another folder.`,
        );
    }
}

function diskFree(folder: string): number {
    const s = statfsSync(folder);
    return s.bavail * s.bsize;
}

async function hashFile(file: string, bytes: number): Promise<Hash> {
    const hash = createHash("sha256");
    if (bytes === 0) return hash;
    for await (const chunk of createReadStream(file, { start: 0, end: bytes - 1, highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
    return hash;
}

async function readMeta(destination: string): Promise<PartialMeta | undefined> {
    try {
        return JSON.parse(await readFile(metaPath(destination), "utf8")) as PartialMeta;
    } catch {
        return undefined;
    }
}

async function sizeOf(file: string): Promise<number> {
    try {
        return (await stat(file)).size;
    } catch {
        return 0;
    }
}

/** Removes the partial and its meta: the bytes on disk are known bad. */
async function discard(destination: string): Promise<void> {
    await rm(partialPath(destination), { force: true });
    await rm(metaPath(destination), { force: true });
}

function cancelled(destination: string): DownloadError {
    return new DownloadError("CANCELLED", `Download cancelled; run it again to resume: ${path.basename(destination)}`);
}

function describeOwner(owner: LockOwner | undefined): string {
    return owner ? `process ${owner.pid} on ${owner.hostname}` : "another process";
}

function formatSize(bytes: number): string {
    return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Bytes per second over the last ~3 seconds, in 250 ms buckets (cheap at gigabytes per second). */
class SpeedMeter {
    private readonly buckets: Array<{ start: number; bytes: number }> = [];

    add(now: number, bytes: number): void {
        const last = this.buckets[this.buckets.length - 1];
        if (last && now - last.start < 250) last.bytes += bytes;
        else this.buckets.push({ start: now, bytes });
        while (this.buckets.length > 12) this.buckets.shift();
    }

    rate(now: number): number {
        const first = this.buckets[0];
        if (!first) return 0;
        const span = (now - first.start) / 1000;
        const bytes = this.buckets.reduce((sum, b) => sum + b.bytes, 0);
        return span > 0.05 ? bytes / span : 0;
    }
}
