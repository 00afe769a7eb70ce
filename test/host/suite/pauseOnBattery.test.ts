// solarComplete.pauseOnBattery in a real VS Code: a fake laptop's sysfs tree (SOLAR_POWER_SUPPLY_DIR,
// which the reader looks up at each read) unplugged pauses ghost text and the status bar says so;
// what reaches the engine is read from its own counters. Linux only: elsewhere the reader asks pmset
// or PowerShell, not sysfs.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import type { SolarCompleteApi } from "../../../src/extension";
import { copyFixture } from "../../fixtures/models";
import { until } from "./until";

const EXTENSION_ID = "solar-complete.solar-complete";
const config = () => vscode.workspace.getConfiguration("solarComplete");
const GLOBAL = vscode.ConfigurationTarget.Global;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PAUSED = /Ghost text paused: on battery/;

describe("pause on battery in VS Code", function () {
    let api: SolarCompleteApi;
    let sysfs: string;

    before(async function () {
        if (process.platform !== "linux") this.skip();
        const fixture = await copyFixture("copy-code");
        api = (await vscode.extensions.getExtension<SolarCompleteApi>(EXTENSION_ID)?.activate()) as SolarCompleteApi;
        await config().update("modelPath", fixture.path, GLOBAL);
        await until("the copy model", () => api.engine.state.kind === "ready" && api.engine.state.info.modelPath === fixture.path);
        sysfs = fs.mkdtempSync(path.join(os.tmpdir(), "solar-sysfs-"));
        for (const name of ["AC", "BAT0"]) fs.mkdirSync(path.join(sysfs, name));
        fs.writeFileSync(path.join(sysfs, "AC", "type"), "Mains\n");
        fs.writeFileSync(path.join(sysfs, "BAT0", "type"), "Battery\n");
        process.env.SOLAR_POWER_SUPPLY_DIR = sysfs;
    });
    after(async () => {
        await config().update("pauseOnBattery", undefined, GLOBAL);
        delete process.env.SOLAR_POWER_SUPPLY_DIR;
        if (sysfs) fs.rmSync(sysfs, { recursive: true, force: true });
        await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    });

    const unplug = (unplugged: boolean) => {
        fs.writeFileSync(path.join(sysfs, "AC", "online"), unplugged ? "0\n" : "1\n");
        fs.writeFileSync(path.join(sysfs, "BAT0", "status"), unplugged ? "Discharging\n" : "Charging\n");
    };

    it("unplugged with the setting on: no ghost text reaches the engine, and the status bar says why; off lifts it", async () => {
        unplug(true);
        const document = await vscode.workspace.openTextDocument({ language: "typescript", content: "export function add(a: number, b: number) {\n    return " });
        const editor = await vscode.window.showTextDocument(document);
        const end = document.positionAt(document.getText().length);
        editor.selection = new vscode.Selection(end, end);
        await sleep(300);
        assert.doesNotMatch(api.status().tooltip, PAUSED, "the setting is off by default");

        await config().update("pauseOnBattery", true, GLOBAL);
        await until("the status bar to say paused on battery", () => PAUSED.test(api.status().tooltip), 10_000);
        assert.equal(api.status().text, "$(debug-pause) Solar");
        const before = (await api.engine.counters()).completions;
        for (const ch of "a + b") await vscode.commands.executeCommand("type", { text: ch });
        await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
        await sleep(1500);
        assert.equal((await api.engine.counters()).completions, before, "ghost text reached the engine on battery");

        await config().update("pauseOnBattery", false, GLOBAL);
        await until("the pause to lift with the setting off", () => !PAUSED.test(api.status().tooltip), 10_000);

        // Plugged in, then on again: the read at turn-on finds mains, so nothing pauses.
        unplug(false);
        await config().update("pauseOnBattery", true, GLOBAL);
        await sleep(1000);
        assert.doesNotMatch(api.status().tooltip, PAUSED);
    });
});
