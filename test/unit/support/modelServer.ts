// A real HTTP server on 127.0.0.1 that serves model files under the catalog's path layout
// (`/<repo>/resolve/main/<file>`), with the faults download tests need: a connection dropped at a byte
// offset, Range ignored, a status code, a token, a slow trickle. No mock of the downloader's side.

import { createHash } from "node:crypto";
import { createReadStream, readFileSync, statSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface ServedFile {
    readonly file: string;
    /** Send `X-Linked-Etag: "<sha256>"` as Hugging Face does for LFS files. */
    readonly linkedSha?: boolean;
    /** Answer 401 unless `Authorization: Bearer <token>` is sent. */
    readonly token?: string;
    /**
     * Serve the body as Hugging Face's CDN does behind its `/redirect/` first hop: no ETag and no
     * X-Linked-Etag on the body (the first hop's 302 carries the X-Linked-Etag).
     */
    readonly cdn?: boolean;
}

export interface ServerFaults {
    /** Successive GETs of a file close the connection after sending up to these absolute offsets. */
    dropAt: number[];
    ignoreRange: boolean;
    /** Bytes per second for bodies (undefined = as fast as possible). */
    trickle?: number;
    /** Send the headers, then nothing. */
    stall?: boolean;
    /** Forced status for every request. */
    status?: number;
}

export interface ModelServer {
    readonly endpoint: string;
    readonly faults: ServerFaults;
    /** Every request: path, Range header, status sent. */
    readonly requests: Array<{ path: string; range?: string; ifRange?: string; status: number; authorization?: string }>;
    /** Body bytes sent in total. */
    bodyBytes(): number;
    serve(urlPath: string, file: ServedFile): void;
    close(): Promise<void>;
}

export async function startModelServer(): Promise<ModelServer> {
    const files = new Map<string, ServedFile & { size: number; sha?: string }>();
    const faults: ServerFaults = { dropAt: [], ignoreRange: false };
    const requests: ModelServer["requests"] = [];
    let sent = 0;
    const sockets = new Set<import("node:net").Socket>();

    const server = http.createServer((req, res) => {
        const urlPath = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
        const log = (status: number) => requests.push({ path: urlPath, range: req.headers.range, ifRange: req.headers["if-range"] as string | undefined, status, authorization: req.headers.authorization });
        if (urlPath.startsWith("/redirect/")) {
            const target = urlPath.slice("/redirect".length);
            const served = files.get(target);
            log(302);
            res.writeHead(302, { location: target, ...(served?.sha ? { "x-linked-etag": `"${served.sha}"` } : {}) }).end();
            return;
        }
        const served = files.get(urlPath);
        const status = faults.status ?? (!served ? 404 : served.token && req.headers.authorization !== `Bearer ${served.token}` ? 401 : 200);
        if (status !== 200 || !served) {
            log(status);
            res.writeHead(status, { "content-type": "text/plain" }).end(http.STATUS_CODES[status]);
            return;
        }
        let start = 0;
        const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
        const partial = range && !faults.ignoreRange;
        if (partial) start = Number(range[1]);
        if (start > served.size || (start === served.size && served.size > 0 && partial)) {
            log(416);
            res.writeHead(416, { "content-range": `bytes */${served.size}` }).end();
            return;
        }
        const headers: http.OutgoingHttpHeaders = {
            "content-type": "application/octet-stream",
            "content-length": served.size - start,
            "accept-ranges": "bytes",
            ...(served.cdn ? {} : { etag: `"${served.size}-tag"`, ...(served.sha ? { "x-linked-etag": `"${served.sha}"` } : {}) }),
            ...(partial ? { "content-range": `bytes ${start}-${served.size - 1}/${served.size}` } : {}),
        };
        log(partial ? 206 : 200);
        res.writeHead(partial ? 206 : 200, headers);
        if (faults.stall) return;
        const dropAt = faults.dropAt.shift();
        const end = dropAt !== undefined ? Math.max(start, dropAt) : served.size;
        sendRange(res, served.file, start, end, faults.trickle, (n) => (sent += n), () => {
            // end(), not destroy(): flush what was written, then close short of Content-Length.
            if (end < served.size) res.socket?.end();
            else res.end();
        });
    });
    server.on("connection", (socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        endpoint: `http://127.0.0.1:${port}`,
        faults,
        requests,
        bodyBytes: () => sent,
        serve(urlPath, file) {
            const size = statSync(file.file).size;
            const sha = file.linkedSha ? createHash("sha256").update(readFileSync(file.file)).digest("hex") : undefined;
            files.set(urlPath, { ...file, size, sha });
        },
        close() {
            for (const socket of sockets) socket.destroy();
            return new Promise((resolve) => server.close(() => resolve()));
        },
    };
}

/** Writes bytes [start, end) of `file`, at `trickle` bytes/s when given, then calls `done`. */
function sendRange(res: http.ServerResponse, file: string, start: number, end: number, trickle: number | undefined, count: (n: number) => void, done: () => void): void {
    if (end <= start) return done();
    const stream = createReadStream(file, { start, end: end - 1, highWaterMark: trickle ? Math.max(1, Math.floor(trickle / 10)) : 1 << 20 });
    stream.on("data", (chunk) => {
        count(chunk.length);
        const ok = res.write(chunk);
        if (trickle) {
            stream.pause();
            setTimeout(() => stream.resume(), 100);
        } else if (!ok) {
            stream.pause();
            res.once("drain", () => stream.resume());
        }
    });
    stream.on("end", done);
    res.on("close", () => stream.destroy());
}
