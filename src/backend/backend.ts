// The contract between ghost text (and the command-palette features) and whoever completes: the
// local engine's worker client (src/engine/workerClient.ts) or a server (src/remote/). Both declare
// `implements Backend`; everything downstream holds an ActiveBackend and can't tell them apart.

import type { BackendError } from "./backendError";
import type { CompletionRequest, CompletionResult, ModelInfo } from "./types";

export type BackendState =
    | { readonly kind: "starting" }
    | { readonly kind: "loading"; readonly modelPath: string }
    | { readonly kind: "ready"; readonly info: ModelInfo }
    | { readonly kind: "noModel"; readonly error?: BackendError }
    | { readonly kind: "restarting"; readonly attempt: number; readonly delayMs: number; readonly error: BackendError }
    | { readonly kind: "failed"; readonly error: BackendError }
    /** A server backend cannot serve: retried after `retryInMs`, or (undefined) once the user acts. */
    | { readonly kind: "unavailable"; readonly error: BackendError; readonly retryInMs?: number }
    | { readonly kind: "stopped" };

export interface CompleteOptions {
    readonly signal?: AbortSignal;
    readonly onText?: (chunk: string) => void;
}

export interface Backend {
    complete(request: CompletionRequest, options?: CompleteOptions): Promise<CompletionResult>;
    readonly state: BackendState;
    countTokens(text: string): Promise<number>;
}

/** What ghost text needs of a backend: only to complete. */
export type CompletionBackend = Pick<Backend, "complete">;
