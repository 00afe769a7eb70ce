// What each platform .vsix carries and must look like. node-llama-cpp lists every platform's
// llama.cpp binaries as optional dependencies (~725 MB together); a package carries only its own.
//
// GPU variants (sizes in CONTRIBUTING.md "Packaging"): Linux and Windows x64 carry the CPU
// and Vulkan builds (Vulkan runs on AMD, Intel and NVIDIA); macOS arm64's only build has Metal inside;
// CUDA (189 MB unpacked for Linux) is an optional download after consent (src/gpu/), not packaged.

import type { NativeArch, NativeFormat } from "./nativeFormat";

export interface PackageTarget {
    /** `vsce package --target` name. */
    readonly target: string;
    /** npm's `os` and `cpu` for this target, as the binary packages declare them. */
    readonly os: "linux" | "darwin" | "win32";
    readonly cpu: "x64" | "arm64";
    /** What every native file inside must be. */
    readonly native: { readonly format: NativeFormat; readonly arch: NativeArch; readonly description: string };
    /** node-llama-cpp's binary packages (no version: it is always node-llama-cpp's own). */
    readonly llamaPackages: readonly string[];
    /** @reflink/reflink's binary for the target (ipull, used by node-llama-cpp's downloader). */
    readonly reflinkPackage: string;
    /** The most the .vsix may weigh, in bytes (see SIZE_BUDGETS_MIB). */
    readonly sizeBudgetBytes: number;
}

/** Packages of these scopes/names exist once per platform: only the target's own ones are shipped. */
export const PLATFORM_PACKAGE = /^(@node-llama-cpp\/|@reflink\/reflink-)/;

/**
 * Size budgets in MiB. Measured with node-llama-cpp 3.21.1 (2026-12-01): linux-x64 38.8, win32-x64
 * 36.9, darwin-x64 12.8, linux-arm64 9.4, darwin-arm64 7.1. llama.cpp's binaries are 68-94% of each;
 * the rest is the same 2.3 MiB everywhere (node-llama-cpp and its dependencies, media, bundles).
 * Each budget is about the measured size plus 25-40%: room for llama.cpp growing between releases
 * (3.21.1 -> 3.22.1 changed the binary tarballs by -11% to +2%), while the mistakes that would make a
 * package heavy trip every budget: the 34 MB llama.cpp source bundle, or a second GPU variant (the
 * smallest, Vulkan, is 24-27 MB compressed; CUDA 139-143 MB). Another platform's binaries are the
 * content checks' job (test/package/vsix.test.ts), not the budget's. linux-x64 stays far below issue
 * 7's 100 MB ceiling, and every package far below what registries accept.
 */
export const SIZE_BUDGETS_MIB: Record<string, number> = {
    "linux-x64": 50,
    "win32-x64": 48,
    "darwin-x64": 17,
    "linux-arm64": 13,
    "darwin-arm64": 10,
};

const MIB = 1024 * 1024;

export const PACKAGE_TARGETS: readonly PackageTarget[] = [
    {
        target: "linux-x64", os: "linux", cpu: "x64",
        native: { format: "ELF", arch: "x64", description: "ELF x86-64" },
        llamaPackages: ["@node-llama-cpp/linux-x64", "@node-llama-cpp/linux-x64-vulkan"],
        reflinkPackage: "@reflink/reflink-linux-x64-gnu",
        sizeBudgetBytes: SIZE_BUDGETS_MIB["linux-x64"] * MIB,
    },
    {
        target: "linux-arm64", os: "linux", cpu: "arm64",
        native: { format: "ELF", arch: "arm64", description: "ELF AArch64" },
        llamaPackages: ["@node-llama-cpp/linux-arm64"],
        reflinkPackage: "@reflink/reflink-linux-arm64-gnu",
        sizeBudgetBytes: SIZE_BUDGETS_MIB["linux-arm64"] * MIB,
    },
    {
        target: "darwin-arm64", os: "darwin", cpu: "arm64",
        native: { format: "Mach-O", arch: "arm64", description: "Mach-O arm64" },
        llamaPackages: ["@node-llama-cpp/mac-arm64-metal"],
        reflinkPackage: "@reflink/reflink-darwin-arm64",
        sizeBudgetBytes: SIZE_BUDGETS_MIB["darwin-arm64"] * MIB,
    },
    {
        target: "darwin-x64", os: "darwin", cpu: "x64",
        native: { format: "Mach-O", arch: "x64", description: "Mach-O x86_64" },
        llamaPackages: ["@node-llama-cpp/mac-x64"],
        reflinkPackage: "@reflink/reflink-darwin-x64",
        sizeBudgetBytes: SIZE_BUDGETS_MIB["darwin-x64"] * MIB,
    },
    {
        target: "win32-x64", os: "win32", cpu: "x64",
        native: { format: "PE", arch: "x64", description: "PE32+ x86-64" },
        llamaPackages: ["@node-llama-cpp/win-x64", "@node-llama-cpp/win-x64-vulkan"],
        reflinkPackage: "@reflink/reflink-win32-x64-msvc",
        sizeBudgetBytes: SIZE_BUDGETS_MIB["win32-x64"] * MIB,
    },
];

/** The packages (name@version) a target's .vsix adds next to node-llama-cpp. */
export function nativePackageSpecs(target: PackageTarget, versions: { readonly llama: string; readonly reflink: string }): string[] {
    return [...target.llamaPackages.map((name) => `${name}@${versions.llama}`), `${target.reflinkPackage}@${versions.reflink}`];
}

export function findTarget(name: string): PackageTarget {
    const target = PACKAGE_TARGETS.find((t) => t.target === name);
    if (!target) throw new Error(`unknown target ${name}; known: ${PACKAGE_TARGETS.map((t) => t.target).join(", ")}`);
    return target;
}

/**
 * Files of runtime packages that nothing loads at run time (`build: "never"`): the llama.cpp source
 * bundle, TypeScript sources and typings, source maps, build info, packages' own tests, and the
 * Windows import libraries (llama-addon.lib, 2.6 MB each: only for linking against the addon).
 */
export function isDroppedFile(relativePath: string): boolean {
    const p = relativePath.split("\\").join("/");
    return /\.(map|ts|mts|cts|tsbuildinfo)$/.test(p)
        || /\/(test|tests|__tests__|__mocks__)\//.test(p)
        || /^node_modules\/@node-llama-cpp\/[^/]+\/bins\/.*\.lib$/.test(p)
        // llama.cpp's source as a git bundle (34 MB), only for building from source.
        || p === "node_modules/node-llama-cpp/llama/gitRelease.bundle";
}
