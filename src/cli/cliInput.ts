// Pure parsing for the CLI: cursor positions and typing traces. Every mistake becomes one clear
// UsageError line instead of a stack trace.

import { UsageError } from "./usage";

export interface TraceEdit {
    readonly offset: number;
    readonly insert: string;
    readonly delete: number;
}

export function parseTrace(json: string, source: string): TraceEdit[] {
    let data: unknown;
    try {
        data = JSON.parse(json);
    } catch (error) {
        throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(data)) throw new UsageError(`${source} must be a JSON array of {"offset", "insert", "delete"} edits`);
    return data.map((item: unknown, step) => {
        const edit = item as Partial<TraceEdit> | null;
        const ok =
            edit !== null &&
            typeof edit === "object" &&
            Number.isInteger(edit.offset) &&
            (edit.insert === undefined || typeof edit.insert === "string") &&
            (edit.delete === undefined || (Number.isInteger(edit.delete) && (edit.delete as number) >= 0));
        if (!ok) throw new UsageError(`${source}: step ${step} must look like {"offset": N, "insert": "text", "delete": 0}`);
        return { offset: edit.offset as number, insert: edit.insert ?? "", delete: edit.delete ?? 0 };
    });
}

/** Applies one edit; the cursor lands at the end of the inserted text, as it would in an editor. */
export function applyEdit(text: string, edit: TraceEdit, step: number): { text: string; cursor: number } {
    if (edit.offset < 0 || edit.offset + edit.delete > text.length) {
        throw new UsageError(`trace step ${step}: offset ${edit.offset} + delete ${edit.delete} is outside the document (${text.length} chars)`);
    }
    return {
        text: text.slice(0, edit.offset) + edit.insert + text.slice(edit.offset + edit.delete),
        cursor: edit.offset + edit.insert.length,
    };
}

/** --offset N (UTF-16 offset) or --line L --col C (1-based); the end of the file when neither. */
export function resolveCursor(text: string, args: { offset?: string; line?: string; col?: string }): number {
    if (args.offset !== undefined) {
        if (args.line !== undefined || args.col !== undefined) throw new UsageError("use either --offset or --line/--col, not both");
        const offset = Number(args.offset);
        if (!Number.isInteger(offset) || offset < 0 || offset > text.length) {
            throw new UsageError(`--offset must be an integer from 0 to ${text.length}, got "${args.offset}"`);
        }
        return offset;
    }
    if (args.line === undefined && args.col === undefined) return text.length;
    const line = Number(args.line ?? "1");
    const col = Number(args.col ?? "1");
    if (!Number.isInteger(line) || line < 1 || !Number.isInteger(col) || col < 1) {
        throw new UsageError("--line and --col must be positive integers (1-based)");
    }
    let start = 0;
    for (let l = 1; l < line; l++) {
        const newline = text.indexOf("\n", start);
        if (newline < 0) throw new UsageError(`--line ${line} is past the end of the file (${l} lines)`);
        start = newline + 1;
    }
    const lineEnd = text.indexOf("\n", start);
    const length = (lineEnd < 0 ? text.length : lineEnd) - start - (text[lineEnd - 1] === "\r" ? 1 : 0);
    if (col - 1 > length) throw new UsageError(`--col ${col} is past the end of line ${line} (${length} chars)`);
    return start + col - 1;
}

/** VS Code's language id for common file extensions; post-processing's rules depend on it. */
const LANGUAGE_BY_EXTENSION: Readonly<Record<string, string>> = {
    ts: "typescript", mts: "typescript", cts: "typescript", tsx: "typescriptreact", js: "javascript", mjs: "javascript", cjs: "javascript",
    jsx: "javascriptreact", py: "python", go: "go", rs: "rust", java: "java", kt: "kotlin", cs: "csharp", c: "c", h: "c", cpp: "cpp",
    cc: "cpp", hpp: "cpp", php: "php", rb: "ruby", sh: "shellscript", bash: "shellscript", lua: "lua", sql: "sql", json: "json",
    jsonc: "jsonc", yaml: "yaml", yml: "yaml", toml: "toml", html: "html", css: "css", md: "markdown", markdown: "markdown", txt: "plaintext",
};

/** The language id VS Code would give `file` (plaintext when unknown). */
export function languageIdFor(file: string): string {
    const extension = /\.([^./\\]+)$/.exec(file)?.[1].toLowerCase();
    return (extension !== undefined && Object.hasOwn(LANGUAGE_BY_EXTENSION, extension) && LANGUAGE_BY_EXTENSION[extension]) || "plaintext";
}

/** The document's line ending, as VS Code reads it: CRLF when the first line break is one. */
export function eolOf(text: string): "\n" | "\r\n" {
    const at = text.indexOf("\n");
    return at > 0 && text[at - 1] === "\r" ? "\r\n" : "\n";
}
