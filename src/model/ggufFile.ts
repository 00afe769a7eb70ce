// Checks a model file before node-llama-cpp sees it: its native loader answers a bad file with a
// cryptic message or a crash, while every failure here says what is wrong and what to do, in one
// line that names the path. Only the header is read; tensor data is checked by size alone.

import { open, stat } from "node:fs/promises";
import { formatBytes } from "../util/bytes";
import { llamaFileTypeName } from "./ggmlTypes";
import { findCrashingValue } from "./crashAssertions";
import { HeaderProblem, integerValue, readGgufHeader, type GgufHeader, type MetadataValue } from "./ggufHeader";

export type ModelFileErrorCode =
    | "NOT_FOUND"
    | "NOT_A_FILE"
    | "NO_PERMISSION"
    | "EMPTY"
    | "NOT_GGUF"
    | "UNSUPPORTED_VERSION"
    | "TRUNCATED"
    | "CORRUPT"
    | "UNSUPPORTED_ARCHITECTURE"
    | "NO_VOCABULARY"
    | "CRASHES_LLAMA";

export class ModelFileError extends Error {
    constructor(
        readonly code: ModelFileErrorCode,
        readonly path: string,
        message: string,
    ) {
        super(message);
        this.name = "ModelFileError";
    }
}

export interface GgufSummary {
    readonly path: string;
    readonly fileSize: number;
    readonly version: number;
    readonly architecture: string;
    readonly name?: string;
    /** llama.cpp's name for general.file_type, e.g. "Q4_K_M". */
    readonly fileType?: string;
    readonly contextLength: number;
    readonly blockCount: number;
    readonly embeddingLength: number;
    readonly headCount: number;
    readonly headCountKv: number;
    readonly vocabSize: number;
    readonly tensorCount: number;
    readonly dataOffset: number;
    /** Bytes the tensors need after dataOffset. */
    readonly dataSize: number;
}

export interface InspectOptions {
    /** general.architecture values accepted; default ["llama"], which covers Solar 10.7B. */
    readonly supportedArchitectures?: readonly string[];
    /** Default true: refuse the metadata values llama.cpp asserts on (crashAssertions.ts). */
    readonly checkCrashes?: boolean;
}

const SETTING = "solarComplete.modelPath";
const DOWNLOAD_AGAIN = "the download may be incomplete; delete it and download it again";
// A truncated download still needs less than this; a header claiming more is corrupt instead.
const LARGEST_PLAUSIBLE_MODEL = 2 ** 41;

export async function inspectGguf(path: string, options: InspectOptions = {}): Promise<GgufSummary> {
    const fileSize = await checkRegularFile(path);
    if (fileSize === 0) {
        throw new ModelFileError("EMPTY", path, `Model file is empty (0 bytes): ${path}; ${DOWNLOAD_AGAIN}.`);
    }
    let handle;
    try {
        handle = await open(path, "r");
    } catch (error) {
        throw fsError(error, path);
    }
    try {
        const header = await readGgufHeader(handle, fileSize).catch((error: unknown) => {
            throw error instanceof HeaderProblem ? headerError(error, path, fileSize) : fsError(error, path);
        });
        const summary = summarize(path, fileSize, header, options.supportedArchitectures ?? ["llama"]);
        const crash = options.checkCrashes === false ? undefined : findCrashingValue(header.metadata, summary.architecture);
        if (crash) {
            throw new ModelFileError(
                "CRASHES_LLAMA",
                path,
                `Model file has a value that llama.cpp would crash on (${crash}): ${path}. The file is damaged or was edited; download it again or use an unmodified Solar GGUF.`,
            );
        }
        return summary;
    } finally {
        await handle.close();
    }
}

async function checkRegularFile(path: string): Promise<number> {
    // stat before open: opening a FIFO would block, and opening a directory succeeds on Linux.
    const stats = await stat(path).catch((error: unknown) => {
        throw fsError(error, path);
    });
    if (stats.isDirectory()) {
        throw new ModelFileError("NOT_A_FILE", path, `Model path is a folder, not a file: ${path}. Set ${SETTING} to the .gguf file inside it.`);
    }
    if (!stats.isFile()) {
        throw new ModelFileError("NOT_A_FILE", path, `Model path is not a regular file: ${path}. Set ${SETTING} to a .gguf file.`);
    }
    return stats.size;
}

function fsError(error: unknown, path: string): unknown {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    switch (code) {
        case "ENOENT":
        case "ENOTDIR":
            return new ModelFileError("NOT_FOUND", path, `Model file not found: ${path}. Check the path in the ${SETTING} setting.`);
        case "EISDIR":
            return new ModelFileError("NOT_A_FILE", path, `Model path is a folder, not a file: ${path}. Set ${SETTING} to the .gguf file inside it.`);
        case "EACCES":
        case "EPERM":
            return new ModelFileError(
                "NO_PERMISSION",
                path,
                `No permission to read the model file: ${path}. Make it (and its folders) readable by your user, or set ${SETTING} to a copy you own.`,
            );
        default:
            // I/O errors and the like are about the machine, not the file: pass them on as they are.
            return error;
    }
}

function headerError(problem: HeaderProblem, path: string, fileSize: number): ModelFileError {
    switch (problem.code) {
        case "NOT_GGUF":
            return new ModelFileError("NOT_GGUF", path, `Not a GGUF model file (${problem.detail}): ${path}. Solar Complete needs a .gguf file, e.g. solar-10.7b-instruct-v1.0.Q4_K_M.gguf.`);
        case "UNSUPPORTED_VERSION":
            return new ModelFileError("UNSUPPORTED_VERSION", path, `Unsupported GGUF version in ${path}: ${problem.detail}. Download a current .gguf file (GGUF v3).`);
        case "TRUNCATED":
            return new ModelFileError("TRUNCATED", path, `Model file is truncated: it stops after ${formatBytes(fileSize)}, inside the GGUF header (${problem.detail}): ${path}; ${DOWNLOAD_AGAIN}.`);
        case "CORRUPT":
            return corrupt(path, problem.detail);
    }
}

function corrupt(path: string, detail: string): ModelFileError {
    return new ModelFileError("CORRUPT", path, `Model file is corrupt (${detail}): ${path}. Delete it and download it again.`);
}

function summarize(path: string, fileSize: number, header: GgufHeader, supportedArchitectures: readonly string[]): GgufSummary {
    const { metadata } = header;
    const architecture = metadata.get("general.architecture");
    if (typeof architecture !== "string" || architecture === "") {
        throw corrupt(path, "general.architecture is missing");
    }
    if (!supportedArchitectures.includes(architecture)) {
        throw new ModelFileError(
            "UNSUPPORTED_ARCHITECTURE",
            path,
            `Unsupported model architecture "${architecture}" in ${path}: Solar Complete runs Llama-architecture models (Solar 10.7B).`,
        );
    }

    const positive = (key: string): number => {
        const value = integerValue(metadata.get(key));
        if (value === undefined || value <= 0) {
            throw corrupt(path, metadata.has(key) ? `${key} is ${String(metadata.get(key))}, not a positive integer` : `${key} is missing`);
        }
        return value;
    };
    const contextLength = positive(`${architecture}.context_length`);
    const blockCount = positive(`${architecture}.block_count`);
    const embeddingLength = positive(`${architecture}.embedding_length`);
    const headCount = positive(`${architecture}.attention.head_count`);
    const headCountKv = metadata.has(`${architecture}.attention.head_count_kv`) ? positive(`${architecture}.attention.head_count_kv`) : headCount;

    const vocabSize = vocabularySize(path, metadata.get("tokenizer.ggml.tokens"));
    if (header.tensorCount === 0) throw corrupt(path, "it holds no tensors, only metadata (a vocabulary-only file?)");
    checkDataPresent(path, fileSize, header);

    const name = metadata.get("general.name");
    const fileType = integerValue(metadata.get("general.file_type"));
    return {
        path,
        fileSize,
        version: header.version,
        architecture,
        ...(typeof name === "string" ? { name } : {}),
        ...(fileType !== undefined ? { fileType: llamaFileTypeName(fileType) } : {}),
        contextLength,
        blockCount,
        embeddingLength,
        headCount,
        headCountKv,
        vocabSize,
        tensorCount: header.tensorCount,
        dataOffset: header.dataOffset,
        dataSize: header.dataSize,
    };
}

function vocabularySize(path: string, tokens: MetadataValue | undefined): number {
    if (tokens === undefined || (typeof tokens === "object" && tokens.length === 0)) {
        throw new ModelFileError(
            "NO_VOCABULARY",
            path,
            `Model file has no vocabulary (tokenizer.ggml.tokens is ${tokens === undefined ? "missing" : "empty"}): ${path}. It can't turn text into tokens; use a complete Solar .gguf file.`,
        );
    }
    if (typeof tokens !== "object" || tokens.itemType !== 8) throw corrupt(path, "tokenizer.ggml.tokens is not a list of strings");
    return tokens.length;
}

function checkDataPresent(path: string, fileSize: number, header: GgufHeader): void {
    const needed = header.dataOffset + header.dataSize;
    if (needed <= fileSize) return;
    if (needed > LARGEST_PLAUSIBLE_MODEL) {
        throw corrupt(path, `its tensors claim ${formatBytes(needed)}, more than any model`);
    }
    throw new ModelFileError(
        "TRUNCATED",
        path,
        `Model file is truncated: ${formatBytes(fileSize)} of ${formatBytes(needed)} present (${needed - fileSize} bytes missing) in ${path}; ${DOWNLOAD_AGAIN}.`,
    );
}
