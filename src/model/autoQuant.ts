// "auto" quantization: the largest catalog entry whose estimated memory fits what the machine has
// free, in GPU memory when a GPU backend runs the model, else in RAM. Pure: the figures come from
// node-llama-cpp (memoryProbe.ts) and the reasoning comes back as lines for the log and the quick pick.

import { formatGB } from "../util/bytes";
import type { CatalogEntry } from "./catalog";

export interface MemoryFigures {
    /** Present when a GPU backend loaded: node-llama-cpp's getVramState(). */
    readonly vram?: { readonly total: number; readonly free: number; readonly backend: string };
    /** node-llama-cpp's getRamState() (or os.totalmem/freemem). */
    readonly ram: { readonly total: number; readonly free: number };
    readonly platform?: NodeJS.Platform;
}

export interface AutoChoice {
    /** Undefined only for an empty list of entries. */
    readonly entry: CatalogEntry | undefined;
    readonly fits: boolean;
    readonly where: "VRAM" | "RAM";
    /** Free memory minus the padding node-llama-cpp keeps for itself. */
    readonly budget: number;
    /** One line per entry, largest first, plus the verdict: for the log and the quick pick. */
    readonly reasons: readonly string[];
    readonly summary: string;
}

// The padding node-llama-cpp reserves by default (defaultLlamaVramPadding / defaultLlamaRamPadding in
// bindings/getLlama.js, identical in 3.21.1 and 3.22.1): an estimate that fits only without it would
// have llama.cpp fail or swap.
export function vramPadding(total: number): number {
    return Math.floor(Math.min(total * 0.08, 1.6 * 1024 ** 3));
}

export function ramPadding(total: number, platform: NodeJS.Platform = process.platform): number {
    return Math.floor(Math.min(total * 0.25, (platform === "linux" ? 1 : 6) * 1024 ** 3));
}

/**
 * `entries` in any order; each entry's `memory`, plus `extraBytes` (the KV states kept beyond the
 * first, see SOLAR_KV_STATE_BYTES), is compared with the budget.
 */
export function chooseQuantization(entries: readonly CatalogEntry[], memory: MemoryFigures, extraBytes = 0): AutoChoice {
    const gpu = memory.vram && memory.vram.total > 0 ? memory.vram : undefined;
    const where = gpu ? "VRAM" : "RAM";
    const budget = gpu
        ? Math.max(0, gpu.free - vramPadding(gpu.total))
        : Math.max(0, memory.ram.free - ramPadding(memory.ram.total, memory.platform));
    const free = `${formatGB(budget)} free ${where}${gpu ? ` (${gpu.backend})` : ""}`;
    const bySize = [...entries].sort((a, b) => b.memory - a.memory);
    const need = (e: CatalogEntry) => e.memory + extraBytes;
    const states = extraBytes > 0 ? " with the extra KV states" : "";
    const reasons = bySize.map((e) => `${e.quantization}: ${formatGB(need(e))}${states}, ${need(e) <= budget ? "fits in" : "does not fit in"} ${free}`);
    const fitting = bySize.find((e) => need(e) <= budget);
    const smallest = bySize[bySize.length - 1];
    if (fitting) {
        return { entry: fitting, fits: true, where, budget, reasons, summary: `auto → ${fitting.quantization}: ${formatGB(need(fitting))}${states}, fits in ${free}` };
    }
    return {
        entry: smallest,
        fits: false,
        where,
        budget,
        reasons,
        summary: smallest
            ? `auto → ${smallest.quantization} (the smallest): ${formatGB(need(smallest))}${states} does not fit in ${free}; expect swapping or a failed load`
            : "auto: the catalog is empty",
    };
}
