// The HTTP side of a model download: GET with redirects followed by hand (each hop through the
// proxy and with the certificate authorities src/net's policy names), the sha256 a source
// publishes, a resume as a Range request guarded by the first hop's validator and what the server's
// answer to it means, and the body pumped into the partial file with progress. What is on disk
// (lock, partial, meta, verification) is download.ts's business.

import type { Hash } from "node:crypto";
import { createWriteStream } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import { nodeRoute, type NodeRoute } from "../net/nodeAgent";
import { tlsPolicy, type NetworkOptions, type TlsPolicy } from "../net/networkOptions";
import { cancelled, DownloadError, httpError, networkFailure } from "./downloadErrors";

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
    /** Proxy and certificates (VS Code's http.* settings, solarComplete.caCertificates); default: the environment's proxy. */
    readonly network?: NetworkOptions;
}

/** What the partial on disk was downloaded from, to check before a resume. */
export interface ResumeCheck {
    /** The body's strong ETag: sent as If-Range, so a server that knows the file changed sends all of it. */
    readonly etag?: string;
    /**
     * The first hop's X-Linked-Etag (Hugging Face's sha256 of an LFS file) or else its ETag. Hugging
     * Face redirects large files to a CDN that often sends no ETag on the body, so this is the one
     * validator that is always there; when it differs now, the partial is of another file.
     */
    readonly validator?: string;
}

/** The server's answer to a request from byte `offset` on. */
export type RangeAnswer =
    /** 416 to a resume: nothing from `offset` on (the partial may be the whole file already). */
    | { readonly kind: "unsatisfiable"; readonly publishedSha?: string; readonly validator?: string }
    | {
          readonly kind: "body";
          readonly response: http.IncomingMessage;
          readonly total?: number;
          /** The server ignored Range (or the file changed): the body starts at byte 0. */
          readonly restarted: boolean;
          /** The first hop's validator differs from the partial's: the file changed at the source. */
          readonly changed: boolean;
          readonly publishedSha?: string;
          /** The first hop's validator now, to store with the partial. */
          readonly validator?: string;
      };

export const SHA256_HEX = /^[0-9a-f]{64}$/;
const MAX_REDIRECTS = 8;

/** GETs the file from byte `offset` on; `resume` (the partial's validators) decides whether those bytes still belong to it. */
export async function openRange(options: TransferOptions, offset: number, resume: ResumeCheck | undefined): Promise<RangeAnswer> {
    const { url } = options;
    const headers: Record<string, string> = { "user-agent": "solar-complete", "accept-encoding": "identity", ...options.headers };
    if (offset > 0) {
        headers.range = `bytes=${offset}-`;
        // A strong ETag: if the file changed since, the server sends all of the new one (200).
        if (resume?.etag && !resume.etag.startsWith("W/")) headers["if-range"] = resume.etag;
    }
    const { response, publishedSha, validator, changed } = await request(url, headers, options, offset > 0 ? resume?.validator : undefined);
    const status = response.statusCode ?? 0;
    const known = { publishedSha, validator };
    if (status === 416 && offset > 0 && !changed) {
        response.resume();
        return { kind: "unsatisfiable", ...known };
    }
    if (status === 206 && offset > 0 && !changed) {
        const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(response.headers["content-range"] ?? ""));
        if (!range || Number(range[1]) !== offset) {
            response.destroy();
            throw new DownloadError("HTTP_STATUS", `The server answered a resume at byte ${offset} with ${String(response.headers["content-range"])}: ${url}`);
        }
        return { kind: "body", response, total: range[3] === "*" ? undefined : Number(range[3]), restarted: false, changed, ...known };
    }
    if (status === 200) {
        const length = response.headers["content-length"];
        return { kind: "body", response, total: length === undefined ? undefined : Number(length), restarted: offset > 0, changed, ...known };
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
        // While the response is paused for the disk, what arrives waits in the response's buffer, and
        // a dropped connection destroys the response with it still there (20,209 bytes, in 4 of 200
        // runs under CPU load, were fetched twice). They were received: they go to the file before it
        // closes, so the partial ends where the server stopped and a resume asks for each byte once.
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

interface Hops {
    readonly response: http.IncomingMessage;
    readonly publishedSha?: string;
    readonly validator?: string;
    readonly changed: boolean;
}

/**
 * GET with redirects followed by hand: Authorization goes to the first host only. `expected`: the
 * partial's first-hop validator. The first hop's answer is compared with it before the Range goes
 * any further: Hugging Face answers the first hop with a redirect, so a changed file is known before
 * the CDN sends a byte. When it differs (or is gone: then nothing proves the partial is of this
 * file), Range and If-Range are dropped and the file comes from byte 0.
 */
async function request(url: string, headers: Record<string, string>, options: TransferOptions, expected: string | undefined): Promise<Hops> {
    const tls = networkPolicy(options);
    let current = url;
    let publishedSha: string | undefined;
    let validator: string | undefined;
    let changed = false;
    const firstHost = new URL(url).host;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
        const target = new URL(current);
        const sent = { ...headers };
        if (target.host !== firstHost) delete sent.authorization;
        const response = await get(target, sent, options, tls);
        const status = response.statusCode ?? 0;
        const location = response.headers.location;
        const redirect = status >= 300 && status < 400 && location;
        if (hop === 0) {
            validator = firstHopValidator(response);
            if (expected !== undefined && headers.range !== undefined && validator !== expected) {
                changed = true;
                delete headers.range;
                delete headers["if-range"];
                if (!redirect) {
                    // The first hop sent the body itself, from the old offset: ask again, from byte 0.
                    response.destroy();
                    hop = -1;
                    continue;
                }
            }
        }
        publishedSha ??= linkedSha(response);
        if (redirect) {
            response.resume();
            current = new URL(location, target).toString();
            continue;
        }
        return { response, publishedSha, validator, changed };
    }
    throw new DownloadError("TOO_MANY_REDIRECTS", `More than ${MAX_REDIRECTS} redirects: ${url}`);
}

function networkPolicy(options: TransferOptions): TlsPolicy {
    try {
        return tlsPolicy(options.network);
    } catch (error) {
        throw networkFailure(error, undefined, options.url) ?? error;
    }
}

function get(target: URL, headers: Record<string, string>, options: TransferOptions, tls: TlsPolicy): Promise<http.IncomingMessage> {
    const idleMs = options.idleTimeoutMs ?? 30_000;
    const client = target.protocol === "https:" ? https : target.protocol === "http:" ? http : undefined;
    if (!client) return Promise.reject(new DownloadError("HTTP_STATUS", `Only http and https URLs can be downloaded: ${target.toString()}`));
    let route: NodeRoute;
    try {
        route = nodeRoute(target, options.network ?? {}, tls);
    } catch (error) {
        return Promise.reject(networkFailure(error, undefined, options.url) ?? error);
    }
    return new Promise((resolve, reject) => {
        const tlsOptions = target.protocol === "https:" ? route.tls : {};
        const req = client.get(target, { headers, signal: options.signal, agent: route.agent, ...tlsOptions }, resolve);
        req.setTimeout(idleMs, () => req.destroy(new DownloadError("TIMEOUT", `No answer from ${target.host} for ${idleMs / 1000} s`)));
        req.on("error", (error) => reject(options.signal?.aborted ? cancelled(options.destination) : (networkFailure(error, route.proxy, options.url, target) ?? error)));
    });
}

/** What the partial is checked against at the next resume: the first hop's X-Linked-Etag, else its ETag. */
export function firstHopValidator(response: Pick<http.IncomingMessage, "headers">): string | undefined {
    const value = response.headers["x-linked-etag"] ?? response.headers.etag;
    const text = Array.isArray(value) ? value[0] : value;
    return text?.trim() || undefined;
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
