// Smoke test of the host test bed itself: the extension under development is loaded and activates,
// the runner's workspace is open, and the env vars and settings the runner passes reach the host.

import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { hostLog } from "./hostLog";

const EXTENSION_ID = "solar-complete.solar-complete";

describe("extension host", () => {
    it("loads and activates the extension", async () => {
        const extension = vscode.extensions.getExtension(EXTENSION_ID);
        assert.ok(extension, `${EXTENSION_ID} is not loaded`);
        await extension.activate();
        assert.equal(extension.isActive, true);
        // SOLAR_HOST_VSIX runs: the copy code-server installed from the .vsix (extensions/<id>-<version>-<target>).
        const installed = /[\\/]solar-complete\.solar-complete-\d+\.\d+\.\d+(-[a-z0-9-]+)?$/.test(extension.extensionPath);
        if (process.env.SOLAR_HOST_EXTENSION) assert.equal(installed, process.env.SOLAR_HOST_EXTENSION === "installed", extension.extensionPath);
        hostLog(`      (VS Code ${vscode.version}, Node ${process.version}, runner ${process.env.SOLAR_HOST_RUNNER ?? "unknown"}, ${installed ? "installed" : "development"} extension)`);
    });

    it("opens the runner's workspace", async function () {
        const expected = process.env.SOLAR_HOST_WORKSPACE;
        assert.ok(expected, "the runner passes SOLAR_HOST_WORKSPACE");
        const folders = vscode.workspace.workspaceFolders ?? [];
        assert.deepEqual(folders.map((folder) => folder.uri.fsPath), [expected]);
        const files = await vscode.workspace.findFiles("**/*.ts");
        assert.ok(files.length > 0, "the demo workspace has TypeScript files");
    });

    it("sees the settings the runner wrote, machine-scoped ones included", function () {
        const settings = JSON.parse(process.env.SOLAR_HOST_SETTINGS ?? "{}") as Record<string, unknown>;
        assert.ok(Object.keys(settings).length > 0, "the runner passes SOLAR_HOST_SETTINGS");
        const configuration = vscode.workspace.getConfiguration();
        for (const [key, value] of Object.entries(settings)) assert.deepEqual(configuration.get(key), value, key);
    });
});
