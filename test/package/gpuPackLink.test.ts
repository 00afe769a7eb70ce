// The GPU pack's linking, with the real node-llama-cpp in the real package layout: the linux-x64
// .vsix is unpacked as VS Code would install it, its CPU binary package is moved out into a "global
// storage" folder (standing in for the CUDA pack, which can't load without an NVIDIA driver), and
// linkGpuPack() links it back. node-llama-cpp must then load llama.cpp from global storage.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { linkGpuPack, packDirectory, type GpuPack } from "../../src/gpu/gpuPack";
import { Zip } from "../../scripts/package/zip";

const ROOT = path.resolve(__dirname, "../..");
const VSIX = process.env.SOLAR_PACKAGE_VSIX ?? path.join(ROOT, "packages/solar-complete-linux-x64.vsix");

describe("the GPU pack link in an installed linux-x64 package", function () {
    this.timeout(120_000);
    let temp: string;
    before(function () {
        if (process.platform !== "linux" || process.arch !== "x64") throw new Error("this test loads linux-x64 binaries");
        temp = fs.mkdtempSync(path.join(os.tmpdir(), "solar-pack-link-"));
    });
    after(() => fs.rmSync(temp, { recursive: true, force: true }));

    it("makes node-llama-cpp load its binary package from global storage", async () => {
        const extension = path.join(temp, "solar-complete.solar-complete-linux-x64");
        const storage = path.join(temp, "globalStorage");
        new Zip(VSIX).extract("extension/", extension);
        const pack: GpuPack = { name: "@node-llama-cpp/linux-x64", version: (JSON.parse(fs.readFileSync(path.join(extension, "node_modules/node-llama-cpp/package.json"), "utf8")) as { version: string }).version };
        const installed = packDirectory(storage, pack);
        fs.mkdirSync(path.dirname(installed), { recursive: true });
        fs.renameSync(path.join(extension, "node_modules/@node-llama-cpp/linux-x64"), installed);

        assert.equal(linkGpuPack(extension, storage, pack), "linked");
        const { getLlama } = await import(pathToFileURL(path.join(extension, "node_modules/node-llama-cpp/dist/index.js")).href) as typeof import("node-llama-cpp");
        const llama = await getLlama({ gpu: false, build: "never", logLevel: "error" as never });
        try {
            assert.equal(llama.gpu, false);
            // The shared objects this process mapped: the binding came from global storage, through the link.
            const mapped = fs.readFileSync("/proc/self/maps", "utf8");
            assert.ok(mapped.includes(path.join(fs.realpathSync(installed), "bins/linux-x64/llama-addon.node")), "llama-addon.node from global storage");
            assert.ok(!mapped.includes(path.join(ROOT, "node_modules/@node-llama-cpp/linux-x64/")), "not the repository's copy");
        } finally {
            await llama.dispose();
        }
    });
});
