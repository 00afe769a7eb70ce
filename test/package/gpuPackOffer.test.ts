// The CUDA offer in the installed linux-x64 package, as a user meets it: code-server with the .vsix
// installed, an `nvidia-smi` (SOLAR_NVIDIA_SMI) that reports a GPU (this machine has none), the registry on
// 127.0.0.1. The status bar shows "CUDA", the log says "CUDA available: install GPU pack?", a click
// downloads the pack (consent given through SOLAR_DOWNLOAD_CONSENT, as the host tests do), verifies
// it, unpacks it into global storage and links it into the installed extension.

/// <reference lib="dom" />
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { Page } from "playwright-core";
import { fileIntegrity } from "../../src/gpu/gpuPack";
import { ensureModel } from "../fixtures/models";
import { eventually } from "./support/eventually";
import { startCodeServer, type CodeServer } from "../../scripts/host/codeServer";
import { launchBrowser, openWorkbench, waitForWorkbench, type Browser } from "../../scripts/host/workbench";

const ROOT = path.resolve(__dirname, "../..");
const VSIX = process.env.SOLAR_PACKAGE_VSIX ?? path.join(ROOT, "packages/solar-complete-linux-x64.vsix");
const LLAMA_VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/node-llama-cpp/package.json"), "utf8")) as { version: string }).version;
const PACK = "@node-llama-cpp/linux-x64-cuda";

/** A package named like the CUDA pack, with its real entry module (the binaries are left out: no driver here). */
function packFakeCudaPackage(temp: string): string {
    const dir = path.join(temp, "cuda-package");
    fs.mkdirSync(path.join(dir, "dist"), { recursive: true });
    fs.mkdirSync(path.join(dir, "bins", "linux-x64-cuda"), { recursive: true });
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: PACK, version: LLAMA_VERSION, type: "module", exports: { ".": "./dist/index.js" } }));
    fs.copyFileSync(path.join(ROOT, "node_modules/@node-llama-cpp/linux-x64/dist/index.js"), path.join(dir, "dist/index.js"));
    fs.writeFileSync(path.join(dir, "bins", "linux-x64-cuda", "README.txt"), "stands in for the CUDA binaries\n");
    const packed = spawnSync("npm", ["pack", dir, "--json", "--pack-destination", temp], { encoding: "utf8" });
    assert.equal(packed.status, 0, packed.stderr);
    return path.join(temp, (JSON.parse(packed.stdout) as [{ filename: string }])[0].filename);
}

function findFiles(dir: string, match: (file: string) => boolean): string[] {
    return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile() && match(path.join(entry.parentPath, entry.name)))
        .map((entry) => path.join(entry.parentPath, entry.name));
}

describe("the CUDA GPU pack offer in the installed package (code-server + Chromium)", function () {
    this.timeout(180_000);
    let temp: string;
    let registry: http.Server;
    const requests: string[] = [];
    let server: CodeServer;
    let browser: Browser;
    let page: Page;

    before(async () => {
        temp = fs.mkdtempSync(path.join(os.tmpdir(), "solar-gpu-offer-"));
        const tarball = packFakeCudaPackage(temp);
        const integrity = await fileIntegrity(tarball);
        registry = http.createServer((req, res) => {
            requests.push(`${req.method} ${req.url}`);
            const base = `http://127.0.0.1:${(registry.address() as AddressInfo).port}`;
            if (req.url === `/${PACK.replace("/", "%2f")}/${LLAMA_VERSION}`) {
                res.end(JSON.stringify({ name: PACK, version: LLAMA_VERSION, dist: { tarball: `${base}/pack.tgz`, integrity } }));
            } else if (req.url === "/pack.tgz") {
                res.end(fs.readFileSync(tarball));
            } else {
                res.statusCode = 404;
                res.end();
            }
        });
        await new Promise<void>((resolve) => registry.listen(0, "127.0.0.1", resolve));

        const bin = path.join(temp, "bin");
        fs.mkdirSync(bin);
        fs.writeFileSync(path.join(bin, "nvidia-smi"), "#!/bin/sh\necho 'NVIDIA GeForce RTX 4090'\n", { mode: 0o755 });
        const workspace = path.join(temp, "workspace");
        fs.mkdirSync(workspace);
        server = await startCodeServer({
            installExtensions: [VSIX],
            env: {
                // Not PATH: the remote extension host takes PATH from the user's login shell.
                SOLAR_NVIDIA_SMI: path.join(bin, "nvidia-smi"),
                SOLAR_GPU_PACK_REGISTRY: `http://127.0.0.1:${(registry.address() as AddressInfo).port}`,
                SOLAR_DOWNLOAD_CONSENT: "always",
            },
            settings: { "solarComplete.modelPath": await ensureModel("tiny"), "solarComplete.gpu": "cpu" },
        });
        browser = await launchBrowser();
        page = await browser.newPage();
        await openWorkbench(page, server, { folder: workspace });
        await waitForWorkbench(page);
    });
    after(async () => {
        await browser?.close();
        await server?.stop();
        registry?.close();
        fs.rmSync(temp, { recursive: true, force: true });
    });

    it("offers CUDA in the status bar and the log, then installs and links the pack on a click", async () => {
        const item = page.locator(".statusbar-item:has(.codicon-cloud-download)");
        await item.waitFor({ timeout: 60_000 });
        await eventually("the status bar item to say CUDA", async () => (/CUDA/.test(await item.innerText()) ? true : undefined));
        // VS Code writes its log files asynchronously, some time after the status bar item shows.
        const logs = () => findFiles(server.userDataDir, (file) => file.endsWith(".log") && fs.readFileSync(file, "utf8").includes("CUDA available: install GPU pack?"));
        const offered = await eventually("the offer in the Solar Complete log", () => (logs().length > 0 ? logs() : undefined));
        assert.equal(offered.length, 1, `the offer is in one log file: ${offered.join(", ")}`);
        assert.deepEqual(requests, [], "nothing is fetched before the user asks");

        await item.click();
        await page.getByText("the CUDA GPU pack is installed").first().waitFor({ timeout: 60_000 });
        assert.deepEqual(requests, [`GET /${PACK.replace("/", "%2f")}/${LLAMA_VERSION}`, "GET /pack.tgz"]);

        const [installed] = fs.readdirSync(server.extensionsDir).filter((name) => name.startsWith("solar-complete.solar-complete-"));
        const link = path.join(server.extensionsDir, installed, "node_modules", ...PACK.split("/"));
        assert.ok(fs.lstatSync(link).isSymbolicLink(), `${link} is a link`);
        const target = fs.realpathSync(link);
        assert.ok(target.startsWith(fs.realpathSync(server.userDataDir)) && target.includes("globalStorage"), target);
        assert.equal((JSON.parse(fs.readFileSync(path.join(target, "package.json"), "utf8")) as { version: string }).version, LLAMA_VERSION);
        // The item is hidden just before the message is sent: both reach the workbench asynchronously.
        await item.waitFor({ state: "hidden", timeout: 30_000 });
    });
});
