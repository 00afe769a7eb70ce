// Backend fallback with the real node-llama-cpp: asking for CUDA on a machine where it can't load
// (no NVIDIA driver here; node_modules has the CUDA binary package) must still give a working
// binding, and one clear message saying what runs instead and why.

import * as assert from "node:assert/strict";
import { acquireLlama, attemptsFor, backendDescription, cudaUnusedMessage, fallbackMessage, gpuLayersFor, onlySoftwareVulkan } from "../../../src/engine/llamaRuntime";

describe("llama.cpp backend fallback", function () {
    this.timeout(120_000);

    it("says what was asked for, why it failed, what runs instead and how to fix it", () => {
        const message = fallbackMessage("cuda", "vulkan", "libcuda.so.1: cannot open shared object file");
        assert.equal(message, 'CUDA could not be loaded (libcuda.so.1: cannot open shared object file), so Solar runs on Vulkan instead: suggestions keep working, more slowly. For CUDA: an NVIDIA driver with the CUDA 12 runtime, and the CUDA GPU pack ("Solar: Install CUDA GPU Pack…") unless node-llama-cpp\'s CUDA package is installed. Set solarComplete.gpu to "vulkan" to skip the attempt.');
        assert.match(fallbackMessage("vulkan", false, "no Vulkan loader"), /^Vulkan could not be loaded \(no Vulkan loader\), so Solar runs on the CPU instead: .* Set solarComplete.gpu to "cpu"/);
        assert.match(cudaUnusedMessage("vulkan"), /^This machine has CUDA, but Solar runs on Vulkan: .*Install CUDA GPU Pack/);
    });

    it("runs \"cpu\" on Apple silicon with the Metal build and no layers offloaded (there is no CPU-only build)", () => {
        assert.deepEqual(attemptsFor("cpu", "darwin", "arm64"), ["metal"]);
        assert.equal(gpuLayersFor("cpu", "metal"), 0);
        assert.equal(backendDescription({ binding: "metal", deviceNames: ["Apple M2"], gpuLayers: 0, threads: 7 }), "CPU, 7 threads (Metal build, no layers offloaded)");
        // The last resort of every other setting there is that build too, with its layers offloaded.
        assert.deepEqual(attemptsFor("auto", "darwin", "arm64"), ["auto", "metal"]);
        assert.deepEqual(attemptsFor("cuda", "darwin", "arm64"), ["cuda", "auto", "metal"]);
        assert.deepEqual(attemptsFor("metal", "darwin", "arm64"), ["metal", "auto"]);
        assert.equal(gpuLayersFor("auto", "metal"), undefined);
        assert.equal(gpuLayersFor("metal", "metal"), undefined);
        assert.equal(backendDescription({ binding: "metal", deviceNames: ["Apple M2"], gpuLayers: 49, threads: 7 }), "Metal, Apple M2");
    });

    it("runs \"cpu\" elsewhere on the CPU build, which node-llama-cpp ships for every other platform", () => {
        for (const [platform, arch] of [["darwin", "x64"], ["linux", "x64"], ["linux", "arm64"], ["win32", "x64"], ["win32", "arm64"]] as const) {
            assert.deepEqual(attemptsFor("cpu", platform, arch), [false], `${platform}-${arch}`);
            assert.deepEqual(attemptsFor("auto", platform, arch), ["auto", false], `${platform}-${arch}`);
            assert.deepEqual(attemptsFor("vulkan", platform, arch), ["vulkan", "auto", false], `${platform}-${arch}`);
        }
        assert.equal(gpuLayersFor("cpu", false), undefined);
        assert.equal(backendDescription({ binding: false, deviceNames: [], gpuLayers: 0, threads: 1 }), "CPU, 1 thread");
        assert.equal(backendDescription({ binding: "vulkan", deviceNames: ["NVIDIA GeForce RTX 4090"], gpuLayers: 49, threads: 15 }), "Vulkan, NVIDIA GeForce RTX 4090");
    });

    it("tells software Vulkan (lavapipe, SwiftShader) from a GPU by the device names", () => {
        assert.equal(onlySoftwareVulkan(["llvmpipe (LLVM 15.0.7, 256 bits)"]), true);
        assert.equal(onlySoftwareVulkan(["lavapipe"]), true);
        assert.equal(onlySoftwareVulkan(["SwiftShader Device (Subzero)", "softpipe"]), true);
        // A GPU beside the software device: Vulkan has something real to run on.
        assert.equal(onlySoftwareVulkan(["llvmpipe (LLVM 15.0.7, 256 bits)", "AMD Radeon RX 7900 XTX (RADV NAVI31)"]), false);
        assert.equal(onlySoftwareVulkan(["Intel(R) UHD Graphics 620 (KBL GT2)"]), false);
        // Names unknown (the query failed): no proof that it is software.
        assert.equal(onlySoftwareVulkan([]), false);
    });

    it("falls back from CUDA to a backend that loads, with that message in the log", async () => {
        const lines: string[] = [];
        const { llama } = await acquireLlama("cuda", (level, message) => lines.push(`${level}: ${message}`));
        try {
            if (llama.gpu === "cuda") {
                // A machine where CUDA works: no fallback, and no message about one.
                assert.ok(!lines.some((line) => line.includes("could not be loaded")), lines.join("\n"));
                return;
            }
            const fallback = lines.filter((line) => line.startsWith("warn: CUDA could not be loaded ("));
            assert.equal(fallback.length, 1, lines.join("\n"));
            assert.ok(fallback[0].includes(`so Solar runs on ${llama.gpu === "vulkan" ? "Vulkan" : "the CPU"} instead`), fallback[0]);
        } finally {
            await llama.dispose();
        }
    });
});
