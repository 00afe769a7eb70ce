// `npm run test:electron`: the same extension-host suite as test:host, in desktop VS Code (Electron's
// Node) through @vscode/test-electron. Needs the internet to download VS Code, and a display (xvfb-run
// on a headless Linux box); offline, use `npm run test:host`.
//
// Env: SOLAR_VSCODE_VERSION (default "stable"), SOLAR_HOST_GREP (mocha grep).

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { downloadAndUnzipVSCode, runTests } from "@vscode/test-electron";
import { REPO_ROOT, writeUserSettings } from "./codeServer";
import { makeWorkspace, requireBuiltSuite, SUITE_INDEX, suiteEnvironment } from "./hostSuite";

async function main(): Promise<number> {
    requireBuiltSuite();
    const version = process.env.SOLAR_VSCODE_VERSION ?? "stable";
    let vscodeExecutablePath: string;
    try {
        vscodeExecutablePath = await downloadAndUnzipVSCode(version);
    } catch (error) {
        console.error(
            `[test:electron] could not download VS Code ${version} (${error instanceof Error ? error.message : String(error)}).\n` +
            "[test:electron] It needs the internet (update.code.visualstudio.com). Offline, run `npm run test:host`, " +
            "which runs the same suite in code-server.",
        );
        return 1;
    }

    const workspace = makeWorkspace();
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), "solar-electron-"));
    const { env, settings } = suiteEnvironment(workspace, "electron");
    writeUserSettings(path.join(profile, "user-data"), settings);
    try {
        return await runTests({
            vscodeExecutablePath,
            extensionDevelopmentPath: REPO_ROOT,
            extensionTestsPath: SUITE_INDEX,
            extensionTestsEnv: env,
            launchArgs: [
                workspace,
                "--user-data-dir", path.join(profile, "user-data"),
                "--extensions-dir", path.join(profile, "extensions"),
                "--disable-extensions", // other installed extensions; the one under development still loads
                "--disable-workspace-trust",
                "--skip-welcome",
                "--skip-release-notes",
            ],
        });
    } finally {
        fs.rmSync(workspace, { recursive: true, force: true });
        fs.rmSync(profile, { recursive: true, force: true });
    }
}

main().then(
    (code) => process.exit(code),
    (error: unknown) => {
        // runTests rejects when the suite fails; its report is already printed above.
        console.error(`[test:electron] ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
    },
);
