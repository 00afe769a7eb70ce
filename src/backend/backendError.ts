// An error with a stable code, so the host can choose what to show (and whether to retry) without
// parsing messages. Codes of bad model files come from ModelFileError and pass through unchanged.

import type { BackendErrorData } from "./types";

export class BackendError extends Error {
    constructor(
        readonly code: string,
        message: string,
    ) {
        super(message);
        this.name = "BackendError";
    }

    static from(data: BackendErrorData): BackendError {
        return new BackendError(data.code, data.message);
    }
}

export function toErrorData(error: unknown): BackendErrorData {
    if (error instanceof Error) {
        const code = (error as { code?: unknown }).code;
        return { message: error.message, code: typeof code === "string" ? code : "INTERNAL" };
    }
    return { message: String(error), code: "INTERNAL" };
}
