// The catalog: every variant × quantization has a source, a file name and sizes; mirrors replace the
// host only; package.json's enum matches; and the context memory figure is node-llama-cpp's own
// estimate for Solar's shape (recomputed from a Solar-shaped GGUF header, no weights written).

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CATALOG, catalogEntry, describeEntry, downloadUrl, parseModelRef, QUANTIZATIONS, SOLAR_CONTEXT_4096_BYTES, SOURCE_HOST } from "../../../src/model/catalog";
import { GGML_TYPE, writeGguf, type GgufTensor } from "../../fixtures/gguf-writer";
import { FILE_TYPE, isNormWeight, llamaModel } from "../../fixtures/llama";
import { readManifest } from "../../fixtures/manifest";
import { loadVocabulary } from "../../fixtures/vocabulary";

const manifest = readManifest();

describe("model catalog", () => {
    it("lists base and instruct in every quantization, each with a source, a file and sizes", () => {
        assert.equal(CATALOG.length, 2 * QUANTIZATIONS.length);
        for (const entry of CATALOG) {
            assert.match(entry.repository, /^TheBloke\/SOLAR-10\.7B-(Instruct-)?v1\.0-GGUF$/);
            assert.equal(entry.fileName, `solar-10.7b-${entry.variant === "instruct" ? "instruct-" : ""}v1.0.${entry.quantization}.gguf`);
            assert.ok(entry.size > 4e9 && entry.size < 12e9, entry.title);
            assert.equal(entry.memory, entry.size + SOLAR_CONTEXT_4096_BYTES);
            assert.ok(entry.quality.length > 10);
        }
        const sizes = QUANTIZATIONS.map((q) => catalogEntry("base", q).size);
        assert.deepEqual([...sizes].sort((a, b) => a - b), sizes, "QUANTIZATIONS runs smallest first");
    });

    it("builds URLs from one host that a mirror endpoint replaces", () => {
        const entry = catalogEntry("base", "Q4_K_M");
        assert.equal(downloadUrl(entry), `${SOURCE_HOST}/TheBloke/SOLAR-10.7B-v1.0-GGUF/resolve/main/solar-10.7b-v1.0.Q4_K_M.gguf`);
        assert.equal(downloadUrl(entry, "http://mirror.local:8080/hf/"), "http://mirror.local:8080/hf/TheBloke/SOLAR-10.7B-v1.0-GGUF/resolve/main/solar-10.7b-v1.0.Q4_K_M.gguf");
    });

    it("parses the CLI's model references", () => {
        assert.equal(parseModelRef("instruct:q8_0")?.fileName, "solar-10.7b-instruct-v1.0.Q8_0.gguf");
        assert.equal(parseModelRef("base:Q4_K_M")?.quantization, "Q4_K_M");
        assert.equal(parseModelRef("base:Q9"), undefined);
        assert.equal(parseModelRef("chat:Q4_0"), undefined);
    });

    it("matches package.json: the enum, its descriptions, and the default", () => {
        const setting = manifest.contributes.configuration.properties["solarComplete.quantization"];
        assert.deepEqual(setting.enum, ["auto", ...QUANTIZATIONS]);
        assert.deepEqual(setting.enumDescriptions.slice(1), QUANTIZATIONS.map((q) => describeEntry(catalogEntry("base", q))));
        assert.equal(setting.default, "Q4_K_M");
    });

    it("uses node-llama-cpp's own estimate of a 4,096-token context for Solar's shape", async function () {
        this.timeout(60_000);
        // The estimate must come from the version the packages ship, not whatever happens to be installed.
        const installed = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../../node_modules/node-llama-cpp/package.json"), "utf8")).version;
        assert.equal(installed, manifest.dependencies["node-llama-cpp"], "node-llama-cpp is the pinned version: run npm install");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "solar-shape-"));
        try {
            const file = path.join(dir, "solar-shape.gguf");
            const shape = { name: "solar-shape", embedding: 4096, blocks: 48, heads: 32, kvHeads: 8, feedForward: 14336, ropeFreqBase: 10000, fileType: FILE_TYPE.mostlyQ4_0 };
            const model = llamaModel(shape, await loadVocabulary(), (name, dims): GgufTensor => ({ name, shape: dims, type: isNormWeight(name) ? GGML_TYPE.F32 : GGML_TYPE.Q4_0, write() {} }));
            writeGguf(file, model, { headerOnly: true });
            const { getLlama, readGgufFileInfo, GgufInsights } = await import("node-llama-cpp");
            const llama = await getLlama({ gpu: false, build: "never" });
            try {
                const insights = await GgufInsights.from(await readGgufFileInfo(file), llama);
                assert.ok(Math.abs(insights.totalParameters - 10.7e9) < 0.1e9, String(insights.totalParameters));
                const cpu = insights.estimateContextResourceRequirements({ contextSize: 4096, modelGpuLayers: 0, sequences: 1 });
                const gpu = insights.estimateContextResourceRequirements({ contextSize: 4096, modelGpuLayers: insights.totalLayers, sequences: 1 });
                assert.equal(cpu.cpuRam, SOLAR_CONTEXT_4096_BYTES);
                assert.equal(gpu.gpuVram, SOLAR_CONTEXT_4096_BYTES);
                // The weights' estimate is their size: a uniform Q4_0 Solar is within 1% of the Q4_0 file.
                const weights = insights.estimateModelResourceRequirements({ gpuLayers: 0 }).cpuRam;
                assert.ok(Math.abs(weights / catalogEntry("base", "Q4_0").size - 1) < 0.01, String(weights));
            } finally {
                await llama.dispose();
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
