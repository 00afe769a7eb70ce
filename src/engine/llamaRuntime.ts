// Getting a llama.cpp binding for the requested GPU, falling back when a backend fails to load
// (a driver update breaking CUDA is a common complaint: the user should still get completions, on
// Vulkan or the CPU, with a clear message saying so).

import type { Llama, LlamaGpuType } from "node-llama-cpp";
import type { GpuSetting } from "../gpu/gpuSetting";

export type Log = (level: "debug" | "info" | "warn" | "error", message: string) => void;

export interface AcquiredLlama {
    readonly llama: Llama;
    readonly gpuSetting: GpuSetting;
    /** What llama.cpp logged as errors, for its own reason when a load fails. */
    readonly errors: LlamaErrorLines;
}

/**
 * llama.cpp logs why a load failed, then node-llama-cpp throws a bare "Failed to load model". The
 * log line names the reason ("error loading model: missing tensor …"); keep it for the error.
 */
export class LlamaErrorLines {
    private lines: string[] = [];

    push(line: string): void {
        this.lines = [...this.lines.slice(-19), line];
    }

    /** The most specific recent line: llama.cpp's "error loading model: X" beats its "failed to load model". */
    reason(): string | undefined {
        const recent = [...this.lines].reverse();
        const specific = recent.find((line) => /error loading model: /.test(line));
        if (specific) return specific.slice(specific.lastIndexOf("error loading model: ") + "error loading model: ".length).trim();
        return recent.find((line) => !/failed to load model\s*$/i.test(line))?.replace(/^\w+: /, "");
    }

    clear(): void {
        this.lines = [];
    }
}

type GetLlamaGpu = "auto" | LlamaGpuType;

/**
 * The build that runs the "cpu" setting. node-llama-cpp 3.21.1 ships no CPU-only build for macOS on
 * Apple silicon, only mac-arm64-metal: there the Metal build runs it with no layers offloaded
 * (gpuLayersFor).
 */
export function cpuBinding(platform: NodeJS.Platform, arch: string): false | "metal" {
    return platform === "darwin" && arch === "arm64" ? "metal" : false;
}

/** The bindings to ask getLlama for, in order, until one loads. */
export function attemptsFor(setting: GpuSetting, platform: NodeJS.Platform, arch: string): GetLlamaGpu[] {
    const cpu = cpuBinding(platform, arch);
    switch (setting) {
        case "cpu":
            return [cpu];
        case "auto":
            return [...new Set<GetLlamaGpu>(["auto", cpu])];
        default:
            // An explicit backend that fails still leaves the user with a working engine.
            return [...new Set<GetLlamaGpu>([setting, "auto", cpu])];
    }
}

/** Layers to offload (undefined: node-llama-cpp decides). "cpu" on a GPU build offloads none. */
export function gpuLayersFor(setting: GpuSetting, binding: LlamaGpuType): 0 | undefined {
    return setting === "cpu" && binding !== false ? 0 : undefined;
}

/** Vulkan drivers that rasterize on the CPU: Mesa's lavapipe (llvmpipe) and softpipe, Google's SwiftShader. */
const SOFTWARE_VULKAN = /llvmpipe|lavapipe|softpipe|swiftshader/i;

/**
 * Vulkan sees only software devices: llama.cpp's Vulkan backend then runs on the CPU, slower than the
 * CPU build. No names (the query failed) is not proof: the GPU gets the benefit of the doubt.
 */
export function onlySoftwareVulkan(deviceNames: readonly string[]): boolean {
    return deviceNames.length > 0 && deviceNames.every((name) => SOFTWARE_VULKAN.test(name));
}

export async function acquireLlama(setting: GpuSetting, log: Log): Promise<AcquiredLlama> {
    const { getLlama, getLlamaGpuTypes, LlamaLogLevel } = await import("node-llama-cpp");
    const attempts = attemptsFor(setting, process.platform, process.arch);
    const errors = new LlamaErrorLines();
    const load = (gpu: GetLlamaGpu) =>
        getLlama({
            gpu,
            // Never compile or download at run time: users may be offline, and builds take minutes.
            build: "never",
            logLevel: LlamaLogLevel.warn,
            logger: (level, message) => {
                const text = message.trim();
                if (!text) return;
                const severe = level === "error" || level === "fatal";
                if (severe) errors.push(text);
                log(severe ? "error" : "warn", `llama.cpp: ${text}`);
            },
        });
    let firstError: unknown;
    let lastError: unknown;
    for (const gpu of attempts) {
        try {
            let llama = await load(gpu);
            // "auto" takes Vulkan whenever a Vulkan driver loads, Mesa's lavapipe on a machine without a GPU too.
            if (gpu === "auto" && llama.gpu === "vulkan") {
                const devices = await llama.getGpuDeviceNames().catch((): string[] => []);
                if (onlySoftwareVulkan(devices)) {
                    log("info", `Vulkan finds only ${devices.join(", ")}, a software renderer that runs on the CPU more slowly than the CPU build: using the CPU build (set solarComplete.gpu to "vulkan" to use it anyway).`);
                    await llama.dispose();
                    llama = await load(cpuBinding(process.platform, process.arch));
                }
            }
            if (gpu !== attempts[0]) log("warn", fallbackMessage(setting, llama.gpu, failureReason(firstError)));
            else log("info", `llama.cpp backend: ${gpuLayersFor(setting, llama.gpu) === 0 ? `the CPU (${backendName(llama.gpu)} build, no layers offloaded)` : backendName(llama.gpu)}.`);
            // "auto" falls back inside node-llama-cpp without telling us: say so when CUDA was a candidate.
            if (setting === "auto" && llama.gpu !== "cuda" && (await getLlamaGpuTypes("supported").catch((): LlamaGpuType[] => [])).includes("cuda")) {
                log("warn", cudaUnusedMessage(llama.gpu));
            }
            return { llama, gpuSetting: setting, errors };
        } catch (error) {
            firstError ??= error;
            lastError = error;
            log("warn", `Could not load the llama.cpp backend gpu=${String(gpu)}: ${errorMessage(error)}`);
        }
    }
    throw new Error(`No llama.cpp backend could be loaded: ${errorMessage(lastError)}`);
}

/** What actually runs, for ModelInfo.backend: a GPU build with no layers offloaded runs on the CPU. */
export function backendDescription(run: { readonly binding: LlamaGpuType; readonly deviceNames: readonly string[]; readonly gpuLayers: number; readonly threads: number }): string {
    const cpu = `CPU, ${run.threads} thread${run.threads === 1 ? "" : "s"}`;
    if (run.binding === false) return cpu;
    if (run.gpuLayers === 0) return `${cpu} (${backendName(run.binding)} build, no layers offloaded)`;
    return `${backendName(run.binding)}${run.deviceNames.length ? `, ${run.deviceNames.join(", ")}` : ""}`;
}

export function backendName(gpu: LlamaGpuType | "auto"): string {
    switch (gpu) {
        case "cuda":
            return "CUDA";
        case "vulkan":
            return "Vulkan";
        case "metal":
            return "Metal";
        case "auto":
            return "the best available GPU backend";
        default:
            return "the CPU";
    }
}

/** CUDA is installed on this machine, yet "auto" ended up elsewhere. */
export function cudaUnusedMessage(used: LlamaGpuType): string {
    return `This machine has CUDA, but Solar runs on ${backendName(used)}: the CUDA build of llama.cpp is not installed ("Solar: Install CUDA GPU Pack…") or failed to load (set solarComplete.gpu to "cuda" to see why in this log).`;
}

/** What the user reads when the backend they asked for didn't load and another one took over. */
export function fallbackMessage(requested: GpuSetting, used: LlamaGpuType, reason: string): string {
    const wanted = requested === "cpu" ? "the CPU" : backendName(requested);
    const hint = requested === "cuda"
        ? " For CUDA: an NVIDIA driver with the CUDA 12 runtime, and the CUDA GPU pack (\"Solar: Install CUDA GPU Pack…\") unless node-llama-cpp's CUDA package is installed."
        : "";
    return `${wanted} could not be loaded (${reason}), so Solar runs on ${backendName(used)} instead: suggestions keep working, more slowly.${hint} Set solarComplete.gpu to "${used || "cpu"}" to skip the attempt.`;
}

/** node-llama-cpp's NoBinaryFoundError says only its name; the console line before it says why. */
function failureReason(error: unknown): string {
    if (error instanceof Error && error.name === "NoBinaryFoundError" || errorMessage(error) === "NoBinaryFoundError") {
        return "no binary for it is installed, or the installed one does not load on this system";
    }
    return errorMessage(error);
}

export function errorMessage(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

/** Longer than any dispose we measured (a model and its context are disposed before this). */
const LLAMA_DISPOSE_TIMEOUT_MS = 5_000;

/**
 * `llama.dispose()`, bounded. In node-llama-cpp 3.21.1 a model whose load fails ("Failed to load
 * model") has already taken a prevent-disposal handle on its Llama, released only when that model
 * object is disposed; llama.dispose() disposes the models it can still reach through weak
 * references, so once the garbage collector has taken the failed one, dispose waits for the handle
 * forever (seen as a hung engine stop after a bad model file, depending on GC timing). What is left
 * to free at that point is the binding itself, which the engine's exit frees anyway.
 */
export async function disposeLlama(llama: Pick<Llama, "dispose">, log: Log, timeoutMs = LLAMA_DISPOSE_TIMEOUT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), timeoutMs);
        timer.unref();
    });
    const outcome = await Promise.race([llama.dispose().then(() => "disposed" as const), timedOut]);
    clearTimeout(timer);
    if (outcome === "timeout") log("warn", `llama.cpp's binding did not finish disposing within ${timeoutMs / 1000} s (a failed model load holds it); going on without it.`);
}
