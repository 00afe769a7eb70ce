// "auto" quantization on given memory figures: table-driven and pure.

import * as assert from "node:assert/strict";
import { chooseQuantization, ramPadding, vramPadding, type MemoryFigures } from "../../../src/model/autoQuant";
import { CATALOG } from "../../../src/model/catalog";

const GB = 1e9;
const GiB = 1024 ** 3;
const base = CATALOG.filter((e) => e.variant === "base");
const gpu = (freeGB: number, totalGB: number): MemoryFigures => ({ vram: { free: freeGB * GB, total: totalGB * GB, backend: "CUDA, RTX" }, ram: { free: 64 * GB, total: 64 * GB }, platform: "linux" });
const cpu = (freeGB: number, totalGB: number, platform: NodeJS.Platform = "linux"): MemoryFigures => ({ ram: { free: freeGB * GB, total: totalGB * GB }, platform });

describe("auto quantization", () => {
    const table: Array<[string, MemoryFigures, string, boolean, "VRAM" | "RAM"]> = [
        ["24 GB GPU: the largest", gpu(23, 24), "Q8_0", true, "VRAM"],
        ["12 GB GPU, 11.2 free", gpu(11.2, 12), "Q6_K", true, "VRAM"],
        ["10 GB GPU, 9.7 free", gpu(9.7, 10), "Q5_K_M", true, "VRAM"],
        ["8 GB GPU, 7.9 free: Q4_K_S just fits", gpu(7.9, 8), "Q4_K_S", true, "VRAM"],
        ["6 GB GPU: nothing fits, the smallest", gpu(5.9, 6), "Q2_K", false, "VRAM"],
        ["GPU with 0 total (no GPU found): RAM decides", { vram: { free: 0, total: 0, backend: "x" }, ram: { free: 9.5 * GB, total: 16 * GB }, platform: "linux" }, "Q4_K_M", true, "RAM"],
        ["CPU, 32 GB free", cpu(32, 64), "Q8_0", true, "RAM"],
        ["CPU, 9 GB free of 16 (Linux pads 1 GiB)", cpu(9, 16), "Q4_K_M", true, "RAM"],
        ["CPU, 9 GB free of 16 (macOS pads 4 GB)", cpu(9, 16, "darwin"), "Q2_K", false, "RAM"],
        ["CPU, 2 GB free", cpu(2, 8), "Q2_K", false, "RAM"],
    ];
    for (const [name, memory, expected, fits, where] of table) {
        it(name, () => {
            const choice = chooseQuantization(base, memory);
            assert.equal(choice.entry?.quantization, expected, choice.reasons.join("\n"));
            assert.equal(choice.fits, fits);
            assert.equal(choice.where, where);
            assert.equal(choice.reasons.length, base.length);
        });
    }

    it("explains itself in the log's and quick pick's words", () => {
        const choice = chooseQuantization(base, gpu(11.2, 12));
        // 11.2 GB free minus node-llama-cpp's VRAM padding (8% of 12 GB = 0.96 GB) = 10.2 GB.
        assert.equal(choice.summary, "auto → Q6_K: 10.0 GB, fits in 10.2 GB free VRAM (CUDA, RTX)");
        assert.equal(choice.reasons[0], "Q8_0: 12.5 GB, does not fit in 10.2 GB free VRAM (CUDA, RTX)");
        assert.equal(choice.reasons[1], "Q6_K: 10.0 GB, fits in 10.2 GB free VRAM (CUDA, RTX)");
        assert.match(chooseQuantization(base, cpu(2, 8)).summary, /^auto → Q2_K \(the smallest\): 5\.7 GB does not fit in 0\.9 GB free RAM/);
    });

    it("pads like node-llama-cpp", () => {
        assert.equal(vramPadding(8 * GiB), Math.floor(8 * GiB * 0.08));
        assert.equal(vramPadding(80 * GiB), Math.floor(1.6 * GiB));
        assert.equal(ramPadding(16 * GiB, "linux"), GiB);
        assert.equal(ramPadding(16 * GiB, "darwin"), 4 * GiB);
        assert.equal(chooseQuantization([], cpu(8, 8)).entry, undefined);
    });
});
