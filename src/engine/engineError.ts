// An error with a stable code, so the host can choose what to show (and whether to retry) without
// parsing messages. Codes of bad model files come from ModelFileError and pass through unchanged.

import type { EngineErrorData } from "./protocol";

export class EngineError extends Error {
    constructor(
        readonly code: string,
        message: string,
    ) {
        super(message);
        this.name = "EngineError";
    }

    static from(data: EngineErrorData): EngineError {
        return new EngineError(data.code, data.message);
    }
}

export function toErrorData(error: unknown): EngineErrorData {
    if (error instanceof Error) {
        const code = (error as { code?: unknown }).code;
        return { message: error.message, code: typeof code === "string" ? code : "INTERNAL" };
    }
    return { message: String(error), code: "INTERNAL" };
}
