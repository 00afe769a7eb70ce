// `npm start`: the main job. Builds the extension and opens it in a real VS Code on demo/: the
// desktop `code` when one is installed and a display is there, otherwise the offline code-server
// the tests use, printing the 127.0.0.1 URL to open. Ctrl+C stops everything.
//
// SOLAR_MODEL=/path/to/model.gguf picks the model; without it a generated copy model that continues
// demo/inventory.ts is used, so the demo works offline on any machine.

import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensureModel } from "../test/fixtures/models";
import { REPO_ROOT, startCodeServer, writeUserSettings } from "./host/codeServer";

const DEMO = path.join(REPO_ROOT, "demo");

async function main(): Promise<void> {
    const build = spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts/build.mjs"), "--quiet"], { stdio: "inherit" });
    if (build.status !== 0) throw new Error("the build failed");

    const model = process.env.SOLAR_MODEL ? path.resolve(process.env.SOLAR_MODEL) : await ensureModel("copy-code");
    console.log(`Model: ${model}`);
    if (!process.env.SOLAR_MODEL) {
        console.log("  (a small generated model that continues demo/inventory.ts; run `SOLAR_MODEL=/path/to/solar.gguf npm start` for real Solar)");
    }
    const settings = { "solarComplete.modelPath": model };

    const code = desktopCode();
    if (code) await runDesktop(code, settings);
    else await runCodeServer(settings);
}

/** The desktop VS Code CLI, when there is one and a display to show it on. */
function desktopCode(): string | undefined {
    if (process.env.CI || (process.platform === "linux" && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)) return undefined;
    const found = spawnSync(process.platform === "win32" ? "where" : "which", ["code"], { encoding: "utf8" });
    return found.status === 0 ? found.stdout.split(/\r?\n/)[0].trim() || undefined : undefined;
}

/** A profile of its own, so the settings below (and nothing of the user's) apply to the demo. */
async function runDesktop(code: string, settings: Record<string, unknown>): Promise<void> {
    const profile = path.join(os.homedir(), ".cache", "solar-complete", "start-profile");
    writeUserSettings(profile, settings);
    console.log(`Opening desktop VS Code (${code}) on ${DEMO}; close the window to finish.`);
    const child = spawn(code, ["--wait", "--new-window", `--user-data-dir=${profile}`, `--extensionDevelopmentPath=${REPO_ROOT}`, DEMO], { stdio: "inherit" });
    await new Promise((resolve) => child.once("exit", resolve));
}

async function runCodeServer(settings: Record<string, unknown>): Promise<void> {
    console.log("No desktop VS Code here: starting code-server (installed on first use, ~2 min).");
    const server = await startCodeServer({ settings });
    // code-server takes the extension under development only through the workbench URL's payload.
    const payload = JSON.stringify([
        ["extensionDevelopmentPath", server.remoteUri(REPO_ROOT)],
        ["openFile", server.remoteUri(path.join(DEMO, "inventory.ts"))],
    ]);
    const url = `${server.url}/?${new URLSearchParams({ folder: DEMO, payload })}`;
    console.log(`\nOpen this URL in a browser on this machine:\n\n  ${url}\n\nCtrl+C stops code-server.`);
    const stopped = new Promise<string>((resolve) => {
        for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve(signal));
    });
    const why = await Promise.race([stopped, server.exited]);
    console.log(`\nStopping (${why})…`);
    await server.stop();
}

if (!fs.existsSync(DEMO)) throw new Error(`${DEMO} is missing`);
main().then(
    () => process.exit(0),
    (error: unknown) => {
        console.error(`npm start: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
    },
);
