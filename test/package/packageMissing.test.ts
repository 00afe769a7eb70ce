// `npm run package` must fail, not skip, when a target's binary packages can't be had at
// node-llama-cpp's version. Here the registry (npm_config_registry) is a loopback server that knows
// no package, and the tarball cache is an empty folder: the darwin-x64 target then has neither
// @node-llama-cpp/mac-x64 nor @reflink/reflink-darwin-x64 (neither is installed on Linux).

import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const LLAMA_VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/node-llama-cpp/package.json"), "utf8")) as { version: string }).version;
const REFLINK_VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/@reflink/reflink/package.json"), "utf8")) as { optionalDependencies: Record<string, string> }).optionalDependencies["@reflink/reflink-darwin-x64"];

function runPackager(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(path.join(ROOT, "node_modules/.bin/tsx"), ["scripts/package/package.ts", ...args], { cwd: ROOT, env: { ...process.env, ...env } });
        let output = "";
        child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.once("error", reject);
        child.once("close", (code) => resolve({ code, output }));
    });
}

describe("npm run package without a target's binary packages", function () {
    this.timeout(120_000);
    let temp: string;
    let registry: http.Server;
    const requests: string[] = [];
    before(async () => {
        temp = fs.mkdtempSync(path.join(os.tmpdir(), "solar-package-missing-"));
        registry = http.createServer((req, res) => {
            requests.push(`${req.method} ${req.url}`);
            res.statusCode = 404;
            res.setHeader("content-type", "application/json");
            res.end(JSON.stringify({ error: "Not found" }));
        });
        await new Promise<void>((resolve) => registry.listen(0, "127.0.0.1", resolve));
    });
    after(() => {
        registry?.close();
        fs.rmSync(temp, { recursive: true, force: true });
    });

    it("fails before building anything, naming each missing package and the version it must have", async () => {
        const vsix = path.join(ROOT, "packages/solar-complete-darwin-x64.vsix");
        const before = fs.existsSync(vsix) ? fs.statSync(vsix).mtimeMs : undefined;
        const { code, output } = await runPackager(["--target", "darwin-x64"], {
            SOLAR_NPM_BINARIES: path.join(temp, "empty-cache"),
            npm_config_registry: `http://127.0.0.1:${(registry.address() as AddressInfo).port}/`,
            npm_config_fetch_retries: "0",
        });
        assert.equal(code, 1, output);
        assert.match(output, /\[package\] error: cannot package darwin-x64: node-llama-cpp \d+\.\d+\.\d+ needs binary packages of exactly its own version/);
        assert.ok(output.includes(`darwin-x64: @node-llama-cpp/mac-x64@${LLAMA_VERSION} (E404`), output);
        assert.ok(output.includes(`darwin-x64: @reflink/reflink-darwin-x64@${REFLINK_VERSION} (E404`), output);
        assert.match(output, /nothing was built/);
        assert.doesNotMatch(output, /skipped|at .*package\.ts:\d+/, "a message, not a skip or a stack trace");
        assert.ok(requests.some((r) => r.includes("mac-x64")), `asked the registry: ${requests.join(", ")}`);
        assert.equal(fs.existsSync(vsix) ? fs.statSync(vsix).mtimeMs : undefined, before, "the existing darwin-x64 package is untouched");
        assert.deepEqual(fs.readdirSync(path.join(temp, "empty-cache")), [], "nothing cached");
    });

    it("refuses an unknown target or option instead of building something else", async () => {
        const unknownTarget = await runPackager(["--target", "linux-riscv64"], {});
        assert.equal(unknownTarget.code, 1);
        assert.match(unknownTarget.output, /\[package\] error: unknown target linux-riscv64; known: linux-x64, linux-arm64, darwin-arm64, darwin-x64, win32-x64/);
        const unknownOption = await runPackager(["--skip-missing"], {});
        assert.equal(unknownOption.code, 1);
        assert.match(unknownOption.output, /\[package\] error: unknown argument --skip-missing/);
    });
});
