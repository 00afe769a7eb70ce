// Starts a throwaway code-server (VS Code 1.139.1's real workbench and Node extension host) for
// tests. Every run gets fresh config, user-data, extensions and XDG folders in one temp folder, so
// nothing leaks into ~ or between runs. Facts behind each flag: /work/shared/notes/vscode-host.md.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";

export const REPO_ROOT = path.resolve(__dirname, "../..");

export interface HostInstall {
    readonly root: string;
    readonly node: string;
    readonly codeServer: string;
}

/** Runs the idempotent installer (a no-op when the cache is complete) and returns its paths. */
export function ensureHostInstalled(): HostInstall {
    const result = spawnSync("bash", [path.join(__dirname, "install.sh")], { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
    if (result.status !== 0) throw new Error(`scripts/host/install.sh failed (exit ${result.status ?? result.signal})`);
    const root = result.stdout.trim().split("\n").pop()!;
    return { root, node: path.join(root, "node/bin/node"), codeServer: path.join(root, "code-server/node_modules/code-server/out/node/entry.js") };
}

/** Keeps anything from stealing Tab or focus from the editor under test. */
export const DEFAULT_SETTINGS: Readonly<Record<string, unknown>> = {
    "editor.quickSuggestions": { other: false, comments: false, strings: false },
    "editor.suggestOnTriggerCharacters": false,
    "editor.inlineSuggest.enabled": true,
    "workbench.startupEditor": "none",
    "workbench.welcomePage.walkthroughs.openOnInstall": false,
    "workbench.tips.enabled": false,
    "chat.disableAIFeatures": true,
    "chat.commandCenter.enabled": false,
    "workbench.secondarySideBar.defaultVisibility": "hidden", // the chat view would open there
    "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false,
    "extensions.ignoreRecommendations": true,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "security.workspace.trust.enabled": false,
    "files.autoSave": "off",
};

/**
 * Writes DEFAULT_SETTINGS overlaid with `settings` as both user and machine settings. A code-server
 * page is a remote window: machine-scoped settings (such as `solarComplete.modelPath`) in User/
 * arrive only when the workbench reads them before the extension's schema marks them machine-scoped
 * (2 runs in 6 here); Machine/settings.json always applies them (5 in 5). Application-scoped ones
 * come only from User/. The smoke test checks that they arrive.
 */
export function writeUserSettings(userDataDir: string, settings: Record<string, unknown> = {}): void {
    const json = JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 4);
    for (const scope of ["User", "Machine"]) {
        fs.mkdirSync(path.join(userDataDir, scope), { recursive: true });
        fs.writeFileSync(path.join(userDataDir, scope, "settings.json"), json);
    }
}

export interface CodeServerOptions {
    /** From ensureHostInstalled(); installs on demand when left out. */
    install?: HostInstall;
    /** Added to code-server's environment, which the extension host inherits (`undefined` removes a variable). */
    env?: Record<string, string | undefined>;
    /** User settings on top of DEFAULT_SETTINGS, e.g. `{"solarComplete.modelPath": "/m.gguf"}`. */
    settings?: Record<string, unknown>;
    /** .vsix files installed into the fresh extensions folder before the server starts. */
    installExtensions?: string[];
    /** Also receives code-server's own log lines (always kept for logTail()). */
    log?: (line: string) => void;
    /** Keep the temp folder after stop() for a post-mortem. Default: SOLAR_HOST_KEEP=1. */
    keepTemp?: boolean;
}

export interface CodeServer {
    /** e.g. http://127.0.0.1:41234 (no trailing slash). */
    readonly url: string;
    /** host:port, which must also be the authority of every vscode-remote:// URI. */
    readonly authority: string;
    readonly tempDir: string;
    readonly userDataDir: string;
    readonly extensionsDir: string;
    /** `vscode-remote://<authority><absPath>`: how the workbench names a file on this server. */
    remoteUri(absPath: string): string;
    /** Settles when code-server's main process ends, with how it ended: a runner can stop waiting then. */
    readonly exited: Promise<string>;
    /** code-server's last log lines, for failure reports (the extension host's console goes to the browser). */
    logTail(): string;
    /** Stops the whole process group (server, extension host, pty host). Safe to call twice. */
    stop(): Promise<void>;
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
    const install = options.install ?? ensureHostInstalled();
    const { tempDir, userDataDir, extensionsDir, configFile } = makeServerDirs(options.settings);
    const env = serverEnv(tempDir, options.env);
    const common = ["--config", configFile, "--user-data-dir", userDataDir, "--extensions-dir", extensionsDir];
    const keepTemp = options.keepTemp ?? process.env.SOLAR_HOST_KEEP === "1";
    const removeTemp = () => keepTemp || fs.rmSync(tempDir, { recursive: true, force: true });
    installVsixes(install, common, env, options.installExtensions ?? [], removeTemp);

    const child = spawnServer(install, common, env);
    const exited = new Promise<string>((resolve) => child.once("exit", (code, signal) => resolve(`exit ${code ?? signal}`)));
    const unguard = guardProcessEnd(() => {
        killGroup(child, "SIGKILL");
        removeTemp();
    });
    let stopped: Promise<void> | undefined;
    const stop = () => (stopped ??= (async () => {
        unguard();
        await stopGroup(child);
        removeTemp();
    })());
    const { logLines, logTail } = followLog(child, options.log);

    try {
        const url = await waitForListening(child, logLines, logTail);
        const authority = new URL(url).host;
        return {
            url, authority, tempDir, userDataDir, extensionsDir, exited, stop, logTail,
            remoteUri: (absPath) => `vscode-remote://${authority}${absPath.split(path.sep).map(encodeURIComponent).join("/")}`,
        };
    } catch (error) {
        await stop();
        throw error;
    }
}

/** One fresh temp folder per run, holding the config (no auth, no TLS), user data and extensions. */
function makeServerDirs(settings: Record<string, unknown> | undefined): { tempDir: string; userDataDir: string; extensionsDir: string; configFile: string } {
    const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "solar-host-"));
    const userDataDir = path.join(tempDir, "user-data");
    const extensionsDir = path.join(tempDir, "extensions");
    fs.mkdirSync(extensionsDir);
    const configFile = path.join(tempDir, "config.yaml");
    fs.writeFileSync(configFile, "auth: none\ncert: false\n");
    writeUserSettings(userDataDir, settings);
    return { tempDir, userDataDir, extensionsDir, configFile };
}

/** Installs each .vsix into the fresh extensions folder before the server starts; a failure removes the temp folder. */
function installVsixes(install: HostInstall, common: readonly string[], env: NodeJS.ProcessEnv, vsixes: readonly string[], removeTemp: () => void): void {
    for (const vsix of vsixes) {
        const result = spawnSync(install.node, [install.codeServer, ...common, "--install-extension", path.resolve(vsix)], { env, encoding: "utf8" });
        if (result.status === 0) continue;
        removeTemp();
        throw new Error(`installing ${vsix} failed:\n${result.stdout}${result.stderr}`);
    }
}

/** code-server on a free local port, in its own process group, with auth, telemetry, update checks, trust and welcome pages off. */
function spawnServer(install: HostInstall, common: readonly string[], env: NodeJS.ProcessEnv): ChildProcess {
    return spawn(install.node, [
        install.codeServer, ...common,
        "--bind-addr", "127.0.0.1:0", // the OS picks a free port; code-server logs which
        "--auth", "none",
        "--disable-telemetry",
        "--disable-update-check",
        "--disable-workspace-trust",
        "--disable-getting-started-override",
        "--ignore-last-opened",
        // Without it the built workbench silently ignores extensionDevelopmentPath/extensionTestsPath.
        "--vscode-option", "enable-smoke-test-driver",
    ], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] }); // detached = own process group
}

/** code-server's output as lines: passed to `log`, announced on `logLines`, the last 300 kept for logTail(). */
function followLog(child: ChildProcess, log: ((line: string) => void) | undefined): { logLines: EventEmitter<{ line: [string] }>; logTail: () => string } {
    const lines: string[] = [];
    const logTail = () => lines.join("\n");
    const logLines = new EventEmitter<{ line: [string] }>();
    // Read both pipes for the whole run: a full pipe would block code-server.
    for (const stream of [child.stdout!, child.stderr!]) {
        readline.createInterface({ input: stream }).on("line", (line) => {
            log?.(line);
            if (lines.push(line) > 300) lines.shift();
            logLines.emit("line", line);
        });
    }
    return { logLines, logTail };
}

/** code-server and the extension host it forks share this environment. */
function serverEnv(tempDir: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    // A VS Code terminal's hooks would make code-server talk to that VS Code; tsx's loader flags
    // must not reach Node 24.
    for (const key of Object.keys(env)) if (key.startsWith("VSCODE_") || key === "NODE_OPTIONS" || key === "ELECTRON_RUN_AS_NODE") delete env[key];
    for (const [key, sub] of [["XDG_CONFIG_HOME", "xdg-config"], ["XDG_DATA_HOME", "xdg-data"], ["XDG_CACHE_HOME", "xdg-cache"]]) {
        env[key] = path.join(tempDir, sub);
        fs.mkdirSync(env[key]!, { recursive: true });
    }
    for (const [key, value] of Object.entries(extra)) {
        if (value === undefined) delete env[key];
        else env[key] = value;
    }
    return env;
}

function waitForListening(child: ChildProcess, logLines: EventEmitter<{ line: [string] }>, logTail: () => string, timeoutMs = 60_000): Promise<string> {
    return new Promise((resolve, reject) => {
        const done = () => {
            clearTimeout(timer);
            logLines.off("line", onLine);
            child.off("exit", onExit);
        };
        const fail = (why: string) => {
            done();
            reject(new Error(`code-server ${why}. Its output:\n${logTail()}`));
        };
        const onLine = (line: string) => {
            const match = /HTTP server listening on (http:\/\/[^/\s]+)/.exec(line);
            if (!match) return;
            done();
            resolve(match[1]);
        };
        const onExit = (code: number | null, signal: string | null) => fail(`exited early (${code ?? signal})`);
        const timer = setTimeout(() => fail(`did not start within ${timeoutMs} ms`), timeoutMs);
        logLines.on("line", onLine);
        child.on("exit", onExit);
        child.once("error", (error) => fail(`failed to spawn: ${error.message}`));
    });
}

/**
 * Runs `cleanup` (synchronously) however this process ends: code-server lives in its own process
 * group, so nothing else would stop it. 'exit' covers normal ends and process.exit(); a signal
 * nobody else handles ends the process without 'exit', so that one is handled here and re-raised.
 * Returns the function that removes the guard.
 */
function guardProcessEnd(cleanup: () => void): () => void {
    const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
    const onSignal = (signal: NodeJS.Signals) => {
        if (process.listenerCount(signal) > 1) return; // the other handler decides, and 'exit' follows
        unguard();
        cleanup();
        process.kill(process.pid, signal);
    };
    const unguard = () => {
        process.off("exit", cleanup);
        for (const signal of signals) process.off(signal, onSignal);
    };
    process.on("exit", cleanup);
    for (const signal of signals) process.on(signal, onSignal);
    return unguard;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
    try {
        process.kill(-child.pid!, signal);
    } catch {
        // ESRCH: the whole group is gone already.
    }
}

/** SIGTERM lets code-server stop its children; SIGKILL afterwards catches whatever lingers. */
async function stopGroup(child: ChildProcess, graceMs = 5_000): Promise<void> {
    if (child.pid === undefined) return;
    const exited = child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((resolve) => child.once("exit", () => resolve()));
    killGroup(child, "SIGTERM");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    killGroup(child, "SIGKILL");
}
