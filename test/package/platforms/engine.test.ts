// Other platforms' packages, executed: the linux-arm64 .vsix under qemu (arm64 Node, through
// binfmt_misc, so node-llama-cpp's forked binary self-test runs emulated too) and the win32-x64 .vsix
// under wine64 (Windows Node 20). Each package is unpacked as VS Code installs it, and its own
// dist/worker.js runs its own node-llama-cpp and llama.cpp binaries, as an engine process (forked
// with the product's options, src/engine/transport.ts) and as a worker thread, driven through the
// engine protocol (scripts/platforms/engineDriver.ts) on the copy model: the exact completion the
// copy table predicts must come back, from that package's llama-addon.node.
// What they need is installed by `bash scripts/platforms/install.sh --wine` (.ci/run runs it);
// without it the tests fail and say so. `npm run test:platforms` runs just these.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { assertArm64Emulation, describeRun, directLauncher, platformNode, REPO_ROOT, runPackagedEngine, wineLauncher, type Launcher } from "../../../scripts/platforms/packagedEngine";
import type { EngineHost } from "../../../src/engine/transport";
import { expectedCompletion } from "../../fixtures/copy-table";
import { copyFixture, type CopyFixture } from "../../fixtures/models";

const PACKAGES = process.env.SOLAR_PACKAGES_DIR ?? path.join(REPO_ROOT, "packages");
const MAX_TOKENS = 16;
const HOSTS: readonly EngineHost[] = ["process", "thread"];

interface PlatformCase {
    readonly target: string;
    readonly how: string;
    readonly platform: NodeJS.Platform;
    readonly arch: string;
    /** Throws with what to install when this machine can't run the target. */
    readonly prepare: (work: string) => { launcher: Launcher; nodeVersion: string };
    /** The packaged addon's path as the launched Node reports it. */
    readonly addonPath: (work: string) => string;
}

const CASES: PlatformCase[] = [
    {
        target: "linux-arm64",
        how: "qemu-user-static, Node for arm64",
        platform: "linux",
        arch: "arm64",
        prepare: () => {
            assertArm64Emulation();
            const node = platformNode("linux-arm64");
            return { launcher: directLauncher(node.binary), nodeVersion: node.release.version };
        },
        addonPath: (work) => path.join(work, "extension/node_modules/@node-llama-cpp/linux-arm64/bins/linux-arm64/llama-addon.node"),
    },
    {
        target: "win32-x64",
        how: "wine64, Node for Windows",
        platform: "win32",
        arch: "x64",
        prepare: (work) => {
            if (!fs.existsSync("/usr/lib/wine/wine64")) throw new Error("wine64 is not installed: run `bash scripts/platforms/install.sh --wine` (.ci/run does)");
            const node = platformNode("win32-x64");
            return { launcher: wineLauncher(node.binary, path.join(work, "wine-prefix")), nodeVersion: node.release.version };
        },
        addonPath: (work) => `Z:${path.join(work, "extension/node_modules/@node-llama-cpp/win-x64/bins/win-x64/llama-addon.node").split("/").join("\\")}`,
    },
];

describe("other platforms' packages, executed", () => {
    let fixture: CopyFixture;
    let prompt: string;
    let expected: string;
    before(async function () {
        this.timeout(120_000);
        fixture = await copyFixture("copy", MAX_TOKENS);
        // A prompt of a few words, so the window, the prompt evaluation and generation all run.
        const cut = fixture.cutPoints.find((c) => c.tokenIndex >= 12 && c.reproduced >= MAX_TOKENS);
        assert.ok(cut, "a cut point with 12 prompt tokens and 16 reproduced ones");
        prompt = fixture.text.slice(0, cut.offset);
        // The engine's prompt is BOS + the text's tokens; the copy table says what greedy decoding adds.
        expected = expectedCompletion(fixture.vocab, fixture.table, [1, ...fixture.vocab.encode(prompt, { bos: false })], MAX_TOKENS).text;
        assert.ok(fixture.text.slice(cut.offset).startsWith(expected) && expected.trim().length > 20, JSON.stringify(expected));
    });

    for (const c of CASES) {
        describe(`the ${c.target} .vsix under ${c.how}`, function () {
            // Emulated and on a loaded 2-core machine: generous deadlines, and each engine step has its own.
            // Measured: a run takes 10 s on a quiet machine; with two CPU hogs beside the other work
            // (load average 8), 26-110 s, the longest step (an emulated model load) 97 s.
            this.timeout(600_000);
            let work: string;
            before(() => {
                work = fs.mkdtempSync(path.join(os.tmpdir(), `solar-${c.target}-`));
            });
            after(() => fs.rmSync(work, { recursive: true, force: true }));

            for (const host of HOSTS) {
                it(`runs its own llama.cpp in ${host === "process" ? "an engine process (the default)" : "a worker thread"} and completes the copy model's text exactly (${MAX_TOKENS} tokens)`, async () => {
                    const vsix = path.join(PACKAGES, `solar-complete-${c.target}.vsix`);
                    if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: run "npm run package" (npm run test:package does)`);
                    const dir = path.join(work, host);
                    // One wine prefix for both runs: creating one takes seconds.
                    const { launcher, nodeVersion } = c.prepare(work);
                    const run = await runPackagedEngine({
                        vsix, launcher, host, model: fixture.path, prompt, maxTokens: MAX_TOKENS,
                        stepTimeoutMs: 240_000, timeoutMs: 480_000, workDir: dir, keep: true,
                    });
                    const steps = run.report?.steps.map((s) => `${s.step} ${(s.ms / 1000).toFixed(1)} s`).join(", ");
                    console.log(`      ${c.target}, ${host}: ${(run.wallMs / 1000).toFixed(1)} s in all (${steps}); unpacking ${(run.unpackMs / 1000).toFixed(1)} s`);
                    assert.ok(run.report && !run.report.error && run.exitCode === 0, describeRun(run));
                    const { report } = run;
                    assert.deepEqual([report.platform, report.arch, report.node], [c.platform, c.arch, `v${nodeVersion}`], "the driver ran on the target's Node");
                    // Which binary the engine loaded, where the host can tell (not for a child process under wine).
                    if (report.addonsKnown || host === "thread" || c.platform === "linux") {
                        assert.deepEqual(report.loadedAddons, [c.addonPath(dir)], "llama.cpp came from the unpacked package");
                    }
                    assert.equal(report.info?.backend, "CPU, 1 thread");
                    assert.equal(report.result?.text, expected, describeRun(run));
                    assert.equal(report.result?.stats.stopReason, "maxTokens");
                    assert.equal(report.result?.stats.generatedTokens, MAX_TOKENS);
                    assert.deepEqual(report.steps.map((s) => s.step), ["start", "load", "complete", "stop"], "the engine stopped on the stop message");
                });
            }
        });
    }
});
