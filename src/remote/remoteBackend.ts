// The completion backend for a server: llama.cpp's llama-server, vLLM or Ollama through the
// OpenAI-compatible /v1/completions, streamed as server-sent events. The same request and result
// types as the local engine, the same anchored prompt window (counted exactly with the server's own
// /tokenize), so the server's prompt cache stays warm keystroke after keystroke. Plain Node.
//
// Failures put the backend in an "unavailable" state with a clear error; the retryable ones (server
// down, 429, 5xx, stalled or malformed stream) are probed again with backoff, the others (bad key,
// unknown model) wait for the user to change something (reconnect()).

import type { EngineState } from "../engine/client";
import type { CompleteOptions } from "../engine/client";
import { CONTEXT_MARGIN, SOLAR_CONTEXT_SIZE } from "../engine/llamaEngine";
import type { CompletionRequest, CompletionResult, ModelInfo, StopReason, WindowInfo } from "../engine/protocol";
import { EngineError } from "../engine/engineError";
import { httpError, networkError, RemoteError } from "./remoteErrors";
import { SseError, SseParser } from "./sse";
import { buildPromptWindowRemote, CountCache } from "./windowCounting";

export type ServerKind = "llama-server" | "vllm" | "openai-compatible";

export interface RemoteBackendOptions {
    /** The server's root, e.g. http://gpu-box:8080 (a trailing /v1 is accepted). */
    readonly endpoint: string;
    /** The model name sent with each request; empty = the server's first (or only) model. */
    readonly model?: string;
    readonly apiKey?: () => Promise<string | undefined> | string | undefined;
    /** Longest wait for the server's response headers: connection, queueing, prompt evaluation. */
    readonly requestTimeoutMs?: number;
    /** Longest silence inside a stream before it counts as stalled. */
    readonly stallTimeoutMs?: number;
    /** Delays between probes after retryable failures in a row; the last one repeats. */
    readonly retryDelaysMs?: readonly number[];
    readonly maxContextSize?: number;
    /** Counts for a server without /tokenize (Ollama): a local vocabulary-only load of the Solar tokenizer. */
    readonly localTokenizer?: (text: string) => number | Promise<number>;
    readonly log?: (level: "debug" | "info" | "warn" | "error", message: string) => void;
    readonly onState?: (state: EngineState) => void;
    /** A completion was served: whatever failed before works again (the entry point re-arms notifications). */
    readonly onServed?: () => void;
}

interface Timings {
    readonly prompt_n?: number;
    readonly prompt_ms?: number;
    readonly predicted_n?: number;
    readonly predicted_ms?: number;
    readonly cache_n?: number;
}

const DEFAULT_RETRY_DELAYS_MS = [1_000, 2_000, 5_000, 15_000, 30_000];

export class RemoteBackend {
    readonly endpoint: string;
    private stateValue: EngineState = { kind: "starting" };
    private connecting: Promise<ModelInfo> | undefined;
    private server: { kind: ServerKind; model: string; contextSize: number; tokenize: boolean } | undefined;
    private readonly counts = new CountCache();
    private failures = 0;
    private retryTimer: NodeJS.Timeout | undefined;
    private stopped = false;

    constructor(private readonly options: RemoteBackendOptions) {
        this.endpoint = normalizeEndpoint(options.endpoint);
    }

    get state(): EngineState {
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
        this.counts.clear();
        return this.connect();
    }

    async countTokens(text: string): Promise<number> {
        await this.ready();
        return this.count(text);
    }

    async complete(request: CompletionRequest, options: CompleteOptions = {}): Promise<CompletionResult> {
        const server = await this.ready();
        const started = performance.now();
        const maxTokens = Math.max(1, Math.min(request.maxTokens, server.contextSize - CONTEXT_MARGIN - 1));
        const { text: prompt, window, promptTokens } = await this.resolvePrompt(request, server.contextSize, maxTokens).catch((error: unknown) => {
            // A prompt that cannot fit is the request's fault; a failed /tokenize is the server's.
            throw error instanceof EngineError && !(error instanceof RemoteError) ? error : this.failed(toRemoteError(error, this.endpoint));
        });
        if (options.signal?.aborted) return aborted(window, promptTokens);

        const controller = new AbortController();
        let stopReason: StopReason | undefined;
        const stopWith = (reason: StopReason) => {
            stopReason ??= reason;
            controller.abort();
        };
        const onAbort = () => stopWith("abort");
        options.signal?.addEventListener("abort", onAbort, { once: true });
        const deadline = request.timeLimitMs === undefined ? undefined : setTimeout(() => stopWith("timeLimit"), request.timeLimitMs);
        let text = "";
        let firstTokenAt: number | undefined;
        let finish: string | undefined;
        let timings: Timings | undefined;
        let chunks = 0;
        try {
            const body = {
                model: server.model,
                prompt,
                max_tokens: maxTokens,
                temperature: request.temperature ?? 0,
                stop: request.stop?.length ? request.stop : undefined,
                seed: request.seed,
                stream: true,
                ...(server.kind === "llama-server" ? { cache_prompt: true } : {}),
            };
            const response = await this.fetch("/v1/completions", { method: "POST", body: JSON.stringify(body) }, controller);
            if (!response.ok) throw httpError(response.status, await response.text().catch(() => ""), this.endpoint, server.model, response.headers.get("retry-after"));
            if (!response.body) throw new RemoteError("REMOTE_BAD_STREAM", `${this.endpoint} answered without a body.`, true);
            const parser = new SseParser();
            let done = false;
            const handle = (events: ReturnType<SseParser["push"]>) => {
                for (const event of events) {
                    if (event.kind === "done") {
                        done = true;
                        continue;
                    }
                    const data = event.json as { choices?: { text?: unknown; finish_reason?: unknown }[]; timings?: Timings; usage?: unknown; error?: unknown };
                    if (data.error !== undefined) throw new SseError(`The server reported an error in the stream: ${JSON.stringify(data.error).slice(0, 200)}`);
                    const choice = data.choices?.[0];
                    if (!Array.isArray(data.choices) && !data.timings && !data.usage) throw new SseError(`Unexpected event in the stream: ${JSON.stringify(data).slice(0, 120)}`);
                    if (data.timings) timings = data.timings;
                    if (choice && typeof choice.text === "string" && choice.text) {
                        firstTokenAt ??= performance.now();
                        chunks++;
                        text += choice.text;
                        options.onText?.(choice.text);
                    }
                    if (choice && typeof choice.finish_reason === "string") finish = choice.finish_reason;
                }
            };
            const reader = response.body.getReader();
            for (;;) {
                const next = await this.withStallTimeout(reader.read(), controller);
                if (next.done) break;
                handle(parser.push(next.value));
                // [DONE] ends the answer even if the server keeps the connection open.
                if (done) break;
            }
            handle(parser.end());
            if (!done && finish === undefined) throw new SseError(`The stream from ${this.endpoint} ended before [DONE].`);
        } catch (error) {
            if (stopReason !== undefined && !(error instanceof RemoteError && error.code === "REMOTE_SLOW_STREAM")) {
                // Our own abort (typing on, cancel, time limit): the partial text is the result.
            } else {
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
        if (stopReason === undefined || firstTokenAt !== undefined) this.succeeded();
        const now = performance.now();
        const promptEnd = firstTokenAt ?? now;
        const evaluated = timings?.prompt_n ?? promptTokens;
        return {
            text,
            window,
            stats: {
                promptTokens,
                reusedTokens: Math.max(0, promptTokens - evaluated),
                evaluatedTokens: evaluated,
                promptMs: round(promptEnd - started),
                genMs: round(now - promptEnd),
                generatedTokens: timings?.predicted_n ?? chunks,
                stopReason: stopReason ?? (finish === "length" ? "maxTokens" : "eos"),
                maxChunkMs: 0,
            },
        };
    }

    /** No more requests, probes or retries. */
    async stop(): Promise<void> {
        this.stopped = true;
        clearTimeout(this.retryTimer);
        this.setState({ kind: "stopped" });
    }

    private async ready(): Promise<NonNullable<RemoteBackend["server"]>> {
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
            if (!/^https?:\/\/./i.test(this.endpoint)) {
                throw new RemoteError(
                    "REMOTE_NOT_CONFIGURED",
                    `solarComplete.remote.endpoint ${this.endpoint ? `"${this.endpoint}" is not an http(s) URL` : "is empty"}: set it to the server's URL, e.g. http://gpu-box:8080.`,
                    false,
                );
            }
            const controller = new AbortController();
            const models = await this.json<{ data?: { id?: unknown }[] }>("/v1/models", { method: "GET" }, controller);
            const served = (models.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === "string");
            const props = await this.json<{ default_generation_settings?: { n_ctx?: unknown }; n_ctx?: unknown }>("/props", { method: "GET" }, controller).catch(
                () => undefined,
            );
            const kind: ServerKind = props && (props.default_generation_settings !== undefined || "build_info" in props) ? "llama-server" : "openai-compatible";
            const model = this.options.model || served[0] || "";
            if (kind !== "llama-server" && this.options.model && served.length && !served.includes(this.options.model)) {
                throw new RemoteError(
                    "REMOTE_MODEL_NOT_FOUND",
                    `${this.endpoint} does not serve the model "${this.options.model}" (it serves ${served.map((s) => `"${s}"`).join(", ")}). Check solarComplete.remote.model.`,
                    false,
                );
            }
            let contextSize = this.options.maxContextSize ?? SOLAR_CONTEXT_SIZE;
            const serverContext = Number(props?.default_generation_settings?.n_ctx ?? props?.n_ctx);
            if (Number.isInteger(serverContext) && serverContext > 0) contextSize = Math.min(contextSize, serverContext);
            const server: { kind: ServerKind; model: string; contextSize: number; tokenize: boolean } = { kind, model, contextSize, tokenize: false };
            this.server = server;
            // vLLM's /tokenize takes {prompt}; llama-server's {content}. Ollama has none.
            const vllm = kind === "llama-server" ? undefined : await this.tokenizeVllm("").catch(() => undefined);
            if (vllm !== undefined) {
                server.kind = "vllm";
                if (vllm.maxModelLen) server.contextSize = Math.min(server.contextSize, vllm.maxModelLen);
            }
            server.tokenize = kind === "llama-server" || vllm !== undefined;
            // Also checks the API key: llama-server leaves /v1/models open but not /tokenize.
            if (server.tokenize) await this.count("");
            else if (!this.options.localTokenizer) {
                throw new RemoteError(
                    "REMOTE_BAD_REQUEST",
                    `${this.endpoint} has no /tokenize endpoint, so the 4,096-token window cannot be counted exactly. Use llama-server or vLLM (Ollama has no /tokenize), or the CLI with --tokenizer <a Solar GGUF>.`,
                    false,
                );
            }
            const info: ModelInfo = {
                modelPath: model || this.endpoint,
                architecture: "remote",
                fileType: undefined,
                fileSize: 0,
                contextSize: server.contextSize,
                trainedContextSize: server.contextSize,
                backend: `${server.kind} at ${this.endpoint}`,
                gpu: false,
                threads: 0,
                loadMs: Math.round(performance.now() - started),
            };
            this.log("info", `Connected to ${info.backend}, model "${model}", context ${info.contextSize}`);
            this.setState({ kind: "ready", info });
            return info;
        } catch (error) {
            this.server = undefined;
            throw this.failed(toRemoteError(error, this.endpoint));
        }
    }

    private async resolvePrompt(
        request: CompletionRequest,
        contextSize: number,
        maxTokens: number,
    ): Promise<{ text: string; window?: WindowInfo; promptTokens: number }> {
        const source = request.prompt;
        const budget = contextSize - maxTokens - CONTEXT_MARGIN;
        if (source.kind === "text") {
            const promptTokens = await this.count(source.text);
            if (promptTokens + maxTokens > contextSize - CONTEXT_MARGIN) {
                throw new EngineError(
                    "PROMPT_TOO_LONG",
                    `The prompt has ${promptTokens} tokens; with ${maxTokens} new tokens it does not fit the ${contextSize}-token context.`,
                );
            }
            return { text: source.text, promptTokens };
        }
        const built = await buildPromptWindowRemote(
            { text: source.text, cursor: source.cursor, budget, previous: source.previous },
            (text) => this.count(text),
            this.counts,
        );
        return {
            text: built.prompt,
            promptTokens: built.promptTokens,
            window: { start: built.start, end: built.end, anchor: built.anchor, moved: built.moved },
        };
    }

    private async count(text: string): Promise<number> {
        const cached = this.counts.get(text);
        if (cached !== undefined) return cached;
        let count: number;
        if (this.server && !this.server.tokenize && this.options.localTokenizer) {
            count = await this.options.localTokenizer(text);
        } else if (this.server?.kind === "vllm") {
            count = (await this.tokenizeVllm(text)).count;
        } else {
            const result = await this.json<{ tokens?: unknown[] }>("/tokenize", { method: "POST", body: JSON.stringify({ content: text, add_special: true }) }, new AbortController());
            if (!Array.isArray(result.tokens)) throw new RemoteError("REMOTE_BAD_STREAM", `${this.endpoint}/tokenize answered without tokens.`, true);
            count = result.tokens.length;
        }
        this.counts.set(text, count);
        return count;
    }

    private async tokenizeVllm(text: string): Promise<{ count: number; maxModelLen?: number }> {
        const result = await this.json<{ count?: unknown; tokens?: unknown[]; max_model_len?: unknown }>(
            "/tokenize",
            { method: "POST", body: JSON.stringify({ model: this.server?.model || this.options.model, prompt: text, add_special_tokens: true }) },
            new AbortController(),
        );
        // vLLM always answers a count; llama-server would answer {tokens: []} to this body.
        const count = typeof result.count === "number" ? result.count : undefined;
        if (count === undefined) throw new RemoteError("REMOTE_BAD_STREAM", `${this.endpoint}/tokenize answered without a count.`, true);
        return { count, maxModelLen: typeof result.max_model_len === "number" ? result.max_model_len : undefined };
    }

    private async json<T>(path: string, init: RequestInit, controller: AbortController): Promise<T> {
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
    private async fetch(path: string, init: RequestInit, controller: AbortController): Promise<Response> {
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
                this.log("debug", `${path}: ${code}, retrying on a new connection`);
                return request();
            });
        } catch (error) {
            if (timedOut) throw new RemoteError("REMOTE_TIMEOUT", `${this.endpoint} did not answer within ${timeoutMs} ms; retrying later.`, true);
            throw error;
        } finally {
            clearTimeout(timer);
        }
    }

    /** The next read, or REMOTE_SLOW_STREAM (and the request aborted) after stallTimeoutMs of silence. */
    private async withStallTimeout<T>(read: Promise<T>, controller: AbortController): Promise<T> {
        const stallMs = this.options.stallTimeoutMs ?? 5_000;
        let timer: NodeJS.Timeout | undefined;
        let stalled: RemoteError | undefined;
        const timeout = new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
                stalled = new RemoteError("REMOTE_SLOW_STREAM", `The stream from ${this.endpoint} stalled for ${stallMs} ms; retrying later.`, true);
                reject(stalled);
                controller.abort();
            }, stallMs);
        });
        try {
            return await Promise.race([read, timeout]);
        } catch (error) {
            // Aborting makes the read fail too, possibly first: the stall is the reason.
            throw stalled ?? error;
        } finally {
            clearTimeout(timer);
        }
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

    private setState(state: EngineState): void {
        this.stateValue = state;
        this.options.onState?.(state);
    }

    private log(level: "debug" | "info" | "warn" | "error", message: string): void {
        this.options.log?.(level, message);
    }
}

export function normalizeEndpoint(endpoint: string): string {
    return endpoint.trim().replace(/\/+$/, "").replace(/\/v1$/, "");
}

function toRemoteError(error: unknown, endpoint: string): RemoteError {
    if (error instanceof RemoteError) return error;
    if (error instanceof SseError) return new RemoteError("REMOTE_BAD_STREAM", `${error.message} (${endpoint}); retrying later.`, true);
    return networkError(error, endpoint);
}

function aborted(window: WindowInfo | undefined, promptTokens: number): CompletionResult {
    return {
        text: "",
        window,
        stats: { promptTokens, reusedTokens: 0, evaluatedTokens: 0, promptMs: 0, genMs: 0, generatedTokens: 0, stopReason: "abort", maxChunkMs: 0 },
    };
}

function round(ms: number): number {
    return Math.round(ms * 10) / 10;
}
