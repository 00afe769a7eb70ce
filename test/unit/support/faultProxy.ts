// A loopback HTTP proxy in front of a real llama-server that injects the failures llama-server cannot
// produce on demand (404 model, 429, 5xx, a malformed or stalled event stream) into /v1/completions.
// Everything else, and /v1/completions without a fault, goes through to the real server unchanged.

import * as http from "node:http";
import type { AddressInfo } from "node:net";

export type Fault =
    | { readonly kind: "status"; readonly status: number; readonly body: string; readonly retryAfter?: string }
    | { readonly kind: "malformed" }
    | { readonly kind: "stall" }
    /** No answer at all, not even headers. */
    | { readonly kind: "hang" };

export interface FaultProxy {
    readonly url: string;
    fault: Fault | undefined;
    /** Requests received, by path. */
    readonly hits: Map<string, number>;
    /** Paths answered 404, as a server without them would (Ollama has no /tokenize or /props). */
    readonly hidden: Set<string>;
    /** Bodies of the requests received, by path, parsed as JSON. */
    readonly bodies: Map<string, unknown[]>;
    close(): Promise<void>;
}

export async function startFaultProxy(target: string, port = 0): Promise<FaultProxy> {
    const hits = new Map<string, number>();
    const hidden = new Set<string>();
    const bodies = new Map<string, unknown[]>();
    const proxy: { fault: Fault | undefined } = { fault: undefined };
    const open = new Set<http.ServerResponse>();
    const server = http.createServer((req, res) => {
        const path = req.url ?? "/";
        hits.set(path, (hits.get(path) ?? 0) + 1);
        const fault = path === "/v1/completions" ? proxy.fault : undefined;
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => {
            const body = Buffer.concat(chunks).toString("utf8");
            if (body) bodies.set(path, [...(bodies.get(path) ?? []), JSON.parse(body)]);
            if (hidden.has(path)) {
                res.writeHead(404, { "Content-Type": "text/plain" });
                res.end("404 page not found");
            } else if (fault?.kind === "status") {
                res.writeHead(fault.status, { "Content-Type": "application/json", ...(fault.retryAfter ? { "Retry-After": fault.retryAfter } : {}) });
                res.end(fault.body);
            } else if (fault?.kind === "malformed") {
                res.writeHead(200, { "Content-Type": "text/event-stream" });
                res.end('data: {"choices":[{"text":"ok"}]}\n\ndata: {"choices": [{"text": "bro\n\n');
            } else if (fault?.kind === "hang") {
                open.add(res);
                res.on("close", () => open.delete(res));
            } else if (fault?.kind === "stall") {
                res.writeHead(200, { "Content-Type": "text/event-stream" });
                res.write('data: {"choices":[{"text":"slow"}]}\n\n');
                open.add(res); // then nothing, until the client gives up
                res.on("close", () => open.delete(res));
            } else {
                void forward(target, req, Buffer.concat(chunks), res);
            }
        });
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
        url,
        get fault() {
            return proxy.fault;
        },
        set fault(value) {
            proxy.fault = value;
        },
        hits,
        hidden,
        bodies,
        close: () =>
            new Promise<void>((resolve) => {
                for (const res of open) res.destroy();
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

async function forward(target: string, req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): Promise<void> {
    const controller = new AbortController();
    res.on("close", () => controller.abort());
    try {
        const headers: Record<string, string> = {};
        for (const name of ["content-type", "authorization"]) {
            const value = req.headers[name];
            if (typeof value === "string") headers[name] = value;
        }
        const upstream = await fetch(`${target}${req.url}`, {
            method: req.method,
            headers,
            body: req.method === "GET" || req.method === "HEAD" ? undefined : body.toString("utf8"),
            signal: controller.signal,
        });
        res.writeHead(upstream.status, { "Content-Type": upstream.headers.get("content-type") ?? "application/json" });
        const reader = upstream.body?.getReader();
        for (let next = await reader?.read(); next && !next.done; next = await reader?.read()) res.write(next.value);
        res.end();
    } catch {
        res.destroy();
    }
}
