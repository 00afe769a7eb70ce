// Runs the engine of a packaged .vsix under another platform's Node: unpacks the package as VS Code
// would install it, bundles engineDriver.ts, and starts the driver through a launcher (arm64 Node
// directly, through qemu's binfmt_misc entry; Windows Node through wine64). Everything the launched
// process writes goes to files: under wine, Node fails on a pipe with EBADF.

import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as esbuild from "esbuild";
import { Zip } from "../package/zip";
import type { EngineHost } from "../../src/engine/transport";
import type { DriverInput, DriverReport } from "./engineDriver";

export const REPO_ROOT = path.resolve(__dirname, "../..");

interface NodeRelease {
    readonly package: string;
    readonly version: string;
    readonly binary: string;
}

export type ForeignPlatform = "linux-arm64" | "win32-x64";

const NODES = JSON.parse(fs.readFileSync(path.join(__dirname, "nodes.json"), "utf8")) as Record<ForeignPlatform, NodeRelease>;

/** Node for another platform, as scripts/platforms/install.sh put it in the cache; a clear error when it didn't. */
export function platformNode(platform: ForeignPlatform): { readonly binary: string; readonly release: NodeRelease } {
    const release = NODES[platform];
    const cache = process.env.SOLAR_PLATFORM_NODES ?? path.join(os.homedir(), ".cache/solar-complete/platform-node-v1");
    const dir = path.join(cache, `${release.package}-${release.version}`);
    if (!fs.existsSync(path.join(dir, ".complete"))) {
        throw new Error(`${release.package}@${release.version} is not installed in ${dir}: run \`bash scripts/platforms/install.sh${platform === "win32-x64" ? " --wine" : ""}\` (.ci/run does)`);
    }
    return { binary: path.join(dir, release.binary), release };
}

/** The checks qemu needs for an arm64 Node to start and to fork itself (node-llama-cpp's binary test). */
export function assertArm64Emulation(): void {
    const entry = "/proc/sys/fs/binfmt_misc/qemu-aarch64";
    const problems: string[] = [];
    if (!fs.existsSync("/usr/bin/qemu-aarch64-static")) problems.push("qemu-user-static is not installed");
    if (!fs.existsSync(entry)) problems.push(`${entry} is missing (binfmt_misc not mounted, or qemu-aarch64 not registered)`);
    else if (fs.readFileSync(entry, "utf8").split("\n")[0] !== "enabled") problems.push(`${entry} is disabled`);
    if (!fs.existsSync("/lib/ld-linux-aarch64.so.1")) problems.push("arm64 glibc (libc6:arm64) is not installed");
    if (problems.length > 0) throw new Error(`cannot run linux-arm64 code on this machine: ${problems.join("; ")}. Run \`bash scripts/platforms/install.sh\` (.ci/run does).`);
}

/** How to start a Node binary with arguments: the command line, its environment, and how it names host paths. */
export interface Launcher {
    readonly command: string;
    readonly args: (nodeArgs: string[]) => string[];
    readonly env: NodeJS.ProcessEnv;
    /** A host path as the launched Node sees it (wine: Z:\...). */
    readonly path: (hostPath: string) => string;
    /** Runs once the launched process has exited (wine: stop the prefix's wineserver). */
    readonly afterExit?: () => void;
}

export function directLauncher(node: string): Launcher {
    return { command: node, args: (nodeArgs) => nodeArgs, env: {}, path: (p) => p };
}

export function wineLauncher(node: string, prefix: string): Launcher {
    return {
        command: "/usr/lib/wine/wine64",
        args: (nodeArgs) => [node, ...nodeArgs],
        // Node 20 refuses Windows versions older than 10 without NODE_SKIP_PLATFORM_CHECK (wine 8 says 7).
        env: { WINEPREFIX: prefix, WINEDEBUG: "-all", NODE_SKIP_PLATFORM_CHECK: "1" },
        path: (p) => `Z:${p.split("/").join("\\")}`,
        // The wineserver outlives the last process by a few seconds; the prefix is about to be deleted.
        afterExit: () => void spawnSync("/usr/lib/wine/wineserver", ["-k"], { env: { ...process.env, WINEPREFIX: prefix }, stdio: "ignore", timeout: 30_000 }),
    };
}

export interface PackagedEngineRun {
    readonly report?: DriverReport;
    readonly exitCode: number | null;
    readonly signal: NodeJS.Signals | null;
    /** What the launched process printed (stdout and stderr), from its log file. */
    readonly output: string;
    readonly wallMs: number;
    readonly unpackMs: number;
    readonly timedOut: boolean;
}

export interface PackagedEngineOptions {
    readonly vsix: string;
    readonly launcher: Launcher;
    /** How the driver starts the package's engine: a child process (the product's default) or a worker thread. */
    readonly host: EngineHost;
    readonly model: string;
    readonly prompt: string;
    readonly maxTokens: number;
    /** Deadline for each engine step inside the driver. */
    readonly stepTimeoutMs: number;
    /** Deadline for the whole launched process; it is killed past it. */
    readonly timeoutMs: number;
    /** Where the package is unpacked and the files go; removed afterwards unless keep is set. */
    readonly workDir?: string;
    readonly keep?: boolean;
}

export async function runPackagedEngine(options: PackagedEngineOptions): Promise<PackagedEngineRun> {
    const work = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "solar-platform-"));
    fs.mkdirSync(work, { recursive: true });
    try {
        const unpackStarted = performance.now();
        const extension = path.join(work, "extension");
        new Zip(options.vsix).extract("extension/", extension);
        const unpackMs = performance.now() - unpackStarted;

        const driver = path.join(work, "engine-driver.js");
        await esbuild.build({
            entryPoints: [path.join(__dirname, "engineDriver.ts")], outfile: driver,
            // node-llama-cpp is the package's own, loaded by its worker.js; the driver never imports it.
            bundle: true, platform: "node", format: "cjs", target: "node20", logLevel: "error", external: ["node-llama-cpp"],
        });
        const { launcher } = options;
        const out = path.join(work, "report.json");
        const input: DriverInput = {
            worker: launcher.path(path.join(extension, "dist", "worker.js")),
            host: options.host,
            model: launcher.path(options.model),
            prompt: options.prompt,
            maxTokens: options.maxTokens,
            threads: 1,
            stepTimeoutMs: options.stepTimeoutMs,
            out: launcher.path(out),
        };
        const inputFile = path.join(work, "input.json");
        fs.writeFileSync(inputFile, JSON.stringify(input));
        const logFile = path.join(work, "output.log");
        const log = fs.openSync(logFile, "w");
        const started = performance.now();
        let timedOut = false;
        const { exitCode, signal } = await new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
            const child = spawn(launcher.command, launcher.args([launcher.path(driver), launcher.path(inputFile)]), {
                cwd: work, stdio: ["ignore", log, log], env: { ...process.env, ...launcher.env },
            });
            const timer = setTimeout(() => {
                timedOut = true;
                child.kill("SIGKILL");
            }, options.timeoutMs);
            child.once("error", (error) => {
                clearTimeout(timer);
                reject(error);
            });
            child.once("exit", (code, sig) => {
                clearTimeout(timer);
                resolve({ exitCode: code, signal: sig });
            });
        });
        fs.closeSync(log);
        launcher.afterExit?.();
        const wallMs = performance.now() - started;
        const report = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, "utf8")) as DriverReport : undefined;
        return { report, exitCode, signal, output: fs.readFileSync(logFile, "utf8"), wallMs, unpackMs, timedOut };
    } finally {
        if (!options.keep) fs.rmSync(work, { recursive: true, force: true });
    }
}

/** One paragraph for an assertion message: how the run ended, the report's error, the tail of its output. */
export function describeRun(run: PackagedEngineRun): string {
    const ending = run.timedOut ? "was killed at its deadline" : `exited with ${run.exitCode ?? run.signal}`;
    return [
        `the driver ${ending} after ${(run.wallMs / 1000).toFixed(1)} s`,
        run.report ? `report: ${run.report.error ?? "no error"}; steps ${JSON.stringify(run.report.steps)}` : "no report was written",
        run.report?.logs.length ? `engine log:\n${run.report.logs.join("\n")}` : "",
        run.report?.stderr.trim() ? `engine stderr:\n${run.report.stderr.trim().slice(-4000)}` : "",
        run.output.trim() ? `output:\n${run.output.trim().slice(-4000)}` : "",
    ].filter(Boolean).join("\n");
}
