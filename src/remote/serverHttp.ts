// HTTP to one OpenAI-compatible server: the API key on every request, a limit on the wait for the
// response headers, and one retry when a kept-alive connection turns out to be closed. Plain Node.

import { httpError, RemoteError } from "./remoteErrors";

export interface ServerHttpOptions {
    readonly apiKey?: () => Promise<string | undefined> | string | undefined;
    /** Longest wait for the server's response headers: connection, queueing, prompt evaluation. */
    readonly requestTimeoutMs?: number;
    /** The configured model name, for the message of an HTTP error. */
    readonly model?: string;
    readonly log?: (level: "debug", message: string) => void;
}

export class ServerHttp {
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

    /** fetch with the API key and a limit on the wait for the response headers. */
    async fetch(path: string, init: RequestInit, controller: AbortController): Promise<Response> {
        const key = await this.options.apiKey?.();
        const headers: Record<string, string> = { "Content-Type": "application/json" };
        if (key) headers.Authorization = `Bearer ${key}`;
        const timeoutMs = this.options.requestTimeoutMs ?? 10_000;
        let timedOut = false;
        const timer = setTimeout(() => {
            timedOut = true;
            controller.abort();
        }, timeoutMs);
        const request = () => fetch(`${this.endpoint}${path}`, { ...init, headers, signal: controller.signal });
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
            throw error;
        } finally {
            clearTimeout(timer);
        }
    }
}
