// Exact token counts from the server that runs the model (BOS included), so the prompt window holds
// exactly what the server evaluates: llama-server's /tokenize {content}, vLLM's /tokenize {prompt},
// or, for a server without one (Ollama), a local vocabulary-only load of the Solar tokenizer.
// Counts are cached: a keystroke whose anchored window holds costs one round trip.

import { RemoteError } from "./remoteErrors";
import type { ServerHttp } from "./serverHttp";
import type { ProbeTokenizer, ServerInfo } from "./serverProbe";

/** Remembers the last counts: the empty prompt, windows of recent keystrokes. */
export class CountCache {
    private readonly counts = new Map<string, number>();

    constructor(private readonly capacity = 64) {}

    get(text: string): number | undefined {
        const count = this.counts.get(text);
        if (count !== undefined) {
            this.counts.delete(text);
            this.counts.set(text, count);
        }
        return count;
    }

    set(text: string, count: number): void {
        this.counts.delete(text);
        this.counts.set(text, count);
        while (this.counts.size > this.capacity) this.counts.delete(this.counts.keys().next().value as string);
    }

    clear(): void {
        this.counts.clear();
    }
}

export interface RemoteTokenizerOptions {
    /** The configured model name: vLLM's /tokenize is asked for it when the server named none. */
    readonly model?: string;
    /** Counts for a server without /tokenize. */
    readonly localTokenizer?: (text: string) => number | Promise<number>;
}

export class RemoteTokenizer implements ProbeTokenizer {
    readonly cache = new CountCache();

    constructor(
        private readonly http: ServerHttp,
        private readonly options: RemoteTokenizerOptions,
    ) {}

    /** The count for `server`; without a server yet, llama-server's /tokenize is asked. */
    async count(text: string, server: ServerInfo | undefined): Promise<number> {
        const cached = this.cache.get(text);
        if (cached !== undefined) return cached;
        let count: number;
        if (server && !server.tokenize && this.options.localTokenizer) {
            count = await this.options.localTokenizer(text);
        } else if (server?.kind === "vllm") {
            count = (await this.tokenizeVllm(text, server.model)).count;
        } else {
            const result = await this.http.json<{ tokens?: unknown[] }>("/tokenize", { method: "POST", body: JSON.stringify({ content: text, add_special: true }) }, new AbortController());
            if (!Array.isArray(result.tokens)) throw new RemoteError("REMOTE_BAD_STREAM", `${this.http.endpoint}/tokenize answered without tokens.`, true);
            count = result.tokens.length;
        }
        this.cache.set(text, count);
        return count;
    }

    async tokenizeVllm(text: string, model: string): Promise<{ count: number; maxModelLen?: number }> {
        const result = await this.http.json<{ count?: unknown; tokens?: unknown[]; max_model_len?: unknown }>(
            "/tokenize",
            { method: "POST", body: JSON.stringify({ model: model || this.options.model, prompt: text, add_special_tokens: true }) },
            new AbortController(),
        );
        // vLLM always answers a count; llama-server would answer {tokens: []} to this body.
        const count = typeof result.count === "number" ? result.count : undefined;
        if (count === undefined) throw new RemoteError("REMOTE_BAD_STREAM", `${this.http.endpoint}/tokenize answered without a count.`, true);
        return { count, maxModelLen: typeof result.max_model_len === "number" ? result.max_model_len : undefined };
    }
}
