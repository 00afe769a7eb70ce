// The completion backend for a server: llama.cpp's llama-server, vLLM or Ollama through the
// OpenAI-compatible /v1/completions, streamed as server-sent events. The same request and result
// types as the local engine, the same anchored prompt window (counted exactly with the server's own
// /tokenize), so the server's prompt cache stays warm keystroke after keystroke. Plain Node.
//
// Failures put the backend in an "unavailable" state with a clear error; the retryable ones (server
// down, 429, 5xx, stalled or malformed stream) are probed again with backoff, the others (bad key,
// unknown model) wait for the user to change something (reconnect()).
//
// The parts: serverHttp.ts (fetch with the key and a header timeout), serverProbe.ts (what the server
// is), remoteTokenizer.ts (exact counts), completionStream.ts (reading the answer). This file holds
// the state: connection, failures and retries, and one completion from request to stats.

import type { Backend, BackendState, CompleteOptions } from "../backend/backend";
import { BackendError } from "../backend/backendError";
import { resolvePrompt, type ResolvedPrompt } from "../backend/resolvePrompt";
import type { CompletionRequest, CompletionResult, ModelInfo, StopReason } from "../backend/types";
import type { NetworkOptions } from "../net/networkOptions";
import { streamingStopFor } from "../suggestion/streamingStop";
import { readCompletionStream, StreamedCompletion } from "./completionStream";
import { httpError, networkError, RemoteError } from "./remoteErrors";
import { RemoteTokenizer } from "./remoteTokenizer";
import { ServerHttp } from "./serverHttp";
import { normalizeEndpoint, probeServer, serverModelInfo, type ServerInfo, type ServerKind } from "./serverProbe";
import { SseError } from "./sse";

export type { ServerKind } from "./serverProbe";

export interface RemoteBackendOptions {
    /** The server's root, e.g. http://gpu-box:8080 (a trailing /v1 is accepted). */
    readonly endpoint: string;
    /** The model name sent with each request; empty = the server's first (or only) model. */
    readonly model?: string;
    readonly apiKey?: () => Promise<string | undefined> | string | undefined;
    /** Longest wait for the server's response headers: connection, queueing, prompt evaluation. */
    readonly requestTimeoutMs?: number;
    /** Proxy and certificates for every request to the server (see serverHttp.ts); default: the environment's proxy. */
    readonly network?: NetworkOptions;
    /** Longest silence inside a stream before it counts as stalled. */
    readonly stallTimeoutMs?: number;
    /** Delays between probes after retryable failures in a row; the last one repeats. */
    readonly retryDelaysMs?: readonly number[];
    readonly maxContextSize?: number;
    /** Counts for a server without /tokenize (Ollama): a local vocabulary-only load of the Solar tokenizer. */
    readonly localTokenizer?: (text: string) => number | Promise<number>;
    readonly log?: (level: "debug" | "info" | "warn" | "error", message: string) => void;
    readonly onState?: (state: BackendState) => void;
    /** A completion was served: whatever failed before works again (the entry point re-arms notifications). */
    readonly onServed?: () => void;
}

const DEFAULT_RETRY_DELAYS_MS = [1_000, 2_000, 5_000, 15_000, 30_000];

export class RemoteBackend implements Backend {
    readonly endpoint: string;
    private stateValue: BackendState = { kind: "starting" };
    private connecting: Promise<ModelInfo> | undefined;
    private server: ServerInfo | undefined;
    private readonly http: ServerHttp;
    private readonly tokenizer: RemoteTokenizer;
    private failures = 0;
    private retryTimer: NodeJS.Timeout | undefined;
    private stopped = false;

    constructor(private readonly options: RemoteBackendOptions) {
        this.endpoint = normalizeEndpoint(options.endpoint);
        this.http = new ServerHttp(this.endpoint, options);
        this.tokenizer = new RemoteTokenizer(this.http, options);
    }

    get state(): BackendState {
        return this.stateValue;
    }

    get serverKind(): ServerKind | undefined {
        return this.server?.kind;
    }

    /** Asks the server what it is and serves; the state becomes "ready" or "unavailable". */
    connect(): Promise<ModelInfo> {
        this.connecting ??= this.probe().finally(() => (this.connecting = undefined));
        return this.connecting;
    }

    /** Something the user controls changed (API key, settings): forget the failures and try again. */
    reconnect(): Promise<ModelInfo> {
        clearTimeout(this.retryTimer);
        this.failures = 0;
        this.server = undefined;
        this.tokenizer.cache.clear();
        return this.connect();
    }

    async countTokens(text: string): Promise<number> {
        await this.ready();
        return this.count(text);
    }

    async complete(request: CompletionRequest, options: CompleteOptions = {}): Promise<CompletionResult> {
        const server = await this.ready();
        const started = performance.now();
        // A cached count answers at once; a missing one is a /tokenize round trip.
        const count = (text: string) => this.tokenizer.cache.get(text) ?? this.count(text);
        const resolved = await resolvePrompt(request, server.contextSize, count).catch((error: unknown) => {
            // A prompt that cannot fit is the request's fault; a failed /tokenize is the server's.
            throw error instanceof BackendError && !(error instanceof RemoteError) ? error : this.failed(toRemoteError(error, this.endpoint));
        });
        if (options.signal?.aborted) return aborted(resolved);
        const { text: prompt, maxTokens } = resolved;

        const controller = new AbortController();
        let stopReason: StopReason | undefined;
        const stopWith = (reason: StopReason) => {
            stopReason ??= reason;
            controller.abort();
        };
        const onAbort = () => stopWith("abort");
        options.signal?.addEventListener("abort", onAbort, { once: true });
        const deadline = request.timeLimitMs === undefined ? undefined : setTimeout(() => stopWith("timeLimit"), request.timeLimitMs);
        const streamed = new StreamedCompletion();
        // Ghost text: closing the stream is what stops the server generating (llama-server cancels
        // the task when it finds the connection closed).
        const suggestion = streamingStopFor(request);
        const onText = (text: string) => {
            options.onText?.(text);
            if (suggestion?.push(text)) stopWith("suggestionFinal");
        };
        try {
            const body = JSON.stringify(completionBody(server, request, prompt, maxTokens));
            const response = await this.http.fetch("/v1/completions", { method: "POST", body }, controller);
            if (!response.ok) throw httpError(response.status, await response.text().catch(() => ""), this.endpoint, server.model, response.headers.get("retry-after"));
            if (!response.body) throw new RemoteError("REMOTE_BAD_STREAM", `${this.endpoint} answered without a body.`, true);
            const stallMs = this.options.stallTimeoutMs ?? 5_000;
            await readCompletionStream(response.body, streamed, { onText, stallMs, controller, endpoint: this.endpoint });
        } catch (error) {
            // Our own abort (typing on, cancel, time limit) is no failure: the partial text is the result.
            if (stopReason === undefined || (error instanceof RemoteError && error.code === "REMOTE_SLOW_STREAM")) {
                const failure = toRemoteError(error, this.endpoint);
                // A rejected request (HTTP 400/422: a parameter this server dislikes) says nothing
                // about the next one: fail this request, keep the backend.
                if (failure.code === "REMOTE_BAD_REQUEST") throw failure;
                throw this.failed(failure);
            }
        } finally {
            // Whatever ended the loop, the server must stop generating for us.
            controller.abort();
            clearTimeout(deadline);
            options.signal?.removeEventListener("abort", onAbort);
        }
        // An abort before any text proves nothing about the server.
        if (stopReason === undefined || streamed.firstTokenAt !== undefined) this.succeeded();
        return completionResult(streamed, resolved, started, stopReason);
    }

    /** No more requests, probes or retries. */
    async stop(): Promise<void> {
        this.stopped = true;
        clearTimeout(this.retryTimer);
        this.setState({ kind: "stopped" });
        // Gracefully: a request in flight still ends as it would have; its connection closes after.
        void this.http.close();
    }

    private async ready(): Promise<ServerInfo> {
        if (this.stopped) throw new RemoteError("REMOTE_UNREACHABLE", "The remote backend has been stopped.", false);
        // Failed: the scheduled probe (or the user, through reconnect()) decides when to try again,
        // never the next keystroke.
        this.throwIfUnavailable();
        if (!this.server) await this.connect();
        this.throwIfUnavailable();
        if (!this.server) throw new RemoteError("REMOTE_UNREACHABLE", `${this.endpoint} is not connected.`, true);
        return this.server;
    }

    private throwIfUnavailable(): void {
        const state = this.stateValue;
        if (state.kind === "unavailable") throw state.error;
    }

    private async probe(): Promise<ModelInfo> {
        const started = performance.now();
        if (this.stateValue.kind !== "unavailable") this.setState({ kind: "loading", modelPath: this.endpoint });
        try {
            const server = await probeServer(this.http, this.tokenizer, this.options);
            this.server = server;
            const info = serverModelInfo(server, this.endpoint, Math.round(performance.now() - started));
            this.log("info", `Connected to ${info.backend}, model "${server.model}", context ${info.contextSize}`);
            this.setState({ kind: "ready", info });
            return info;
        } catch (error) {
            this.server = undefined;
            throw this.failed(toRemoteError(error, this.endpoint));
        }
    }

    private count(text: string): Promise<number> {
        return this.tokenizer.count(text, this.server);
    }

    private succeeded(): void {
        this.failures = 0;
        // A stopped backend's late answer says nothing about the one that replaced it.
        if (!this.stopped) this.options.onServed?.();
    }

    /** Records a failure: the state says what went wrong; a retryable one is probed again later. */
    private failed(error: RemoteError): RemoteError {
        if (this.stopped) return error;
        clearTimeout(this.retryTimer);
        this.server = undefined;
        let retryInMs: number | undefined;
        if (error.retryable) {
            const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
            retryInMs = Math.max(error.retryAfterMs ?? 0, delays[Math.min(this.failures, delays.length - 1)]);
            this.failures++;
            this.retryTimer = setTimeout(() => void this.connect().catch(() => undefined), retryInMs);
            this.retryTimer.unref?.();
        }
        this.log("warn", `[${error.code}] ${error.message}`);
        this.setState({ kind: "unavailable", error, retryInMs });
        return error;
    }

    private setState(state: BackendState): void {
        this.stateValue = state;
        this.options.onState?.(state);
    }

    private log(level: "debug" | "info" | "warn" | "error", message: string): void {
        this.options.log?.(level, message);
    }
}

function toRemoteError(error: unknown, endpoint: string): RemoteError {
    if (error instanceof RemoteError) return error;
    if (error instanceof SseError) return new RemoteError("REMOTE_BAD_STREAM", `${error.message} (${endpoint}); retrying later.`, true);
    return networkError(error, endpoint);
}

/** Where the prompt came from, as the result reports it: the window and the context kept. */
function promptOrigin({ window, context }: ResolvedPrompt): Pick<CompletionResult, "window" | "context"> {
    return { window, ...(context ? { context } : {}) };
}

function aborted(resolved: ResolvedPrompt): CompletionResult {
    const { promptTokens } = resolved;
    return {
        text: "",
        ...promptOrigin(resolved),
        stats: { promptTokens, reusedTokens: 0, evaluatedTokens: 0, promptMs: 0, genMs: 0, generatedTokens: 0, stopReason: "abort", maxChunkMs: 0 },
    };
}

function completionBody(server: ServerInfo, request: CompletionRequest, prompt: string, maxTokens: number) {
    return {
        model: server.model,
        prompt,
        max_tokens: maxTokens,
        temperature: request.temperature ?? 0,
        stop: request.stop?.length ? request.stop : undefined,
        seed: request.seed,
        stream: true,
        ...(server.kind === "llama-server" ? { cache_prompt: true } : {}),
    };
}

function completionResult(
    streamed: StreamedCompletion,
    resolved: ResolvedPrompt,
    started: number,
    stopReason: StopReason | undefined,
): CompletionResult {
    const now = performance.now();
    const promptEnd = streamed.firstTokenAt ?? now;
    const { promptTokens } = resolved;
    const evaluated = streamed.timings?.prompt_n ?? promptTokens;
    return {
        text: streamed.text,
        ...promptOrigin(resolved),
        stats: {
            promptTokens,
            reusedTokens: Math.max(0, promptTokens - evaluated),
            evaluatedTokens: evaluated,
            promptMs: round(promptEnd - started),
            genMs: round(now - promptEnd),
            // A stream we closed (typing on, a final suggestion) never gets the server's timings: then
            // the text events that arrived, one token each from llama-server. Tokens the server made
            // after them, before it saw the connection closed, never reached us and are not counted.
            generatedTokens: streamed.timings?.predicted_n ?? streamed.chunks,
            stopReason: stopReason ?? (streamed.finish === "length" ? "maxTokens" : "eos"),
            maxChunkMs: 0,
        },
    };
}

function round(ms: number): number {
    return Math.round(ms * 10) / 10;
}
