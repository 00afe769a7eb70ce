// Every way a remote server can fail, as an BackendError with a stable code, a message a user can act
// on, and whether retrying later can help. Pure: built from a status code, a body, or a fetch error.

import { BackendError } from "../backend/backendError";

export type RemoteErrorCode =
    | "REMOTE_NOT_CONFIGURED"
    | "REMOTE_UNREACHABLE"
    | "REMOTE_UNAUTHORIZED"
    | "REMOTE_MODEL_NOT_FOUND"
    | "REMOTE_NOT_FOUND"
    | "REMOTE_RATE_LIMITED"
    | "REMOTE_SERVER_ERROR"
    | "REMOTE_TIMEOUT"
    | "REMOTE_SLOW_STREAM"
    | "REMOTE_BAD_STREAM"
    | "REMOTE_BAD_REQUEST";

export class RemoteError extends BackendError {
    constructor(
        override readonly code: RemoteErrorCode,
        message: string,
        /** Retrying can help (the server may come back); false for a bad key or model: the user must act. */
        readonly retryable: boolean,
        /** The server's own Retry-After, in ms. */
        readonly retryAfterMs?: number,
    ) {
        super(code, message);
        this.name = "RemoteError";
    }
}

export function httpError(status: number, body: string, endpoint: string, model: string | undefined, retryAfter?: string | null): RemoteError {
    const detail = serverMessage(body);
    const suffix = detail ? ` (${detail})` : "";
    if (status === 401 || status === 403) {
        return new RemoteError(
            "REMOTE_UNAUTHORIZED",
            `${endpoint} refused the API key (HTTP ${status})${suffix}. Set it with "Solar: Set Remote API Key…".`,
            false,
        );
    }
    if (status === 404) {
        return /model/i.test(detail)
            ? new RemoteError("REMOTE_MODEL_NOT_FOUND", `${endpoint} does not serve the model "${model ?? ""}"${suffix}. Check solarComplete.remote.model.`, false)
            : new RemoteError("REMOTE_NOT_FOUND", `${endpoint} has no OpenAI-compatible /v1/completions (HTTP 404)${suffix}. Check solarComplete.remote.endpoint.`, false);
    }
    if (status === 429) {
        const ms = retryAfterMs(retryAfter);
        return new RemoteError("REMOTE_RATE_LIMITED", `${endpoint} is rate limiting requests (HTTP 429)${suffix}; retrying later.`, true, ms);
    }
    if (status >= 500) {
        return new RemoteError("REMOTE_SERVER_ERROR", `${endpoint} failed (HTTP ${status})${suffix}; retrying later.`, true, retryAfterMs(retryAfter));
    }
    return new RemoteError("REMOTE_BAD_REQUEST", `${endpoint} rejected the request (HTTP ${status})${suffix}.`, false);
}

/** fetch() itself failed: refused, reset, DNS, TLS. */
export function networkError(error: unknown, endpoint: string): RemoteError {
    const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
    const why = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    return new RemoteError("REMOTE_UNREACHABLE", `Cannot reach ${endpoint} (${why}); retrying later.`, true);
}

function serverMessage(body: string): string {
    const text = body.trim();
    if (!text) return "";
    try {
        const json = JSON.parse(text) as { error?: unknown; message?: unknown; detail?: unknown };
        const error = json.error as { message?: unknown } | string | undefined;
        const message = typeof error === "string" ? error : (error?.message ?? json.message ?? json.detail);
        if (typeof message === "string") return message.slice(0, 200);
    } catch {
        // Not JSON: the text itself, shortened.
    }
    return text.slice(0, 200);
}

function retryAfterMs(header: string | null | undefined): number | undefined {
    if (!header) return undefined;
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(header);
    return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}
