// Unpacks an npm package tarball (.tgz, ustar with optional pax or GNU long names) into a folder,
// dropping the leading `package/`. Only plain files and folders: links or paths leaving the folder
// are refused, since the tarball comes from the network.

import { createReadStream } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { createGunzip } from "node:zlib";

const BLOCK = 512;

/** Pulls exact byte counts out of an async stream of chunks. */
class ByteReader {
    private chunks: Buffer[] = [];
    private buffered = 0;
    constructor(private readonly source: AsyncIterator<Buffer>) {}

    /** Up to `n` bytes; fewer only at the end of the stream. */
    async take(n: number): Promise<Buffer> {
        while (this.buffered < n) {
            const next = await this.source.next();
            if (next.done) break;
            this.chunks.push(next.value);
            this.buffered += next.value.length;
        }
        const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
        const out = all.subarray(0, Math.min(n, all.length));
        const rest = all.subarray(out.length);
        this.chunks = rest.length ? [rest] : [];
        this.buffered = rest.length;
        return out;
    }
}

function text(header: Buffer, offset: number, length: number): string {
    const field = header.subarray(offset, offset + length);
    const end = field.indexOf(0);
    return field.subarray(0, end < 0 ? field.length : end).toString("utf8");
}

function octal(header: Buffer, offset: number, length: number): number {
    const value = text(header, offset, length).trim();
    return value ? parseInt(value, 8) : 0;
}

/** The entry's path inside `into`, or an error for anything that would land outside it. */
function safePath(into: string, name: string): string | undefined {
    const relative = name.replace(/\\/g, "/").replace(/^package\//, "").replace(/\/+$/, "");
    if (!relative || relative === "package") return undefined;
    if (relative.startsWith("/") || /^[a-zA-Z]:/.test(relative) || relative.split("/").includes("..")) {
        throw new Error(`Unsafe path in tarball: ${name}`);
    }
    return path.join(into, ...relative.split("/"));
}

/** Returns the number of files written. */
export async function extractTarGz(file: string, into: string): Promise<number> {
    await fs.mkdir(into, { recursive: true });
    const reader = new ByteReader(createReadStream(file).pipe(createGunzip())[Symbol.asyncIterator]());
    let files = 0;
    let longName: string | undefined;
    for (;;) {
        const header = await reader.take(BLOCK);
        if (header.length < BLOCK || header.every((byte) => byte === 0)) break;
        const size = octal(header, 124, 12);
        const type = String.fromCharCode(header[156] || 48);
        const prefix = text(header, 257, 6) === "ustar" ? text(header, 345, 155) : "";
        const name = longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
        longName = undefined;
        const padding = (BLOCK - (size % BLOCK)) % BLOCK;

        if (type === "x" || type === "L" || type === "g") {
            const body = (await reader.take(size)).toString("utf8");
            await reader.take(padding);
            if (type === "L") longName = body.replace(/\0+$/, "");
            if (type === "x") longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body)?.[1];
            continue;
        }
        const target = safePath(into, name);
        if (type === "5") {
            if (target) await fs.mkdir(target, { recursive: true });
            continue;
        }
        if (type !== "0") throw new Error(`Unsupported entry in tarball (type ${type}): ${name}`);
        if (!target) throw new Error(`Unsafe path in tarball: ${name}`);
        await fs.mkdir(path.dirname(target), { recursive: true });
        const handle = await fs.open(target, "w", octal(header, 100, 8) & 0o111 ? 0o755 : 0o644);
        try {
            for (let left = size; left > 0;) {
                const chunk = await reader.take(Math.min(left, 1 << 20));
                if (chunk.length === 0) throw new Error(`Tarball ends inside ${name}`);
                await handle.write(chunk);
                left -= chunk.length;
            }
        } finally {
            await handle.close();
        }
        await reader.take(padding);
        files++;
    }
    return files;
}
