// Runs the extension-host suite (test/host/suite, bundled by scripts/build-tests.mjs) and sets up
// what it expects from whichever runner starts it: a fresh copy of the demo workspace, and env vars
// telling the tests what the runner set up. run-tests.ts (code-server) and run-electron.ts
// (@vscode/test-electron) both build on this.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensureHostInstalled, REPO_ROOT, startCodeServer, type CodeServer } from "./codeServer";
import { launchBrowser, openWorkbench, type Browser } from "./workbench";

/** Prefixes the suite's console lines (test/host/suite/index.ts) so the code-server runner can find them. */
export const CONSOLE_TAG = "[host-suite] ";
export const SUITE_INDEX = path.join(REPO_ROOT, "dist/test/host/suite/index.js");
const WORKSPACE_TEMPLATE = path.join(REPO_ROOT, "test/host/workspace");
/**
 * A machine-scoped setting every run writes, so the smoke test proves such settings arrive (as a
 * model path will). It must not change behaviour: more threads than cores makes llama.cpp crawl.
 */
const PROBE_SETTINGS = { "solarComplete.gpu": "cpu" };

/** A fresh copy of test/host/workspace: tests may edit and save files in it. */
export function makeWorkspace(): string {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "solar-workspace-"));
    fs.cpSync(WORKSPACE_TEMPLATE, workspace, { recursive: true });
    return workspace;
}

export function requireBuiltSuite(): void {
    if (!fs.existsSync(SUITE_INDEX)) throw new Error(`${SUITE_INDEX} is missing: run "node scripts/build-tests.mjs" (npm run test:host does).`);
    if (!fs.existsSync(path.join(REPO_ROOT, "dist/extension.js"))) throw new Error(`dist/extension.js is missing: run "npm run build".`);
}

/** Env vars and user settings for one run; SOLAR_HOST_SETTINGS repeats the settings for the smoke test to check. */
export function suiteEnvironment(workspace: string, runner: "code-server" | "electron", extra: Pick<HostSuiteOptions, "env" | "settings"> = {}) {
    const settings = { ...PROBE_SETTINGS, ...extra.settings };
    return {
        settings,
        env: {
            SOLAR_HOST_RUNNER: runner,
            SOLAR_HOST_WORKSPACE: workspace,
            SOLAR_HOST_SETTINGS: JSON.stringify(settings),
            // Only the browser console needs it; in test-electron the host's console is the terminal.
            SOLAR_HOST_CONSOLE_TAG: runner === "code-server" ? CONSOLE_TAG : undefined,
            ...extra.env,
        },
    };
}

export interface HostSuiteOptions {
    /**
     * Loaded as the extension under development. Default: the repo. `null` tests what
     * installExtensions installed: a stub extension stands in, since VS Code only runs
     * extensionTestsPath in an extension development host.
     */
    extensionDevelopmentPath?: string | null;
    /** .vsix files installed into the fresh extensions folder first (a packaging test). */
    installExtensions?: string[];
    /** Extra env vars for the extension host: model paths, result files. */
    env?: Record<string, string | undefined>;
    /** Extra user settings, e.g. a machine-scoped `solarComplete.modelPath`. */
    settings?: Record<string, unknown>;
    /** Limit for the suite once the workbench is open. Default 300 s. */
    timeoutMs?: number;
    /** Print the workbench's console and code-server's log too, not only the suite's report. */
    verbose?: boolean;
    /** Stops the run (exit code 130) with the usual cleanup, e.g. on Ctrl+C; its owner handles the signals. */
    signal?: AbortSignal;
}

/** Runs the suite in code-server's Node extension host. Resolves to its exit code (0 = passed, 124 = timed out, 130 = aborted). */
export async function runSuiteInCodeServer(options: HostSuiteOptions = {}): Promise<number> {
    const started = Date.now();
    const say = (message: string) => console.log(`[host ${((Date.now() - started) / 1000).toFixed(1)} s] ${message}`);
    const timeoutMs = options.timeoutMs ?? 300_000;
    requireBuiltSuite();
    const install = ensureHostInstalled();
    const workspace = makeWorkspace();
    const suite = suiteEnvironment(workspace, "code-server", options);
    const settings = suite.settings;
    // Lets the smoke test check that the installed package, not the repository, is under test.
    const env = { ...suite.env, SOLAR_HOST_EXTENSION: options.extensionDevelopmentPath === null ? "installed" : "development" };
    const developmentPath = options.extensionDevelopmentPath === null ? makeStubExtension() : (options.extensionDevelopmentPath ?? REPO_ROOT);
    let server: CodeServer | undefined;
    let browser: Browser | undefined;
    try {
        server = await startCodeServer({
            install, env, settings,
            installExtensions: options.installExtensions,
            log: options.verbose ? (line) => console.log(`[code-server] ${line}`) : undefined,
        });
        say(`code-server at ${server.url}`);
        browser = await launchBrowser({ handleSignals: !options.signal });
        const page = await browser.newPage();
        const workbench = await openWorkbench(page, server, {
            folder: workspace,
            extensionDevelopmentPath: developmentPath,
            extensionTestsPath: SUITE_INDEX,
            onConsole: (line) => {
                // The suite's lines carry CONSOLE_TAG; the rest is the workbench's own chatter.
                const tagAt = line.indexOf(CONSOLE_TAG);
                if (tagAt >= 0) console.log(line.slice(tagAt + CONSOLE_TAG.length));
                else if (options.verbose) console.log(`[workbench] ${line}`);
            },
        });
        say("workbench opened; running the suite");
        const timedOut = new Promise<number>((resolve) => setTimeout(resolve, timeoutMs, 124).unref());
        const aborted = new Promise<number>((resolve) => {
            if (options.signal?.aborted) resolve(130);
            options.signal?.addEventListener("abort", () => resolve(130));
        });
        const serverDied = server.exited.then((how) => `code-server ended early (${how})`);
        const outcome = await Promise.race([workbench.exitCode, timedOut, aborted, serverDied]);
        const code = typeof outcome === "string" ? 1 : outcome;
        if (typeof outcome === "string") say(outcome);
        if (code === 124) say(`timed out after ${timeoutMs} ms`);
        if (code !== 0 && code !== 130) {
            const shot = path.join(os.tmpdir(), `solar-host-failure-${Date.now()}.png`);
            await page.screenshot({ path: shot }).then(() => say(`screenshot: ${shot}`), () => undefined);
            if (!options.verbose) console.log(`[code-server log tail]\n${server.logTail()}`);
        }
        say(code === 0 ? "suite passed" : `suite failed (exit ${code})`);
        return code;
    } finally {
        await browser?.close();
        await server?.stop();
        fs.rmSync(workspace, { recursive: true, force: true });
        if (options.extensionDevelopmentPath === null) fs.rmSync(developmentPath, { recursive: true, force: true });
    }
}

/** An empty extension with its own id, so the installed solar-complete is the one that loads. */
function makeStubExtension(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "solar-stub-extension-"));
    const manifest = { name: "host-test-stub", publisher: "solar-complete-tests", version: "0.0.0", engines: { vscode: "*" } };
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(manifest));
    return dir;
}
