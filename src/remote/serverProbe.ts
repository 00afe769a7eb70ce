// What a server is before the first completion: llama-server, vLLM or another OpenAI-compatible
// server (Ollama), the model it serves, its context size, and whether it can count tokens for the
// window. A wrong endpoint, an unknown model or a rejected API key fail here, once, with the reason.

import { SOLAR_CONTEXT_SIZE } from "../backend/limits";
import type { ModelInfo } from "../backend/types";
import { RemoteError } from "./remoteErrors";
import type { ServerHttp } from "./serverHttp";

export type ServerKind = "llama-server" | "vllm" | "openai-compatible";

export interface ServerInfo {
    readonly kind: ServerKind;
    /** Sent with each request; empty = the server's own default. */
    readonly model: string;
    readonly contextSize: number;
    /** The server counts tokens itself (/tokenize); otherwise the local tokenizer does. */
    readonly tokenize: boolean;
}

export interface ProbeOptions {
    /** The configured model name; empty = the server's first (or only) model. */
    readonly model?: string;
    readonly maxContextSize?: number;
    /** Only whether there is one: without it a server without /tokenize cannot be used. */
    readonly localTokenizer?: unknown;
}

/** What the probe needs of the tokenizer: vLLM's /tokenize tells vLLM apart, and one count checks the key. */
export interface ProbeTokenizer {
    tokenizeVllm(text: string, model: string): Promise<{ count: number; maxModelLen?: number }>;
    count(text: string, server: ServerInfo): Promise<number>;
}

interface Detected {
    readonly kind: ServerKind;
    readonly model: string;
    /** The server's own n_ctx, when it says. */
    readonly serverContext?: number;
}

export function normalizeEndpoint(endpoint: string): string {
    return endpoint.trim().replace(/\/+$/, "").replace(/\/v1$/, "");
}

export async function probeServer(http: ServerHttp, tokenizer: ProbeTokenizer, options: ProbeOptions): Promise<ServerInfo> {
    const detected = await detectServer(http, options);
    let kind = detected.kind;
    let contextSize = contextSizeOf(options, detected.serverContext);
    // vLLM's /tokenize takes {prompt}; llama-server's {content}. Ollama has none.
    const vllm = kind === "llama-server" ? undefined : await tokenizer.tokenizeVllm("", detected.model).catch(() => undefined);
    if (vllm !== undefined) {
        kind = "vllm";
        if (vllm.maxModelLen) contextSize = Math.min(contextSize, vllm.maxModelLen);
    }
    const server: ServerInfo = { kind, model: detected.model, contextSize, tokenize: kind === "llama-server" || vllm !== undefined };
    // Also checks the API key: llama-server leaves /v1/models open but not /tokenize.
    if (server.tokenize) await tokenizer.count("", server);
    else if (!options.localTokenizer) {
        throw new RemoteError(
            "REMOTE_BAD_REQUEST",
            `${http.endpoint} has no /tokenize endpoint, so the 4,096-token window cannot be counted exactly. Use llama-server or vLLM (Ollama has no /tokenize), or the CLI with --tokenizer <a Solar GGUF>.`,
            false,
        );
    }
    return server;
}

/** The model info the status bar and "Show Model Info" show for a server. */
export function serverModelInfo(server: ServerInfo, endpoint: string, loadMs: number): ModelInfo {
    return {
        modelPath: server.model || endpoint,
        architecture: "remote",
        fileType: undefined,
        fileSize: 0,
        contextSize: server.contextSize,
        trainedContextSize: server.contextSize,
        backend: `${server.kind} at ${endpoint}`,
        gpu: false,
        threads: 0,
        loadMs,
    };
}

/** /v1/models says what is served; llama-server alone answers /props. */
async function detectServer(http: ServerHttp, options: ProbeOptions): Promise<Detected> {
    const endpoint = http.endpoint;
    if (!/^https?:\/\/./i.test(endpoint)) {
        throw new RemoteError(
            "REMOTE_NOT_CONFIGURED",
            `solarComplete.remote.endpoint ${endpoint ? `"${endpoint}" is not an http(s) URL` : "is empty"}: set it to the server's URL, e.g. http://gpu-box:8080.`,
            false,
        );
    }
    const controller = new AbortController();
    const models = await http.json<{ data?: { id?: unknown }[] }>("/v1/models", { method: "GET" }, controller);
    const served = (models.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === "string");
    const props = await http.json<{ default_generation_settings?: { n_ctx?: unknown }; n_ctx?: unknown }>("/props", { method: "GET" }, controller).catch(() => undefined);
    const kind: ServerKind = props && (props.default_generation_settings !== undefined || "build_info" in props) ? "llama-server" : "openai-compatible";
    const model = options.model || served[0] || "";
    if (kind !== "llama-server" && options.model && served.length && !served.includes(options.model)) {
        throw new RemoteError(
            "REMOTE_MODEL_NOT_FOUND",
            `${endpoint} does not serve the model "${options.model}" (it serves ${served.map((s) => `"${s}"`).join(", ")}). Check solarComplete.remote.model.`,
            false,
        );
    }
    const serverContext = Number(props?.default_generation_settings?.n_ctx ?? props?.n_ctx);
    return { kind, model, serverContext: Number.isInteger(serverContext) && serverContext > 0 ? serverContext : undefined };
}

/** Solar's context (or the configured cap), never more than the server's own. */
function contextSizeOf(options: ProbeOptions, serverContext: number | undefined): number {
    const contextSize = options.maxContextSize ?? SOLAR_CONTEXT_SIZE;
    return serverContext === undefined ? contextSize : Math.min(contextSize, serverContext);
}
