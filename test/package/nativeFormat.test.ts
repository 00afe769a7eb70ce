// The header parser the package checks rely on: hand-made headers of each format (both byte orders,
// fat Mach-O files, PE32 and PE32+, things that only look like one), then the real llama-addon.node
// of every built package, each identified as its own target's and as no other's.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describeNative, identifyNative } from "../../scripts/package/nativeFormat";
import { PACKAGE_TARGETS } from "../../scripts/package/targets";
import { Zip } from "../../scripts/package/zip";

const ROOT = path.resolve(__dirname, "../..");
const PACKAGES = process.env.SOLAR_PACKAGES_DIR ?? path.join(ROOT, "packages");

function elf(bits: 32 | 64, littleEndian: boolean, machine: number): Buffer {
    const b = Buffer.alloc(64);
    b.write("\x7fELF", 0, "latin1");
    b[4] = bits === 64 ? 2 : 1;
    b[5] = littleEndian ? 1 : 2;
    if (littleEndian) b.writeUInt16LE(machine, 18);
    else b.writeUInt16BE(machine, 18);
    return b;
}

function thinMachO(cputype: number, bits: 32 | 64 = 64, littleEndian = true): Buffer {
    const b = Buffer.alloc(32);
    const magic = bits === 64 ? 0xfeedfacf : 0xfeedface;
    if (littleEndian) {
        b.writeUInt32LE(magic, 0);
        b.writeInt32LE(cputype, 4);
    } else {
        b.writeUInt32BE(magic, 0);
        b.writeInt32BE(cputype, 4);
    }
    return b;
}

/** A fat file: the table (big-endian), then each slice at a 4 KiB boundary. */
function fat(slices: { table: number; slice: Buffer }[], wide = false): Buffer {
    const entry = wide ? 32 : 20;
    const out = Buffer.alloc(4096 * (slices.length + 1));
    out.writeUInt32BE(wide ? 0xcafebabf : 0xcafebabe, 0);
    out.writeUInt32BE(slices.length, 4);
    slices.forEach(({ table, slice }, i) => {
        const at = 8 + i * entry;
        const offset = 4096 * (i + 1);
        out.writeInt32BE(table, at);
        if (wide) out.writeBigUInt64BE(BigInt(offset), at + 8);
        else out.writeUInt32BE(offset, at + 8);
        slice.copy(out, offset);
    });
    return out;
}

function pe(machine: number, optionalMagic: number, headerAt = 0x80): Buffer {
    const b = Buffer.alloc(headerAt + 64);
    b.write("MZ", 0, "latin1");
    b.writeUInt32LE(headerAt, 0x3c);
    b.write("PE\0\0", headerAt, "latin1");
    b.writeUInt16LE(machine, headerAt + 4);
    b.writeUInt16LE(optionalMagic, headerAt + 24);
    return b;
}

const X86_64 = 0x01000007;
const ARM64 = 0x0100000c;

describe("native file headers", () => {
    it("reads ELF's class and e_machine in either byte order", () => {
        assert.deepEqual(identifyNative(elf(64, true, 62)), { format: "ELF", archs: ["x64"], bits: 64 });
        assert.deepEqual(identifyNative(elf(64, true, 183)), { format: "ELF", archs: ["arm64"], bits: 64 });
        assert.deepEqual(identifyNative(elf(32, true, 40)), { format: "ELF", archs: ["arm"], bits: 32 });
        assert.deepEqual(identifyNative(elf(32, true, 3)), { format: "ELF", archs: ["ia32"], bits: 32 });
        assert.deepEqual(identifyNative(elf(64, false, 22)), { format: "ELF", archs: ["s390x"], bits: 64 });
        assert.deepEqual(identifyNative(elf(64, true, 0x1234))?.archs, ["unknown(4660)"]);
    });

    it("reads a thin Mach-O's cputype in either byte order", () => {
        assert.deepEqual(identifyNative(thinMachO(ARM64)), { format: "Mach-O", archs: ["arm64"], bits: 64 });
        assert.deepEqual(identifyNative(thinMachO(X86_64)), { format: "Mach-O", archs: ["x64"], bits: 64 });
        assert.deepEqual(identifyNative(thinMachO(7, 32)), { format: "Mach-O", archs: ["ia32"], bits: 32 });
        assert.deepEqual(identifyNative(thinMachO(X86_64, 64, false)), { format: "Mach-O", archs: ["x64"], bits: 64 });
    });

    it("lists every slice of a fat Mach-O (32- and 64-bit tables), checking each slice's own header", () => {
        const universal = fat([{ table: X86_64, slice: thinMachO(X86_64) }, { table: ARM64, slice: thinMachO(ARM64) }]);
        assert.deepEqual(identifyNative(universal), { format: "Mach-O", archs: ["x64", "arm64"], bits: 64, variant: "fat" });
        assert.deepEqual(identifyNative(fat([{ table: ARM64, slice: thinMachO(ARM64) }], true))?.archs, ["arm64"]);
        // A table entry that claims arm64 over an x86_64 slice is not trusted.
        assert.deepEqual(identifyNative(fat([{ table: ARM64, slice: thinMachO(X86_64) }]))?.archs, [`unknown(${ARM64})`]);
        assert.equal(describeNative(identifyNative(universal)), "Mach-O fat x64+arm64 (64-bit)");
    });

    it("tells a Java class file (also 0xcafebabe) from a fat Mach-O", () => {
        const java = Buffer.alloc(64);
        java.writeUInt32BE(0xcafebabe, 0);
        java.writeUInt16BE(0, 4);
        java.writeUInt16BE(52, 6); // Java 8
        assert.equal(identifyNative(java), undefined);
    });

    it("reads PE's COFF machine and tells PE32+ from PE32", () => {
        assert.deepEqual(identifyNative(pe(0x8664, 0x20b)), { format: "PE", archs: ["x64"], bits: 64, variant: "PE32+" });
        assert.deepEqual(identifyNative(pe(0xaa64, 0x20b))?.archs, ["arm64"]);
        assert.deepEqual(identifyNative(pe(0x14c, 0x10b)), { format: "PE", archs: ["ia32"], bits: 32, variant: "PE32" });
        assert.equal(describeNative(identifyNative(pe(0x8664, 0x20b, 0x100))), "PE32+ x64 (64-bit)");
    });

    it("returns undefined, never throws, for other and truncated files", () => {
        const dosOnly = Buffer.alloc(0x80);
        dosOnly.write("MZ", 0, "latin1");
        dosOnly.writeUInt32LE(0x1000, 0x3c); // e_lfanew past the end
        for (const bytes of [Buffer.from("#!/bin/sh\necho hi\n"), Buffer.alloc(0), Buffer.from("\x7fEL", "latin1"), elf(64, true, 62).subarray(0, 19), dosOnly, Buffer.from("!<arch>\n"), Buffer.from([0xcf, 0xfa, 0xed])]) {
            assert.equal(identifyNative(bytes), undefined, bytes.toString("latin1").slice(0, 12));
        }
    });

    it("identifies each built package's llama-addon.node as its own target's, and as no other target's", function () {
        this.timeout(60_000);
        for (const target of PACKAGE_TARGETS) {
            const vsix = path.join(PACKAGES, `solar-complete-${target.target}.vsix`);
            if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: run "npm run package" (npm run test:package does)`);
            const folder = target.llamaPackages[0].slice("@node-llama-cpp/".length);
            const native = identifyNative(new Zip(vsix).read(`extension/node_modules/${target.llamaPackages[0]}/bins/${folder}/llama-addon.node`));
            const matching = PACKAGE_TARGETS.filter((t) => native?.format === t.native.format && native.archs.length === 1 && native.archs[0] === t.native.arch);
            assert.deepEqual(matching.map((t) => t.target), [target.target], `${target.target}: ${describeNative(native)}`);
        }
    });
});
