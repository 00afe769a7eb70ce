// What a native file is built for, read from its own header: ELF (e_machine), Mach-O (cputype, fat
// files slice by slice) and PE (COFF machine, PE32 or PE32+). Pure functions on the file's bytes, so
// the package tests check every target's binaries on any machine, without `file` or `objdump`.

export type NativeFormat = "ELF" | "Mach-O" | "PE";

/** Architecture names as the targets use them (Node's process.arch where it has one). */
export type NativeArch = "x64" | "ia32" | "arm64" | "arm" | "riscv64" | "ppc64" | "s390x" | "loong64" | "arm64_32" | `unknown(${number})`;

export interface NativeFile {
    readonly format: NativeFormat;
    /** Every architecture inside: one, except for a Mach-O fat (universal) file. */
    readonly archs: readonly NativeArch[];
    readonly bits: 32 | 64;
    /** "PE32+" / "PE32" for PE files, "fat" for a universal Mach-O; absent otherwise. */
    readonly variant?: "PE32" | "PE32+" | "fat";
}

const ELF_MACHINES: Record<number, NativeArch> = { 3: "ia32", 40: "arm", 62: "x64", 183: "arm64", 243: "riscv64", 21: "ppc64", 22: "s390x", 258: "loong64" };
const MACHO_ABI64 = 0x01000000;
const MACHO_ABI64_32 = 0x02000000;
const MACHO_CPUS: Record<number, NativeArch> = {
    7: "ia32",
    [7 | MACHO_ABI64]: "x64",
    12: "arm",
    [12 | MACHO_ABI64]: "arm64",
    [12 | MACHO_ABI64_32]: "arm64_32",
    [18 | MACHO_ABI64]: "ppc64",
};
const PE_MACHINES: Record<number, NativeArch> = { 0x8664: "x64", 0x14c: "ia32", 0xaa64: "arm64", 0x1c4: "arm", 0x5064: "riscv64" };

/** The format and architectures of a native file, or undefined when the bytes are not one. */
export function identifyNative(bytes: Buffer): NativeFile | undefined {
    return elf(bytes) ?? machO(bytes) ?? pe(bytes);
}

/** "ELF x64 (64-bit)", "PE32+ x64", "Mach-O fat arm64+x64": for messages. */
export function describeNative(file: NativeFile | undefined): string {
    if (!file) return "not a native file";
    const name = file.format === "PE" ? file.variant : file.variant === "fat" ? "Mach-O fat" : file.format;
    return `${name} ${file.archs.join("+")} (${file.bits}-bit)`;
}

function elf(bytes: Buffer): NativeFile | undefined {
    if (bytes.length < 20 || bytes.readUInt32BE(0) !== 0x7f454c46) return undefined;
    const bits = bytes[4] === 2 ? 64 : 32;
    const machine = bytes[5] === 2 ? bytes.readUInt16BE(18) : bytes.readUInt16LE(18);
    return { format: "ELF", archs: [ELF_MACHINES[machine] ?? `unknown(${machine})`], bits };
}

function machOCpu(cputype: number): NativeArch {
    return MACHO_CPUS[cputype] ?? `unknown(${cputype})`;
}

function machO(bytes: Buffer): NativeFile | undefined {
    if (bytes.length < 8) return undefined;
    const thin = thinMachO(bytes, 0);
    if (thin) return thin;
    // Fat headers are big-endian: magic, count, then one fat_arch (20 bytes) or fat_arch_64 (32) each.
    const magic = bytes.readUInt32BE(0);
    if (magic !== 0xcafebabe && magic !== 0xcafebabf) return undefined;
    const count = bytes.readUInt32BE(4);
    // 0xcafebabe is also a Java class file, whose next word is its version (major >= 45): `file`'s rule.
    if (count === 0 || count >= 45) return undefined;
    const entrySize = magic === 0xcafebabf ? 32 : 20;
    if (bytes.length < 8 + count * entrySize) return undefined;
    const archs: NativeArch[] = [];
    let bits: 32 | 64 = 32;
    for (let i = 0; i < count; i++) {
        const at = 8 + i * entrySize;
        const cputype = bytes.readInt32BE(at);
        const offset = entrySize === 32 ? Number(bytes.readBigUInt64BE(at + 8)) : bytes.readUInt32BE(at + 8);
        // Each slice is a complete thin Mach-O; its own header must agree with the fat table.
        const slice = offset + 8 <= bytes.length ? thinMachO(bytes, offset) : undefined;
        const arch = machOCpu(cputype);
        archs.push(slice && slice.archs[0] === arch ? arch : `unknown(${cputype})`);
        if (cputype & MACHO_ABI64) bits = 64;
    }
    return { format: "Mach-O", archs, bits, variant: "fat" };
}

/** mach_header(_64): magic 0xfeedface / 0xfeedfacf in the file's own byte order, then cputype. */
function thinMachO(bytes: Buffer, at: number): NativeFile | undefined {
    for (const littleEndian of [true, false]) {
        const magic = littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at);
        if (magic !== 0xfeedface && magic !== 0xfeedfacf) continue;
        const cputype = littleEndian ? bytes.readInt32LE(at + 4) : bytes.readInt32BE(at + 4);
        return { format: "Mach-O", archs: [machOCpu(cputype)], bits: magic === 0xfeedfacf ? 64 : 32 };
    }
    return undefined;
}

/** "MZ", e_lfanew at 0x3c, "PE\0\0", the COFF header's Machine, the optional header's magic. */
function pe(bytes: Buffer): NativeFile | undefined {
    if (bytes.length < 0x40 || bytes.readUInt16LE(0) !== 0x5a4d) return undefined;
    const header = bytes.readUInt32LE(0x3c);
    if (header + 26 > bytes.length || bytes.readUInt32LE(header) !== 0x00004550) return undefined;
    const machine = bytes.readUInt16LE(header + 4);
    const optionalMagic = bytes.readUInt16LE(header + 24);
    const variant = optionalMagic === 0x20b ? "PE32+" : optionalMagic === 0x10b ? "PE32" : undefined;
    if (!variant) return undefined;
    return { format: "PE", archs: [PE_MACHINES[machine] ?? `unknown(${machine})`], bits: variant === "PE32+" ? 64 : 32, variant };
}
