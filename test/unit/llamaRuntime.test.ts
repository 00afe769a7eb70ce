// Backend fallback with the real node-llama-cpp: asking for CUDA on a machine where it can't load
// (no NVIDIA driver here; node_modules has the CUDA binary package) must still give a working
// binding, and one clear message saying what runs instead and why.

import * as assert from "node:assert/strict";
import { acquireLlama, cudaUnusedMessage, fallbackMessage } from "../../src/engine/llamaRuntime";

describe("llama.cpp backend fallback", function () {
    this.timeout(120_000);

    it("says what was asked for, why it failed, what runs instead and how to fix it", () => {
        const message = fallbackMessage("cuda", "vulkan", "libcuda.so.1: cannot open shared object file");
        assert.equal(message, 'CUDA could not be loaded (libcuda.so.1: cannot open shared object file), so Solar runs on Vulkan instead: suggestions keep working, more slowly. For CUDA: an NVIDIA driver with the CUDA 12 runtime, and the CUDA GPU pack ("Solar: Install CUDA GPU Pack…") unless node-llama-cpp\'s CUDA package is installed. Set solarComplete.gpu to "vulkan" to skip the attempt.');
        assert.match(fallbackMessage("vulkan", false, "no Vulkan loader"), /^Vulkan could not be loaded \(no Vulkan loader\), so Solar runs on the CPU instead: .* Set solarComplete.gpu to "cpu"/);
        assert.match(cudaUnusedMessage("vulkan"), /^This machine has CUDA, but Solar runs on Vulkan: .*Install CUDA GPU Pack/);
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
