/// <reference lib="dom" />
// End-to-end check of `npm start` the way a user meets it: runs it in its own process group (as a
// terminal would), opens the URL it prints in Chromium, follows demo/README.md (end of line 4 of
// inventory.ts, Enter, type `const`), waits for the ghost text that continues it, takes a
// screenshot, then sends Ctrl+C's SIGINT to the group and checks no code-server of ours is left.
// Usage: npx tsx scripts/start/check.ts [screenshot.png]   (default /tmp/start-demo.png)

import { spawn, spawnSync } from "node:child_process";
import * as readline from "node:readline";
import { REPO_ROOT } from "../host/codeServer";
import type { Page } from "playwright-core";
import { launchBrowser, waitForWorkbench } from "../host/workbench";

const SCREENSHOT = process.argv[2] ?? "/tmp/start-demo.png";
const URL_LINE = /^\s*(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)$/;

const codeServerPids = () => new Set(spawnSync("pgrep", ["-f", "code-server"], { encoding: "utf8" }).stdout.split("\n").filter(Boolean));

async function main(): Promise<void> {
    const before = codeServerPids(); // code-servers of concurrent test runs are not ours to judge
    const start = spawn("npm", ["start"], { cwd: REPO_ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, SOLAR_START_HOST: "code-server" } });
    const ended = new Promise<number | string>((resolve) => start.once("exit", (code, signal) => resolve(code ?? signal!)));
    const url = await new Promise<string>((resolve, reject) => {
        for (const stream of [start.stdout!, start.stderr!]) {
            readline.createInterface({ input: stream }).on("line", (line) => {
                console.log(`[npm start] ${line}`);
                const match = URL_LINE.exec(line);
                if (match) resolve(match[1]);
            });
        }
        void ended.then((how) => reject(new Error(`npm start ended (${how}) before printing a URL`)));
    });
    const ours = [...codeServerPids()].filter((pid) => !before.has(pid));

    const browser = await launchBrowser({ handleSignals: false });
    try {
        const page = await browser.newPage();
        await page.goto(url);
        await waitForWorkbench(page);
        const line4 = page.locator(".monaco-editor .view-line", { hasText: "stockBySku = new Map();" });
        await line4.waitFor({ timeout: 60_000 });
        // The status bar's sparkle means the worker has loaded the model.
        await page.waitForSelector(".statusbar-item .codicon-sparkle", { timeout: 60_000 });
        await line4.click();
        await page.keyboard.press("End");
        await page.keyboard.press("Enter");
        await page.keyboard.type("const", { delay: 60 });
        // The copy model's continuation; with a real model (SOLAR_MODEL) any ghost text will do.
        const text = await waitForGhostText(page, process.env.SOLAR_MODEL ? "" : "rawLines");
        console.log(`ghost text: ${JSON.stringify(text)}`);
        await page.screenshot({ path: SCREENSHOT });
        console.log(`screenshot: ${SCREENSHOT}`);
    } finally {
        await browser.close();
        process.kill(-start.pid!, "SIGINT"); // what Ctrl+C sends to a terminal's foreground group
        const how = await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 30_000, "still running after 30 s"))]);
        console.log(`npm start after SIGINT: ${how}`);
    }
    const left = ours.filter((pid) => codeServerPids().has(pid));
    if (left.length) throw new Error(`code-server processes left: ${left.join(", ")}`);
    console.log(`no code-server left (ours were ${ours.join(", ") || "none seen"})`);
}

/** Polls the editor's ghost text until it is non-blank and contains `expected`. */
async function waitForGhostText(page: Page, expected: string, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let text = "";
    while (Date.now() < deadline) {
        text = await page.evaluate(() => [...document.querySelectorAll(".monaco-editor .ghost-text-decoration")].map((span) => span.textContent).join("").replace(/\u00a0/g, " "));
        if (text.trim() && text.includes(expected)) return text;
        await page.waitForTimeout(100);
    }
    throw new Error(`no ghost text containing ${JSON.stringify(expected)} within ${timeoutMs} ms (last: ${JSON.stringify(text)})`);
}

main().then(
    () => process.exit(0),
    (error: unknown) => {
        console.error(`check failed: ${error instanceof Error ? error.stack : String(error)}`);
        process.exit(1);
    },
);
