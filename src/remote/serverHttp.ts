// HTTP to one OpenAI-compatible server: the API key on every request, a limit on the wait for the
// response headers, and one retry when a kept-alive connection turns out to be closed. Every
// request (probe, /tokenize, /v1/completions) goes through one undici dispatcher holding the proxy
// and certificate policy (src/net: VS Code's http.proxy and http.proxyStrictSSL, HTTPS_PROXY /
// NO_PROXY, solarComplete.caCertificates). Plain Node.

import { fetch, NetworkDispatcher } from "../net/fetchDispatcher";
import { describeCertificateError, describeProxyError, NetworkSetupError } from "../net/networkErrors";
import { tlsPolicy, type NetworkOptions } from "../net/networkOptions";
import { httpError, RemoteError } from "./remoteErrors";

export interface ServerHttpOptions {
    readonly apiKey?: () => Promise<string | undefined> | string | undefined;
    /** Longest wait for the server's response headers: connection, queueing, prompt evaluation. */
    readonly requestTimeoutMs?: number;
    /** The configured model name, for the message of an HTTP error. */
    readonly model?: string;
    /** Proxy and certificates, as the extension host read them; default: the environment's proxy. */
    readonly network?: NetworkOptions;
    readonly log?: (level: "debug", message: string) => void;
}

export class ServerHttp {
    /** Made at the first request: a CA file that can't be read fails that request, not the constructor. */
    private dispatcher: NetworkDispatcher | undefined;

    constructor(
        /** Normalized: no trailing slash, no /v1. */
        readonly endpoint: string,
        private readonly options: ServerHttpOptions,
    ) {}

    async json<T>(path: string, init: RequestInit, controller: AbortController): Promise<T> {
        const response = await this.fetch(path, init, controller);
        const body = await response.text();
        if (!response.ok) throw httpError(response.status, body, this.endpoint, this.options.model, response.headers.get("retry-after"));
        try {
            return JSON.parse(body) as T;
        } catch {
            throw new RemoteError("REMOTE_BAD_STREAM", `${this.endpoint}${path} answered with something other than JSON.`, true);
        }
    }

    /** fetch with the API key, the network policy and a limit on the wait for the response headers. */
    async fetch(path: string, init: RequestInit, controller: AbortController): Promise<Response> {
        const dispatcher = this.route();
        const key = await this.options.apiKey?.();
        const headers: Record<string, string> = { "Content-Type": "application/json" };
        if (key) headers.Authorization = `Bearer ${key}`;
        const timeoutMs = this.options.requestTimeoutMs ?? 10_000;
        let timedOut = false;
        const timer = setTimeout(() => {
            timedOut = true;
            controller.abort();
        }, timeoutMs);
        const request = () =>
            fetch(`${this.endpoint}${path}`, { ...(init as Parameters<typeof fetch>[1]), headers, signal: controller.signal, dispatcher }) as unknown as Promise<Response>;
        try {
            return await request().catch((error: unknown) => {
                // A kept-alive connection the server had already closed: a fresh one is worth one try.
                const code = (error as { cause?: { code?: string } })?.cause?.code;
                if (controller.signal.aborted || !(code === "UND_ERR_SOCKET" || code === "ECONNRESET")) throw error;
                this.options.log?.("debug", `${path}: ${code}, retrying on a new connection`);
                return request();
            });
        } catch (error) {
            if (timedOut) throw new RemoteError("REMOTE_TIMEOUT", `${this.endpoint} did not answer within ${timeoutMs} ms; retrying later.`, true);
            throw this.networkFailure(error, dispatcher) ?? error;
        } finally {
            clearTimeout(timer);
        }
    }

    /** Closes the connections kept alive for this server. */
    async close(): Promise<void> {
        await this.dispatcher?.close();
        this.dispatcher = undefined;
    }

    private route(): NetworkDispatcher {
        if (!this.dispatcher) {
            try {
                this.dispatcher = new NetworkDispatcher(this.options.network ?? {}, tlsPolicy(this.options.network));
            } catch (error) {
                throw this.networkFailure(error, undefined) ?? error;
            }
        }
        return this.dispatcher;
    }

    /**
     * A certificate, proxy or settings failure as one RemoteError naming the setting. Only a proxy
     * that is down can come back by itself; the others wait for the user (see RemoteBackend.reconnect).
     */
    private networkFailure(error: unknown, dispatcher: NetworkDispatcher | undefined): RemoteError | undefined {
        for (let current = error, depth = 0; current && depth < 3; current = (current as { cause?: unknown }).cause, depth++) {
            if (current instanceof NetworkSetupError) return new RemoteError("REMOTE_UNREACHABLE", current.message, false);
        }
        const certificate = describeCertificateError(error, this.endpoint);
        if (certificate) return new RemoteError("REMOTE_UNREACHABLE", certificate, false);
        const proxy = describeProxyError(error, dispatcher?.proxyOf(this.endpoint), this.endpoint);
        if (proxy) return new RemoteError("REMOTE_UNREACHABLE", proxy.credentials ? proxy.message : `${proxy.message} Retrying later.`, !proxy.credentials);
        return undefined;
    }
}
