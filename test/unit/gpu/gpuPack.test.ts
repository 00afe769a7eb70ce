// The CUDA GPU pack's download, verification, unpacking and linking, against a fake npm registry on
// 127.0.0.1 serving a real tarball: `npm pack` of the installed @node-llama-cpp/linux-armv7l, a
// binary package of exactly the CUDA package's shape (dist/index.js with getBinsDir(), bins/).

import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { fileIntegrity, GpuPackError, gpuPackFor, installGpuPack, linkGpuPack, packDirectory, sha512Digests, type GpuPack } from "../../../src/gpu/gpuPack";
import { detectNvidiaGpus } from "../../../src/gpu/nvidia";

const ROOT = path.resolve(__dirname, "../../..");
const SOURCE = path.join(ROOT, "node_modules/@node-llama-cpp/linux-armv7l");
const PACK: GpuPack = { name: "@node-llama-cpp/linux-armv7l", version: (JSON.parse(fs.readFileSync(path.join(SOURCE, "package.json"), "utf8")) as { version: string }).version };

interface FakeRegistry {
    readonly url: string;
    /** Requests seen, e.g. "GET /@node-llama-cpp%2flinux-armv7l/3.21.1". */
    readonly requests: string[];
    close(): Promise<void>;
}

/** Serves `/<name %2f-encoded>/<version>` metadata and `/tarballs/pack.tgz`, like registry.npmjs.org. */
async function fakeRegistry(tarball: Buffer, integrity: string): Promise<FakeRegistry> {
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
        requests.push(`${req.method} ${req.url}`);
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        if (req.url === `/${PACK.name.replace("/", "%2f")}/${PACK.version}`) {
            res.setHeader("content-type", "application/json");
            res.end(JSON.stringify({ name: PACK.name, version: PACK.version, dist: { tarball: `${base}/tarballs/pack.tgz`, integrity } }));
        } else if (req.url === "/tarballs/pack.tgz") {
            res.setHeader("content-length", tarball.length);
            res.end(tarball);
        } else {
            res.statusCode = 404;
            res.end("{}");
        }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}

const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

describe("CUDA GPU pack", function () {
    this.timeout(60_000);
    let temp: string;
    let tarball: Buffer;
    let integrity: string;

    before(async () => {
        temp = fs.mkdtempSync(path.join(os.tmpdir(), "solar-gpu-pack-"));
        const packed = spawnSync("npm", ["pack", SOURCE, "--json", "--pack-destination", temp], { encoding: "utf8" });
        assert.equal(packed.status, 0, packed.stderr);
        const file = path.join(temp, (JSON.parse(packed.stdout) as [{ filename: string }])[0].filename);
        tarball = fs.readFileSync(file);
        integrity = await fileIntegrity(file);
    });
    after(() => fs.rmSync(temp, { recursive: true, force: true }));

    let storage: string;
    let extension: string;
    beforeEach(() => {
        storage = fs.mkdtempSync(path.join(temp, "storage-"));
        extension = fs.mkdtempSync(path.join(temp, "extension-"));
    });

    it("names the CUDA package of node-llama-cpp's own version for Linux and Windows x64 only", () => {
        assert.deepEqual(gpuPackFor("linux", "x64", "3.21.1"), { name: "@node-llama-cpp/linux-x64-cuda", version: "3.21.1" });
        assert.deepEqual(gpuPackFor("win32", "x64", "3.21.1"), { name: "@node-llama-cpp/win-x64-cuda", version: "3.21.1" });
        assert.equal(gpuPackFor("darwin", "arm64", "3.21.1"), undefined);
        assert.equal(gpuPackFor("linux", "arm64", "3.21.1"), undefined);
        assert.deepEqual(sha512Digests("sha1-abc sha512-AAA= sha512-BBB=?x"), ["AAA=", "BBB="]);
    });

    it("downloads the tarball from the registry, verifies its sha512 integrity and unpacks it byte for byte", async () => {
        const registry = await fakeRegistry(tarball, integrity);
        try {
            let last = 0;
            const dir = await installGpuPack({ pack: PACK, storageDir: storage, registry: registry.url, onProgress: (received) => (last = received) });
            assert.equal(dir, packDirectory(storage, PACK));
            assert.equal(last, tarball.length);
            assert.deepEqual(registry.requests, [`GET /${PACK.name.replace("/", "%2f")}/${PACK.version}`, "GET /tarballs/pack.tgz"]);
            const binary = path.join("bins", "linux-armv7l", "llama-addon.node");
            assert.equal(sha256(path.join(dir, binary)), sha256(path.join(SOURCE, binary)));
            assert.deepEqual(fs.readdirSync(dir).sort(), fs.readdirSync(SOURCE).sort());
            assert.deepEqual(fs.readdirSync(path.join(storage, "gpu-pack")), [PACK.version], "no temporary folder left");

            // Installed already: nothing is fetched again.
            await installGpuPack({ pack: PACK, storageDir: storage, registry: registry.url });
            assert.equal(registry.requests.length, 2);
        } finally {
            await registry.close();
        }
    });

    it("refuses a tarball whose sha512 is not the registry's integrity, and keeps nothing of it", async () => {
        const wrong = `sha512-${createHash("sha512").update("something else").digest("base64")}`;
        const registry = await fakeRegistry(tarball, wrong);
        try {
            await assert.rejects(installGpuPack({ pack: PACK, storageDir: storage, registry: registry.url }), (error: GpuPackError) => error.code === "INTEGRITY");
            assert.deepEqual(fs.readdirSync(path.join(storage, "gpu-pack")), []);
        } finally {
            await registry.close();
        }
    });

    it("reports a version the registry doesn't have as NOT_PUBLISHED", async () => {
        const registry = await fakeRegistry(tarball, integrity);
        try {
            const missing = { ...PACK, version: "0.0.1" };
            await assert.rejects(installGpuPack({ pack: missing, storageDir: storage, registry: registry.url }), (error: GpuPackError) => error.code === "NOT_PUBLISHED");
        } finally {
            await registry.close();
        }
    });

    it("links the pack where node-llama-cpp's import() finds it, and getBinsDir() points into global storage", async () => {
        const registry = await fakeRegistry(tarball, integrity);
        try {
            assert.equal(linkGpuPack(extension, storage, PACK), "missing");
            await installGpuPack({ pack: PACK, storageDir: storage, registry: registry.url });
        } finally {
            await registry.close();
        }
        assert.equal(linkGpuPack(extension, storage, PACK), "linked");
        assert.equal(linkGpuPack(extension, storage, PACK), "linked", "idempotent");
        // node-llama-cpp does `import("@node-llama-cpp/<name>")` from inside node_modules/node-llama-cpp.
        const importer = path.join(extension, "node_modules", "importer");
        fs.mkdirSync(importer, { recursive: true });
        fs.writeFileSync(path.join(importer, "package.json"), JSON.stringify({ name: "importer", type: "module", exports: "./index.js" }));
        fs.writeFileSync(path.join(importer, "index.js"), "export const load = (name) => import(name);\n");
        const { load } = await import(pathToFileURL(path.join(importer, "index.js")).href) as { load: (name: string) => Promise<{ getBinsDir(): { binsDir: string; packageVersion: string } }> };
        const { binsDir, packageVersion } = (await load(PACK.name)).getBinsDir();
        assert.equal(packageVersion, PACK.version);
        assert.equal(binsDir, path.join(fs.realpathSync(packDirectory(storage, PACK)), "bins"));
        assert.ok(fs.existsSync(path.join(binsDir, "linux-armv7l", "llama-addon.node")));

        // The pack removed: the stale link goes too.
        fs.rmSync(path.join(storage, "gpu-pack"), { recursive: true });
        assert.equal(linkGpuPack(extension, storage, PACK), "missing");
        assert.equal(fs.existsSync(path.join(extension, "node_modules", ...PACK.name.split("/"))), false);
    });

    it("leaves a package that is part of the installation alone", () => {
        const bundled = path.join(extension, "node_modules", ...PACK.name.split("/"));
        fs.cpSync(path.join(SOURCE, "package.json"), path.join(bundled, "package.json"), { recursive: true });
        assert.equal(linkGpuPack(extension, storage, PACK), "bundled");
        assert.equal(fs.lstatSync(bundled).isSymbolicLink(), false);
    });

    it("detects NVIDIA GPUs through nvidia-smi (on PATH or where WSL and Windows keep it), else /proc/driver/nvidia, else none", async () => {
        const noProc = path.join(temp, "no-such-dir");
        const tried: string[] = [];
        const wslOnly = async (binary: string) => (tried.push(binary), binary === "/usr/lib/wsl/lib/nvidia-smi" ? "NVIDIA GeForce RTX 4090\n\n" : Promise.reject(new Error("ENOENT")));
        assert.deepEqual(await detectNvidiaGpus(wslOnly, noProc), ["NVIDIA GeForce RTX 4090"]);
        assert.deepEqual(tried, ["nvidia-smi", "/usr/lib/wsl/lib/nvidia-smi"]);
        const proc = fs.mkdtempSync(path.join(temp, "proc-"));
        fs.mkdirSync(path.join(proc, "0000:01:00.0"));
        const failing = () => Promise.reject(new Error("ENOENT nvidia-smi"));
        assert.deepEqual(await detectNvidiaGpus(failing, proc), ["NVIDIA GPU 0000:01:00.0"]);
        assert.deepEqual(await detectNvidiaGpus(failing, noProc), []);
    });
});
