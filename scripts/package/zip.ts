// Reads a .vsix (a zip) without an unzip binary, which a clean CI machine may lack: the central
// directory for the listing, inflateRaw for one entry's bytes, and extraction as VS Code installs one.
// No zip64: a .vsix stays far below 4 GB.

import * as fs from "node:fs";
import * as path from "node:path";
import { inflateRawSync } from "node:zlib";

export interface ZipEntry {
    readonly name: string;
    readonly compressedSize: number;
    readonly size: number;
    readonly method: number;
    readonly localHeaderOffset: number;
    /** Unix permission bits from the external attributes (0 when the zip was not made on Unix). */
    readonly mode: number;
}

export class Zip {
    readonly entries: readonly ZipEntry[];
    private readonly data: Buffer;

    constructor(file: string) {
        this.data = fs.readFileSync(file);
        const eocd = this.data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
        if (eocd < 0) throw new Error(`${file} is not a zip file`);
        const count = this.data.readUInt16LE(eocd + 10);
        let at = this.data.readUInt32LE(eocd + 16);
        const entries: ZipEntry[] = [];
        for (let i = 0; i < count; i++) {
            if (this.data.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${i}`);
            const nameLength = this.data.readUInt16LE(at + 28);
            const extraLength = this.data.readUInt16LE(at + 30);
            const commentLength = this.data.readUInt16LE(at + 32);
            entries.push({
                method: this.data.readUInt16LE(at + 10),
                compressedSize: this.data.readUInt32LE(at + 20),
                size: this.data.readUInt32LE(at + 24),
                localHeaderOffset: this.data.readUInt32LE(at + 42),
                mode: (this.data.readUInt32LE(at + 38) >>> 16) & 0o777,
                name: this.data.toString("utf8", at + 46, at + 46 + nameLength),
            });
            at += 46 + nameLength + extraLength + commentLength;
        }
        this.entries = entries;
    }

    /** Names of the files (not folders). */
    files(): string[] {
        return this.entries.filter((e) => !e.name.endsWith("/")).map((e) => e.name);
    }

    /**
     * Writes the files under `prefix` (e.g. "extension/") into `into`, without the prefix, with their
     * Unix permissions, as VS Code does when it installs a .vsix. Returns how many files were written.
     */
    extract(prefix: string, into: string): number {
        let count = 0;
        for (const entry of this.entries) {
            if (entry.name.endsWith("/") || !entry.name.startsWith(prefix)) continue;
            const target = path.resolve(into, entry.name.slice(prefix.length));
            if (!target.startsWith(path.resolve(into) + path.sep)) throw new Error(`${entry.name} points outside ${into}`);
            fs.mkdirSync(path.dirname(target), { recursive: true });
            fs.writeFileSync(target, this.read(entry.name), { mode: entry.mode || 0o644 });
            count++;
        }
        return count;
    }

    read(name: string): Buffer {
        const entry = this.entries.find((e) => e.name === name);
        if (!entry) throw new Error(`no ${name} in the zip`);
        const at = entry.localHeaderOffset;
        const start = at + 30 + this.data.readUInt16LE(at + 26) + this.data.readUInt16LE(at + 28);
        const raw = this.data.subarray(start, start + entry.compressedSize);
        return entry.method === 0 ? Buffer.from(raw) : inflateRawSync(raw);
    }
}
