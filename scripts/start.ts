// `npm start`: the main job. Builds the extension and opens it in a real VS Code on demo/: the
// desktop `code` when one is installed and a display is there, otherwise the offline code-server
// the tests use, printing the 127.0.0.1 URL to open. Ctrl+C stops everything.
//
// SOLAR_MODEL=/path/to/model.gguf picks the model; without it a generated copy model that continues
// demo/inventory.ts is used, so the demo works offline on any machine.
// SOLAR_START_HOST=code-server (or desktop) overrides the choice of editor; PORT the code-server port.

import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensureModel } from "../test/fixtures/models";
import { REPO_ROOT, startCodeServer, writeUserSettings } from "./host/codeServer";
import { isPortFree, preferredPort } from "./start/port";

const DEMO = path.join(REPO_ROOT, "demo");
const DEMO_FILE = path.join(DEMO, "inventory.ts");
const TRY_IT = "Try it: in inventory.ts click at the end of line 4 (`const stockBySku = new Map();`), press Enter and type\n  `const`: grey ghost text continues the function; Tab accepts it, Ctrl+Right one word. More in demo/README.md.";

async function main(): Promise<void> {
    console.log("Building the extension (node scripts/build.mjs)…");
    const build = spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts/build.mjs"), "--quiet"], { stdio: "inherit" });
    if (build.status !== 0) throw new Error("the build failed");

    const settings = { "solarComplete.modelPath": await chooseModel() };
    const code = desktopCode();
    if (code) await runDesktop(code, settings);
    else await runCodeServer(settings);
}

async function chooseModel(): Promise<string> {
    const own = process.env.SOLAR_MODEL;
    if (own) {
        const model = path.resolve(own);
        if (!fs.statSync(model, { throwIfNoEntry: false })?.isFile()) throw new Error(`SOLAR_MODEL=${own}: no such file`);
        console.log(`Model: ${model} (from SOLAR_MODEL)`);
        return model;
    }
    const model = await ensureModel("copy-code"); // built into ~/.cache/solar-complete on first use, ~1 s
    console.log(`Model: ${model}`);
    console.log("  a small generated \"copy model\" that knows one text: it continues demo/inventory.ts, offline, on any machine.");
    console.log("  For real completions: SOLAR_MODEL=/path/to/solar-10.7b-v1.0.Q4_K_M.gguf npm start");
    return model;
}

/** The desktop VS Code CLI, when there is one and a display to show it on. */
function desktopCode(): string | undefined {
    const forced = process.env.SOLAR_START_HOST;
    if (forced === "code-server") return undefined;
    const headless = Boolean(process.env.CI) || (process.platform === "linux" && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY);
    if (headless && forced !== "desktop") return undefined;
    const found = spawnSync(process.platform === "win32" ? "where" : "which", ["code"], { encoding: "utf8" });
    const code = found.status === 0 ? found.stdout.split(/\r?\n/)[0].trim() : "";
    if (!code && forced === "desktop") throw new Error("SOLAR_START_HOST=desktop, but no `code` on PATH");
    return code || undefined;
}

/**
 * Desktop VS Code has no flag for settings, so the demo gets a profile of its own: our settings
 * (machine-scoped ones included: on the desktop they are read from User/settings.json) and none of
 * the user's. --disable-extensions keeps other inline-completion extensions (Copilot) from competing;
 * the extension under development still loads.
 */
async function runDesktop(code: string, settings: Record<string, unknown>): Promise<void> {
    const profile = path.join(os.homedir(), ".cache", "solar-complete", "start-profile");
    writeUserSettings(profile, settings);
    console.log(`Opening desktop VS Code (${code}) on ${DEMO}, profile ${profile}.`);
    console.log(TRY_IT);
    console.log("Close that window to finish.");
    const args = ["--wait", "--new-window", "--disable-extensions", `--user-data-dir=${profile}`, `--extensionDevelopmentPath=${REPO_ROOT}`, DEMO, DEMO_FILE];
    // On Windows `code` is code.cmd, which only runs through a shell: quote the paths for it.
    const windows = process.platform === "win32";
    const child = spawn(code, windows ? args.map((arg) => `"${arg}"`) : args, { stdio: "inherit", shell: windows });
    const exitCode = await new Promise<number>((resolve) => child.once("exit", (status) => resolve(status ?? 1)));
    if (exitCode !== 0) throw new Error(`${code} exited with ${exitCode}`);
}

async function runCodeServer(settings: Record<string, unknown>): Promise<void> {
    const wanted = preferredPort();
    const free = await isPortFree(wanted);
    console.log(`Starting code-server (VS Code in the browser) on 127.0.0.1:${free ? wanted : "<free port>"}; the first run installs it (~2 min).`);
    if (!free) console.log(`  port ${wanted} is taken, so the OS picks a free one (PORT=… npm start to choose).`);
    const server = await startCodeServer({
        settings,
        // startCodeServer binds 127.0.0.1:0; code-server lets $PORT override that port (cli.ts
        // bindAddrFromArgs). Without it the OS picks a free port. CODE_SERVER_HOST would move the host.
        env: { PORT: free ? String(wanted) : undefined, CODE_SERVER_HOST: undefined },
    });
    // code-server takes the extension under development only through the workbench URL's payload
    // (as scripts/host/workbench.ts does); openFile opens the demo file at once.
    const payload = JSON.stringify([
        ["extensionDevelopmentPath", server.remoteUri(REPO_ROOT)],
        ["openFile", server.remoteUri(DEMO_FILE)],
    ]);
    const url = `${server.url}/?${new URLSearchParams({ folder: DEMO, payload })}`;
    console.log(`\ncode-server is running. Open this URL in a browser on this machine:\n\n  ${url}\n`);
    console.log(`(From another machine: ssh -L ${server.authority.split(":")[1]}:${server.authority} <this host>, then the same URL.)`);
    console.log(TRY_IT);
    console.log("Ctrl+C stops code-server.");

    // A terminal's Ctrl+C reaches this process more than once (from the terminal, relayed by npm and
    // tsx): keep handling it until the server is down, or a second one would kill us mid-stop.
    let requested: (why: string) => void = () => undefined;
    const stopRequested = new Promise<string>((resolve) => (requested = resolve));
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => requested(signal));
    const died = server.exited.then((how) => `code-server ended by itself (${how})`);
    const why = await Promise.race([stopRequested, died]);
    console.log(`\nStopping code-server (${why})…`);
    await server.stop();
    if (why.startsWith("code-server")) throw new Error(`code-server stopped unexpectedly. Its last output:\n${server.logTail()}`);
    console.log("Stopped.");
}

if (!fs.existsSync(DEMO_FILE)) throw new Error(`${DEMO_FILE} is missing`);
main().then(
    () => process.exit(0),
    (error: unknown) => {
        console.error(`npm start: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
    },
);
