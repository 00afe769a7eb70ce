// Which prebuilt native packages each platform .vsix carries. node-llama-cpp lists every platform's
// llama.cpp binaries as optional dependencies (~725 MB together); a package carries only its own.
//
// GPU variants (measured sizes in README "What gets installed"): Linux and Windows x64 carry the CPU
// and Vulkan builds (Vulkan runs on AMD, Intel and NVIDIA); macOS arm64's only build has Metal inside;
// CUDA (181 MB unpacked for Linux) is an optional download after consent (src/gpu/), not packaged.

export interface PackageTarget {
    /** `vsce package --target` name. */
    readonly target: string;
    /** npm packages (name@version) copied into node_modules/ next to node-llama-cpp. */
    readonly nativePackages: readonly string[];
}

/** Packages of these scopes/names exist once per platform: only the target's own ones are shipped. */
export const PLATFORM_PACKAGE = /^(@node-llama-cpp\/|@reflink\/reflink-)/;

const REFLINK_VERSION = "0.1.19"; // @reflink/reflink's optional binaries (ipull, used by node-llama-cpp's downloader)

export function packageTargets(llamaVersion: string): readonly PackageTarget[] {
    const llama = (names: string[]) => names.map((name) => `@node-llama-cpp/${name}@${llamaVersion}`);
    const reflink = (name: string) => `@reflink/reflink-${name}@${REFLINK_VERSION}`;
    return [
        { target: "linux-x64", nativePackages: [...llama(["linux-x64", "linux-x64-vulkan"]), reflink("linux-x64-gnu")] },
        { target: "linux-arm64", nativePackages: [...llama(["linux-arm64"]), reflink("linux-arm64-gnu")] },
        { target: "darwin-arm64", nativePackages: [...llama(["mac-arm64-metal"]), reflink("darwin-arm64")] },
        { target: "darwin-x64", nativePackages: [...llama(["mac-x64"]), reflink("darwin-x64")] },
        { target: "win32-x64", nativePackages: [...llama(["win-x64", "win-x64-vulkan"]), reflink("win32-x64-msvc")] },
    ];
}

/** linux-x64 .vsix budget (issue 7). */
export const SIZE_BUDGET_BYTES = 100 * 1024 * 1024;

/**
 * Files of runtime packages that nothing loads at run time (`build: "never"`): the llama.cpp source
 * bundle, TypeScript sources and typings, source maps, build info, packages' own tests.
 */
export function isDroppedFile(relativePath: string): boolean {
    const p = relativePath.split("\\").join("/");
    return /\.(map|ts|mts|cts|tsbuildinfo)$/.test(p)
        || /\/(test|tests|__tests__|__mocks__)\//.test(p)
        // llama.cpp's source as a git bundle (34 MB), only for building from source.
        || p === "node_modules/node-llama-cpp/llama/gitRelease.bundle";
}
