// Getting a llama.cpp binding for the requested GPU, falling back when a backend fails to load
// (a driver update breaking CUDA is a common complaint: the user should still get completions, on
// Vulkan or the CPU, with a clear message saying so).

import type { Llama, LlamaGpuType } from "node-llama-cpp";
import type { GpuSetting } from "./protocol";

export type Log = (level: "debug" | "info" | "warn" | "error", message: string) => void;

export interface AcquiredLlama {
    readonly llama: Llama;
    readonly gpuSetting: GpuSetting;
}

type GetLlamaGpu = "auto" | LlamaGpuType;

function attemptsFor(setting: GpuSetting): GetLlamaGpu[] {
    switch (setting) {
        case "cpu":
            return [false];
        case "auto":
            return ["auto", false];
        default:
            // An explicit backend that fails still leaves the user with a working engine.
            return [setting, "auto", false];
    }
}

export async function acquireLlama(setting: GpuSetting, log: Log): Promise<AcquiredLlama> {
    const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
    let lastError: unknown;
    for (const gpu of attemptsFor(setting)) {
        try {
            const llama = await getLlama({
                gpu,
                // Never compile or download at run time: users may be offline, and builds take minutes.
                build: "never",
                logLevel: LlamaLogLevel.warn,
                logger: (level, message) => {
                    const text = message.trim();
                    if (text) log(level === "error" || level === "fatal" ? "error" : "warn", `llama.cpp: ${text}`);
                },
            });
            if (gpu !== attemptsFor(setting)[0]) {
                log("warn", `GPU backend "${setting}" could not be loaded; using ${llama.gpu || "the CPU"} instead.`);
            }
            return { llama, gpuSetting: setting };
        } catch (error) {
            lastError = error;
            log("warn", `Could not load the llama.cpp backend gpu=${String(gpu)}: ${errorMessage(error)}`);
        }
    }
    throw new Error(`No llama.cpp backend could be loaded: ${errorMessage(lastError)}`);
}

export function errorMessage(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}
