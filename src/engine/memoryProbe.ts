// Free memory as node-llama-cpp sees it: VRAM of the GPU backend it would load (getVramState), else
// RAM (getRamState). Runs in the engine, so the extension host never loads llama.cpp; "auto"
// quantization and "Choose Quantization…" ask for it.

import type { Llama } from "node-llama-cpp";
import type { MemoryFigures } from "../model/autoQuant";

/** Bytes the engine itself holds (its model and context) on the probed backend: free for a replacement. */
export interface HeldMemory {
    readonly bytes: number;
    readonly onGpu: boolean;
}

export async function probeMemory(llama: Llama, held?: HeldMemory): Promise<MemoryFigures> {
    const ram = await llama.getRamState();
    const heldInRam = held && !held.onGpu ? held.bytes : 0;
    const figures: MemoryFigures = { ram: { total: ram.total, free: Math.min(ram.total, ram.free + heldInRam) } };
    if (llama.gpu === false) return figures;
    const vram = await llama.getVramState();
    const names = await llama.getGpuDeviceNames().catch(() => [] as string[]);
    const heldInVram = held?.onGpu ? held.bytes : 0;
    return {
        ...figures,
        vram: { total: vram.total, free: Math.min(vram.total, vram.free + heldInVram), backend: [String(llama.gpu).toUpperCase(), ...names].join(", ") },
    };
}
