// Reads the GGUF header (metadata + tensor infos) through a file handle in small chunks, never the
// tensor data. Every size the file declares is checked against the bytes left before anything is
// allocated or looped over, so a hostile or damaged header costs at most one pass over the file.
// Layout: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md

import type { FileHandle } from "node:fs/promises";
import { ggmlType, tensorByteSize } from "./ggmlTypes";

export type HeaderProblemCode = "NOT_GGUF" | "UNSUPPORTED_VERSION" | "TRUNCATED" | "CORRUPT";

/** What is wrong with the header, without the path; ggufFile.ts turns it into the user's message. */
export class HeaderProblem extends Error {
    constructor(
        readonly code: HeaderProblemCode,
        readonly detail: string,
    ) {
        super(detail);
    }
}

export interface MetadataArray {
    readonly itemType: number;
    readonly length: number;
    /** For the vocabulary only: the first piece that appears twice (llama.cpp asserts on it). */
    readonly firstDuplicate?: { readonly index: number; readonly value: string };
}

/** String arrays whose items must be unique; the rest are skipped unread. */
const UNIQUE_STRING_ARRAYS = new Set(["tokenizer.ggml.tokens"]);

/** Arrays keep only their type and length: the vocabulary alone is 32,000 strings we never need. */
export type MetadataValue = number | bigint | boolean | string | MetadataArray;

export interface GgufHeader {
    readonly version: number;
    readonly metadata: ReadonlyMap<string, MetadataValue>;
    readonly tensorCount: number;
    readonly dataOffset: number;
    /** Bytes from dataOffset to the end of the last tensor. */
    readonly dataSize: number;
}

const CHUNK_BYTES = 64 * 1024;
// A declared size that overruns the file is a cut download when modest (the cut fell inside it),
// but corruption when no real header could hold it; the largest real items are a few MB of vocabulary.
const LARGEST_PLAUSIBLE_ITEM = 256 * 1024 * 1024;
// Long strings (none of which we need) are skipped rather than decoded, to keep memory flat.
const LONGEST_KEPT_STRING = 64 * 1024;
const MAX_KEY_BYTES = 65535;
const MAX_TENSOR_NAME_BYTES = 63; // GGML_MAX_NAME - 1
const MAX_DIMS = 4;
const MAX_ARRAY_NESTING = 8;
const DEFAULT_ALIGNMENT = 32;

const STRING = 8;
const ARRAY = 9;
const FIXED_VALUE_SIZES: ReadonlyMap<number, number> = new Map([
    [0, 1], [1, 1], [2, 2], [3, 2], [4, 4], [5, 4], [6, 4], [7, 1], [10, 8], [11, 8], [12, 8],
]);

/** Any of GGUF's integer types as a safe JS number; undefined for other values. */
export function integerValue(value: MetadataValue | undefined): number | undefined {
    if (typeof value === "bigint") return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : undefined;
    return typeof value === "number" && Number.isInteger(value) ? value : undefined;
}

class ChunkedReader {
    position = 0;
    private buffer = Buffer.alloc(CHUNK_BYTES);
    private bufferStart = 0;
    private bufferLength = 0;

    constructor(
        private readonly handle: FileHandle,
        readonly fileSize: number,
    ) {}

    get remaining(): number {
        return this.fileSize - this.position;
    }

    /** Takes n bytes at the position and returns their offset in `buffer`. */
    private async take(n: number): Promise<number> {
        if (n > this.remaining) throw new HeaderProblem("TRUNCATED", `the file ends at byte ${this.fileSize}`);
        let offset = this.position - this.bufferStart;
        if (offset < 0 || offset + n > this.bufferLength) {
            if (n > this.buffer.length) this.buffer = Buffer.alloc(n);
            const wanted = Math.min(this.buffer.length, this.remaining);
            let filled = 0;
            while (filled < n) {
                const { bytesRead } = await this.handle.read(this.buffer, filled, wanted - filled, this.position + filled);
                if (bytesRead === 0) throw new HeaderProblem("TRUNCATED", "the file got shorter while it was read");
                filled += bytesRead;
            }
            this.bufferStart = this.position;
            this.bufferLength = filled;
            offset = 0;
        }
        this.position += n;
        return offset;
    }

    async bytes(n: number): Promise<Buffer> {
        const offset = await this.take(n);
        return this.buffer.subarray(offset, offset + n);
    }

    async u32(): Promise<number> {
        return this.buffer.readUInt32LE(await this.take(4));
    }

    async u64(): Promise<bigint> {
        return this.buffer.readBigUInt64LE(await this.take(8));
    }

    async scalar(type: number): Promise<number | bigint | boolean> {
        const b = this.buffer;
        switch (type) {
            case 0: return b.readUInt8(await this.take(1));
            case 1: return b.readInt8(await this.take(1));
            case 2: return b.readUInt16LE(await this.take(2));
            case 3: return b.readInt16LE(await this.take(2));
            case 4: return b.readUInt32LE(await this.take(4));
            case 5: return b.readInt32LE(await this.take(4));
            case 6: return b.readFloatLE(await this.take(4));
            case 7: return b.readUInt8(await this.take(1)) !== 0;
            case 10: return b.readBigUInt64LE(await this.take(8));
            case 11: return b.readBigInt64LE(await this.take(8));
            default: return b.readDoubleLE(await this.take(8));
        }
    }

    skip(n: number): void {
        if (n > this.remaining) throw new HeaderProblem("TRUNCATED", `the file ends at byte ${this.fileSize}`);
        this.position += n;
    }

    /** A count of items of at least `minItemBytes` each that must still fit in the file. */
    async count(what: string, minItemBytes: number, unit = "items"): Promise<number> {
        const declared = await this.u64();
        const need = declared * BigInt(minItemBytes);
        if (need <= BigInt(this.remaining)) return Number(declared);
        const code = need > BigInt(LARGEST_PLAUSIBLE_ITEM) ? "CORRUPT" : "TRUNCATED";
        throw new HeaderProblem(code, `${what} declares ${declared} ${unit}, more than the ${this.remaining} bytes left can hold`);
    }

    async string(what: string, maxBytes = LARGEST_PLAUSIBLE_ITEM): Promise<string | undefined> {
        const length = await this.count(what, 1, "bytes");
        if (length > maxBytes) throw new HeaderProblem("CORRUPT", `${what} is ${length} bytes long, over the limit of ${maxBytes}`);
        if (length > LONGEST_KEPT_STRING) {
            this.skip(length);
            return undefined;
        }
        return (await this.bytes(length)).toString("utf8");
    }
}

async function readValue(reader: ChunkedReader, type: number, what: string, depth: number, unique = false): Promise<MetadataValue | undefined> {
    if (FIXED_VALUE_SIZES.has(type)) return reader.scalar(type);
    if (type === STRING) return reader.string(what);
    if (type !== ARRAY) throw new HeaderProblem("CORRUPT", `${what} has unknown value type ${type}`);
    if (depth >= MAX_ARRAY_NESTING) throw new HeaderProblem("CORRUPT", `${what} nests arrays ${depth} deep`);

    const itemType = await reader.u32();
    const itemSize = FIXED_VALUE_SIZES.get(itemType);
    const minItemBytes = itemSize ?? (itemType === STRING ? 8 : itemType === ARRAY ? 12 : 0);
    if (minItemBytes === 0) throw new HeaderProblem("CORRUPT", `${what} is an array of unknown type ${itemType}`);
    const length = await reader.count(what, minItemBytes);
    if (itemSize !== undefined) {
        reader.skip(length * itemSize);
    } else if (itemType === STRING && unique) {
        const seen = new Set<string>();
        let firstDuplicate: MetadataArray["firstDuplicate"];
        for (let i = 0; i < length; i++) {
            const size = await reader.count(`${what}[${i}]`, 1, "bytes");
            if (firstDuplicate) {
                reader.skip(size);
                continue;
            }
            // latin1 maps bytes 1:1, so equal strings are equal bytes, whatever their encoding.
            const item = (await reader.bytes(size)).toString("latin1");
            if (seen.has(item)) firstDuplicate = { index: i, value: Buffer.from(item, "latin1").toString("utf8") };
            seen.add(item);
        }
        return firstDuplicate ? { itemType, length, firstDuplicate } : { itemType, length };
    } else if (itemType === STRING) {
        for (let i = 0; i < length; i++) reader.skip(await reader.count(`${what}[${i}]`, 1, "bytes"));
    } else {
        for (let i = 0; i < length; i++) await readValue(reader, itemType, `${what}[${i}]`, depth + 1);
    }
    return { itemType, length };
}

export async function readGgufHeader(handle: FileHandle, fileSize: number): Promise<GgufHeader> {
    const reader = new ChunkedReader(handle, fileSize);
    const place = { where: "the version and counts" };
    try {
        return await readHeaderAt(reader, place);
    } catch (error) {
        // The reader only knows byte positions; say which part of the header the file ends in.
        if (error instanceof HeaderProblem && error.code === "TRUNCATED" && error.detail.startsWith("the file ends")) {
            throw new HeaderProblem("TRUNCATED", `while reading ${place.where}`);
        }
        throw error;
    }
}

async function readHeaderAt(reader: ChunkedReader, place: { where: string }): Promise<GgufHeader> {
    const version = await readPreamble(reader);
    const tensorCount = await reader.count("the tensor count", 24); // name length, n_dims, type, offset
    const kvCount = await reader.count("the metadata count", 12); // key length, value type

    const metadata = new Map<string, MetadataValue>();
    const keys = new Set<string>();
    for (let i = 0; i < kvCount; i++) {
        place.where = `metadata entry #${i}`;
        const key = (await reader.string(`metadata key #${i}`, MAX_KEY_BYTES)) ?? "";
        if (keys.has(key)) throw new HeaderProblem("CORRUPT", `metadata key "${key}" appears twice`);
        keys.add(key);
        place.where = `metadata "${key}"`;
        const value = await readValue(reader, await reader.u32(), `metadata "${key}"`, 0, UNIQUE_STRING_ARRAYS.has(key));
        if (value !== undefined) metadata.set(key, value);
    }

    const alignment = metadata.has("general.alignment") ? integerValue(metadata.get("general.alignment")) : DEFAULT_ALIGNMENT;
    if (alignment === undefined || alignment <= 0 || alignment > 2 ** 30 || (alignment & (alignment - 1)) !== 0) {
        throw new HeaderProblem("CORRUPT", `general.alignment ${String(metadata.get("general.alignment"))} is not a power of two`);
    }

    let dataSize = 0n;
    const names = new Set<string>();
    for (let i = 0; i < tensorCount; i++) {
        place.where = `the info of tensor #${i}`;
        const name = (await reader.string(`the name of tensor #${i}`, MAX_TENSOR_NAME_BYTES)) ?? "";
        if (names.has(name)) throw new HeaderProblem("CORRUPT", `tensor "${name}" appears twice`);
        names.add(name);
        const dimCount = await reader.u32();
        if (dimCount > MAX_DIMS) throw new HeaderProblem("CORRUPT", `tensor "${name}" has ${dimCount} dimensions`);
        const dims: bigint[] = [];
        for (let d = 0; d < dimCount; d++) dims.push(await reader.u64());
        const typeId = await reader.u32();
        const type = ggmlType(typeId);
        if (!type) throw new HeaderProblem("CORRUPT", `tensor "${name}" has unknown ggml type ${typeId}`);
        const offset = await reader.u64();
        if (offset % BigInt(alignment) !== 0n) {
            throw new HeaderProblem("CORRUPT", `tensor "${name}" starts at offset ${offset}, not aligned to ${alignment}`);
        }
        const size = tensorByteSize(type, dims);
        if (typeof size === "string") throw new HeaderProblem("CORRUPT", `tensor "${name}": ${size}`);
        if (offset + size > dataSize) dataSize = offset + size;
    }
    if (dataSize > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new HeaderProblem("CORRUPT", `its tensors claim ${dataSize} bytes, more than any file can hold`);
    }

    const dataOffset = Math.ceil(reader.position / alignment) * alignment;
    return { version, metadata, tensorCount, dataOffset, dataSize: Number(dataSize) };
}

async function readPreamble(reader: ChunkedReader): Promise<number> {
    const magic = await reader.bytes(Math.min(4, reader.fileSize));
    if (magic.length < 4 && Buffer.from("GGUF").subarray(0, magic.length).equals(magic)) {
        throw new HeaderProblem("TRUNCATED", `only ${magic.length} bytes of the GGUF magic`);
    }
    if (magic.toString("latin1") !== "GGUF") {
        const start = Buffer.concat([Buffer.from(magic), await reader.bytes(Math.min(60, reader.remaining))]);
        throw new HeaderProblem("NOT_GGUF", describeBadMagic(start));
    }
    const version = await reader.u32();
    if (version === 2 || version === 3) return version;
    if (version === 1) throw new HeaderProblem("UNSUPPORTED_VERSION", "GGUF v1 is an early 2023 format that llama.cpp no longer loads");
    const swapped = Buffer.alloc(4);
    swapped.writeUInt32BE(version);
    if (swapped.readUInt32LE() <= 3) throw new HeaderProblem("UNSUPPORTED_VERSION", "it is a big-endian GGUF, made for machines like IBM s390x");
    if (version > 3 && version < 100) throw new HeaderProblem("UNSUPPORTED_VERSION", `GGUF v${version} is newer than this version of Solar Complete understands (v2, v3)`);
    throw new HeaderProblem("UNSUPPORTED_VERSION", `version field ${version} is not a GGUF version`);
}

function describeBadMagic(start: Buffer): string {
    const magic = [...start.subarray(0, 4)]
        .map((byte) => (byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, "0")}`))
        .join("");
    const text = start.toString("latin1");
    const looksLike =
        text.startsWith("version https://git-lfs") ? "it is a Git LFS pointer, not the model itself; run `git lfs pull` or download the file directly"
        : /^\s*</.test(text) ? "it looks like a web page, e.g. an error or login page saved instead of the model"
        : ["lmgg", "fmgg", "tjgg", "algg"].includes(text.slice(0, 4)) ? "it is an old GGML/GGJT file from before GGUF"
        : text.startsWith("PK\x03\x04") ? "it is a ZIP archive, e.g. a PyTorch checkpoint"
        : start.length > 9 && text[8] === "{" ? "it looks like a safetensors file"
        : undefined;
    return `bad magic "${magic}"${looksLike ? `; ${looksLike}` : ""}`;
}
