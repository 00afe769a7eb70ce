// Downloads one GGUF file so that a model path only ever holds a complete, verified model:
//   <file>.lock          held while downloading (downloadLock.ts): a second window/CLI waits for it
//   <file>.partial       the bytes so far; survives a crash or a VS Code restart and is resumed
//                        with an HTTP Range request, after the first hop's validator matched
//   <file>.partial.json  what the partial belongs to: URL, the first hop's validator (X-Linked-Etag,
//                        else ETag), the body's ETag (for If-Range), total size
// When the bytes are all there: size, sha256 (when one is known: the caller's, or the source's
// X-Linked-Etag, which is how Hugging Face publishes LFS checksums) and the GGUF header are checked,
// then the partial is synced and renamed over <file>. A failed check removes the partial.
// This file keeps the file state; the HTTP side (redirects, Range, the body pump) is downloadHttp.ts.

import { createHash, type Hash } from "node:crypto";
import { createReadStream, statfsSync, writeFileSync } from "node:fs";
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import type * as http from "node:http";
import * as path from "node:path";
import { formatBytesPrecise } from "../util/bytes";
import { inspectGguf, ModelFileError } from "./ggufFile";
import { acquireLock, type LockOwner } from "./downloadLock";
import { cancelled, DownloadError, systemError } from "./downloadErrors";
import { openRange, SHA256_HEX, streamBody, type ResumeCheck, type TransferOptions } from "./downloadHttp";

export type { DownloadProgress } from "./downloadHttp";

/** url, destination, headers, signal, onProgress and idleTimeoutMs: see TransferOptions (downloadHttp.ts). */
export interface DownloadOptions extends TransferOptions {
    readonly expectedSize?: number;
    readonly sha256?: string;
    readonly log?: (message: string) => void;
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

/** `.partial.json`; `etag` and `validator` as in ResumeCheck (downloadHttp.ts). A partial from before `validator` was kept has none. */
interface PartialMeta extends ResumeCheck {
    readonly url: string;
    readonly total?: number;
}

export const partialPath = (destination: string) => `${destination}.partial`;
const metaPath = (destination: string) => `${destination}.partial.json`;
const lockPath = (destination: string) => `${destination}.lock`;

/** Solar is a Llama-architecture model; the engine runs nothing else. */
const LLAMA = ["llama"];
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
    // Everything async happens before the request: between the response's headers and streamBody's
    // listeners nothing may await, or a connection that drops right away goes unnoticed.
    let hash = offset > 0 ? await hashFile(partial, offset) : createHash("sha256");
    const answer = await openRange(options, offset, meta);
    if (answer.kind === "unsatisfiable") {
        if (meta?.total === offset) return { size: offset, hash, transferred: 0, restarted: false, publishedSha: answer.publishedSha };
        options.log?.(`The server refused to resume at byte ${offset}; starting again`);
        await discard(destination);
        return fetchInto(options, undefined, 0);
    }
    const { response, total, restarted, publishedSha, validator } = answer;
    if (answer.changed) {
        options.log?.(`${path.basename(destination)} changed at the source since the partial download (its X-Linked-Etag/ETag differs): downloading it from the start`);
    } else if (restarted) {
        options.log?.(`The server ignored the Range request (or the file changed): downloading ${path.basename(destination)} from the start`);
    }
    if (restarted) {
        offset = 0;
        hash = createHash("sha256");
    }
    if (options.expectedSize !== undefined && total !== undefined && total !== options.expectedSize) {
        response.destroy();
        throw new DownloadError("SIZE_MISMATCH", `Size mismatch: the server has ${total} bytes, expected ${options.expectedSize}: ${url}`);
    }
    if (total !== undefined) checkFreeSpace(options, total - offset, response);
    writeFileSync(metaPath(destination), JSON.stringify({ url, validator, etag: response.headers.etag, total } satisfies PartialMeta));
    const transferred = await streamBody(response, partial, offset, total, hash, options);
    const size = offset + transferred;
    if (total !== undefined && size < total) {
        throw new DownloadError("INTERRUPTED", `Connection closed after ${size} of ${total} bytes: ${url}`);
    }
    return { size, hash, transferred, restarted, publishedSha };
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
            `Not enough disk space in ${folder}: the download needs ${formatBytesPrecise(needed)} more, ${formatBytesPrecise(Math.max(0, free))} free. Free some space or choose another folder.`,
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

function describeOwner(owner: LockOwner | undefined): string {
    return owner ? `process ${owner.pid} on ${owner.hostname}` : "another process";
}
