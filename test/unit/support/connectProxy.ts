// A real forward proxy on 127.0.0.1, as a company proxy behaves: CONNECT tunnels (for https://
// targets) and absolute-URI requests (`GET http://host/path`, for http:// targets), optionally
// demanding Proxy-Authorization (407). It forwards to loopback targets only, and records what it
// was asked, so tests can prove a request went through it.

import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";

export interface ConnectProxy {
    /** http://127.0.0.1:<port> */
    readonly url: string;
    /** "CONNECT 127.0.0.1:1234" or "GET http://127.0.0.1:1234/path", in order. */
    readonly requests: string[];
    /** The Proxy-Authorization header each request came with. */
    readonly authorizations: Array<string | undefined>;
    close(): Promise<void>;
}

export interface ConnectProxyOptions {
    /** Answer 407 unless Proxy-Authorization is exactly this. */
    readonly requireAuthorization?: string;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

export async function startConnectProxy(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
    const requests: string[] = [];
    const authorizations: Array<string | undefined> = [];
    const sockets = new Set<net.Socket>();
    const allowed = (header: string | undefined) => options.requireAuthorization === undefined || header === options.requireAuthorization;

    const server = http.createServer((req, res) => {
        requests.push(`${req.method} ${req.url}`);
        authorizations.push(req.headers["proxy-authorization"]);
        if (!allowed(req.headers["proxy-authorization"])) {
            res.writeHead(407, { "proxy-authenticate": 'Basic realm="test"' }).end();
            return;
        }
        let target: URL;
        try {
            target = new URL(req.url ?? "");
        } catch {
            res.writeHead(400).end("not a proxy request");
            return;
        }
        if (!LOOPBACK.has(target.hostname)) {
            res.writeHead(403).end("loopback only");
            return;
        }
        const headers = { ...req.headers };
        delete headers["proxy-authorization"];
        delete headers["proxy-connection"];
        const upstream = http.request(target, { method: req.method, headers }, (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
        });
        upstream.on("error", () => res.destroy());
        req.pipe(upstream);
    });
    server.on("connect", (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
        requests.push(`CONNECT ${req.url}`);
        authorizations.push(req.headers["proxy-authorization"]);
        socket.on("error", () => undefined);
        if (!allowed(req.headers["proxy-authorization"])) {
            socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
            return;
        }
        const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(req.url ?? "");
        if (!match || !LOOPBACK.has(match[1])) {
            socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
            return;
        }
        const upstream = net.connect(Number(match[2]), match[1].replace(/^\[|\]$/g, ""), () => {
            socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
            if (head.length) upstream.write(head);
            upstream.pipe(socket);
            socket.pipe(upstream);
        });
        sockets.add(upstream);
        upstream.on("close", () => sockets.delete(upstream));
        upstream.on("error", () => socket.destroy());
        socket.on("close", () => upstream.destroy());
    });
    server.on("connection", (socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        authorizations,
        close() {
            for (const socket of sockets) socket.destroy();
            return new Promise((resolve) => server.close(() => resolve()));
        },
    };
}
