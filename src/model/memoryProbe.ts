// Free memory as node-llama-cpp sees it: VRAM of the GPU backend it would load (getVramState), else
// RAM (getRamState). Loads the binding briefly and disposes it; only "auto" quantization needs this.

import * as os from "node:os";
import type { GpuSetting } from "../engine/protocol";
import type { MemoryFigures } from "./autoQuant";

export async function probeMemory(gpu: GpuSetting, log?: (message: string) => void): Promise<MemoryFigures> {
    const fallback: MemoryFigures = { ram: { total: os.totalmem(), free: os.freemem() } };
    let llama;
    try {
        const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
        llama = await getLlama({ gpu: gpu === "cpu" ? false : gpu, build: "never", logLevel: LlamaLogLevel.error, logger: () => undefined });
    } catch (error) {
        log?.(`Memory probe: node-llama-cpp could not load (${error instanceof Error ? error.message : String(error)}); using the OS's free RAM`);
        return fallback;
    }
    try {
        const ram = await llama.getRamState();
        const figures: MemoryFigures = { ram: { total: ram.total, free: ram.free } };
        if (llama.gpu === false) return figures;
        const vram = await llama.getVramState();
        const names = await llama.getGpuDeviceNames().catch(() => [] as string[]);
        return { ...figures, vram: { total: vram.total, free: vram.free, backend: [String(llama.gpu).toUpperCase(), ...names].join(", ") } };
    } finally {
        await llama.dispose();
    }
}
