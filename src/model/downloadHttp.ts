// The HTTP side of a model download: GET with redirects followed by hand, the sha256 a source
// publishes, a resume as a Range request and what the server's answer to it means, and the body
// pumped into the partial file with progress. What is on disk (lock, partial, meta, verification)
// is download.ts's business.

import type { Hash } from "node:crypto";
import { createWriteStream } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import { cancelled, DownloadError, httpError } from "./downloadErrors";

export interface DownloadProgress {
    readonly phase: "waiting" | "downloading" | "verifying";
    readonly received: number;
    readonly total?: number;
    /** Bytes that were already on disk when this run started. */
    readonly resumedFrom: number;
    readonly bytesPerSecond: number;
    readonly etaSeconds?: number;
}

/** The part of DownloadOptions the transfer uses. */
export interface TransferOptions {
    readonly url: string;
    /** Where the verified file lands (named when the download is cancelled). */
    readonly destination: string;
    /** Sent to the first host only (a redirect to another host drops Authorization). */
    readonly headers?: Readonly<Record<string, string>>;
    readonly signal?: AbortSignal;
    readonly onProgress?: (progress: DownloadProgress) => void;
    /** No byte for this long: TIMEOUT (the partial stays, resumable). Default 30 s. */
    readonly idleTimeoutMs?: number;
}

/** The server's answer to a request from byte `offset` on. */
export type RangeAnswer =
    /** 416 to a resume: nothing from `offset` on (the partial may be the whole file already). */
    | { readonly kind: "unsatisfiable"; readonly publishedSha?: string }
    | {
          readonly kind: "body";
          readonly response: http.IncomingMessage;
          readonly total?: number;
          /** The server ignored Range (or the file changed): the body starts at byte 0. */
          readonly restarted: boolean;
          readonly publishedSha?: string;
      };

export const SHA256_HEX = /^[0-9a-f]{64}$/;
const MAX_REDIRECTS = 8;

/** GETs the file from byte `offset` on; `etag` (the partial's) guards the resume with If-Range. */
export async function openRange(options: TransferOptions, offset: number, etag: string | undefined): Promise<RangeAnswer> {
    const { url } = options;
    const headers: Record<string, string> = { "user-agent": "solar-complete", "accept-encoding": "identity", ...options.headers };
    if (offset > 0) {
        headers.range = `bytes=${offset}-`;
        // A strong ETag: if the file changed since, the server sends all of the new one (200).
        if (etag && !etag.startsWith("W/")) headers["if-range"] = etag;
    }
    const { response, publishedSha } = await request(url, headers, options);
    const status = response.statusCode ?? 0;
    if (status === 416 && offset > 0) {
        response.resume();
        return { kind: "unsatisfiable", publishedSha };
    }
    if (status === 206 && offset > 0) {
        const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(response.headers["content-range"] ?? ""));
        if (!range || Number(range[1]) !== offset) {
            response.destroy();
            throw new DownloadError("HTTP_STATUS", `The server answered a resume at byte ${offset} with ${String(response.headers["content-range"])}: ${url}`);
        }
        return { kind: "body", response, total: range[3] === "*" ? undefined : Number(range[3]), restarted: false, publishedSha };
    }
    if (status === 200) {
        const length = response.headers["content-length"];
        return { kind: "body", response, total: length === undefined ? undefined : Number(length), restarted: offset > 0, publishedSha };
    }
    response.resume();
    throw httpError(status, response.statusMessage ?? "", url);
}

/**
 * Appends the body to the partial file, hashing and reporting progress; resolves with the bytes written.
 * Every byte that reached this process ends up in the partial, also when the connection drops: a
 * resume then asks for each byte once.
 */
export function streamBody(response: http.IncomingMessage, partial: string, offset: number, total: number | undefined, hash: Hash, options: TransferOptions): Promise<number> {
    const idleMs = options.idleTimeoutMs ?? 30_000;
    const progress = progressReporter(offset, total, options.onProgress);
    let written = 0;
    return new Promise((resolve, reject) => {
        const out = createWriteStream(partial, { flags: offset > 0 ? "a" : "w", highWaterMark: 1 << 20 });
        let failure: unknown;
        const take = (chunk: Buffer) => {
            hash.update(chunk);
            written += chunk.length;
            progress.add(chunk.length);
            const more = out.write(chunk);
            progress.report(written);
            return more;
        };
        const onData = (chunk: Buffer) => {
            if (!take(chunk)) {
                response.pause();
                out.once("drain", () => response.resume());
            }
        };
        // While the response is paused for the disk, Node keeps what arrives in the response's buffer
        // (up to a socket read, ~20 KB seen) and a dropped connection destroys the response with it
        // still there. Those bytes were received: they go to the file before it closes, so the partial
        // ends exactly where the server stopped (2 runs in ~50 under load fetched them twice).
        const keepBuffered = () => {
            response.off("data", onData);
            if (out.destroyed || out.writableEnded) return; // the file failed: nowhere to put them
            for (let chunk = response.read() as Buffer | null; chunk !== null; chunk = response.read() as Buffer | null) take(chunk);
        };
        /** `error` is built after the buffered bytes are kept, so its byte count is what the file holds. */
        const fail = (error: () => unknown) => {
            if (failure === undefined) {
                keepBuffered();
                failure = error();
            }
            response.destroy();
            out.end();
        };
        response.setTimeout(idleMs, () => fail(() => new DownloadError("TIMEOUT", `No data from the server for ${idleMs / 1000} s after ${offset + written} bytes: ${options.url}`)));
        response.on("data", onData);
        response.on("end", () => out.end());
        // "aborted"/"close" without "end": the connection dropped mid-body.
        response.on("close", () => {
            if (!response.complete) fail(() => (options.signal?.aborted ? cancelled(options.destination) : new DownloadError("INTERRUPTED", `Connection closed after ${offset + written} bytes: ${options.url}`)));
        });
        response.on("error", (error) =>
            fail(() => (options.signal?.aborted ? cancelled(options.destination) : new DownloadError("INTERRUPTED", `Connection lost after ${offset + written} bytes (${error.message}): ${options.url}`))),
        );
        out.on("error", (error) => fail(() => error));
        out.on("close", () => {
            progress.report(written, true);
            if (failure !== undefined) reject(failure);
            else resolve(written);
        });
    });
}

/** "downloading" progress at most every 200 ms (and when forced), with the speed and the time left. */
function progressReporter(offset: number, total: number | undefined, onProgress: TransferOptions["onProgress"]) {
    const speed = new SpeedMeter();
    let lastReport = 0;
    return {
        add: (bytes: number) => speed.add(performance.now(), bytes),
        /** `written`: bytes of this run, after the `offset` already on disk. */
        report: (written: number, force = false) => {
            const now = performance.now();
            if (!force && now - lastReport < 200) return;
            lastReport = now;
            const bytesPerSecond = speed.rate(now);
            const received = offset + written;
            onProgress?.({
                phase: "downloading",
                received,
                total,
                resumedFrom: offset,
                bytesPerSecond,
                etaSeconds: total !== undefined && bytesPerSecond > 0 ? (total - received) / bytesPerSecond : undefined,
            });
        },
    };
}

/** GET with redirects followed by hand: Authorization goes to the first host only. */
async function request(url: string, headers: Record<string, string>, options: TransferOptions): Promise<{ response: http.IncomingMessage; publishedSha?: string }> {
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

function get(target: URL, headers: Record<string, string>, options: TransferOptions): Promise<http.IncomingMessage> {
    const idleMs = options.idleTimeoutMs ?? 30_000;
    const client = target.protocol === "https:" ? https : target.protocol === "http:" ? http : undefined;
    if (!client) return Promise.reject(new DownloadError("HTTP_STATUS", `Only http and https URLs can be downloaded: ${target.toString()}`));
    return new Promise((resolve, reject) => {
        const req = client.get(target, { headers, signal: options.signal }, resolve);
        req.setTimeout(idleMs, () => req.destroy(new DownloadError("TIMEOUT", `No answer from ${target.host} for ${idleMs / 1000} s`)));
        req.on("error", (error) => reject(options.signal?.aborted ? cancelled(options.destination) : error));
    });
}

/** The sha256 Hugging Face publishes for an LFS file, in X-Linked-Etag. */
function linkedSha(response: http.IncomingMessage): string | undefined {
    const value = String(response.headers["x-linked-etag"] ?? "").replace(/^W\//, "").replace(/"/g, "").toLowerCase();
    return SHA256_HEX.test(value) ? value : undefined;
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
