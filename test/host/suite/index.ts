// Entry the extension host calls (extensionTestsPath): runs every *.test.js bundled next to this
// file with mocha. The same file serves code-server (scripts/host/run-tests.ts) and
// @vscode/test-electron (scripts/host/run-electron.ts).

import * as fs from "node:fs";
import * as path from "node:path";
import { format } from "node:util";
import Mocha from "mocha";

export function run(): Promise<void> {
    tagReport(process.env.SOLAR_HOST_CONSOLE_TAG);
    const mocha = new Mocha({
        ui: "bdd",
        reporter: "spec",
        color: false, // the report may be read from a browser console, which shows escape codes raw
        timeout: 120_000,
        grep: process.env.SOLAR_HOST_GREP || undefined,
    });
    const tests = fs.readdirSync(__dirname, { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith(".test.js"))
        .sort();
    for (const file of tests) mocha.addFile(path.join(__dirname, file));

    return new Promise((resolve, reject) => {
        mocha.run((failures) => {
            if (failures > 0) reject(new Error(`${failures} host test(s) failed`));
            else resolve();
        });
    });
}

/**
 * In code-server the extension host's console reaches the runner through the browser console,
 * mixed with the workbench's own log lines; the tag on mocha's report lets the runner pick it out.
 * (The extension host pins console.log with a getter, hence the reporter hook, not a console patch.)
 */
function tagReport(tag: string | undefined): void {
    if (tag) Mocha.reporters.Base.consoleLog = (...args: unknown[]) => console.log(tag + format(...args));
}
