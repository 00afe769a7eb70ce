// Drives code-server's workbench with Debian's Chromium through playwright-core. No browser is ever
// downloaded: `npx playwright install` needs the internet, /usr/bin/chromium comes from apt.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from "playwright-core";
import type { CodeServer } from "./codeServer";

export const CHROMIUM = "/usr/bin/chromium";

export interface Browser {
    readonly context: BrowserContext;
    /** A fresh tab: each workbench needs its own (the extension host stops when a suite ends). */
    newPage(): Promise<Page>;
    close(): Promise<void>;
}

export interface BrowserOptions {
    headless?: boolean;
    viewport?: { width: number; height: number };
    /** Let playwright close the browser and exit on Ctrl+C (default). Turn off when the caller handles signals. */
    handleSignals?: boolean;
}

/**
 * Headless Chromium with a fresh profile. HOME, XDG and TMPDIR (its shared-memory files, given
 * --disable-dev-shm-usage) point into it, so nothing lands in ~ and close() removes everything.
 */
export async function launchBrowser(options: BrowserOptions = {}): Promise<Browser> {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/host/install.sh (apt-get install chromium)`);
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), "solar-chromium-"));
    const context = await chromium.launchPersistentContext(path.join(profile, "user-data"), {
        executablePath: CHROMIUM,
        headless: options.headless ?? true,
        viewport: options.viewport ?? { width: 1280, height: 800 },
        args: [
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        ],
        env: { ...process.env, HOME: profile, XDG_CONFIG_HOME: profile, XDG_CACHE_HOME: profile, XDG_DATA_HOME: profile, TMPDIR: profile },
        handleSIGINT: options.handleSignals ?? true,
        handleSIGTERM: options.handleSignals ?? true,
        handleSIGHUP: options.handleSignals ?? true,
    });
    return {
        context,
        newPage: () => context.newPage(),
        close: async () => {
            await context.close().catch(() => undefined);
            fs.rmSync(profile, { recursive: true, force: true });
        },
    };
}

export interface WorkbenchOptions {
    /** Absolute path of the folder to open. */
    folder: string;
    /** Absolute path of the extension under development. */
    extensionDevelopmentPath?: string;
    /**
     * Absolute path of a compiled suite exporting run(). Runs only together with an
     * extensionDevelopmentPath (a stub will do: see hostSuite.ts); it need not lie inside that folder.
     */
    extensionTestsPath?: string;
    /** Absolute path of a file to open in an editor once the workbench is up. */
    openFile?: string;
    /** Console lines, as forwarded from the workbench and the extension host (where mocha prints). */
    onConsole?: (line: string) => void;
}

export interface Workbench {
    readonly page: Page;
    /**
     * The code the workbench reports through window.codeAutomationExit when an extension test suite
     * ends (0 = passed). Never settles for a workbench opened without extensionTestsPath.
     */
    readonly exitCode: Promise<number>;
}

/** Opens `server`'s workbench on `page` (use a fresh page each time) with the given payload. */
export async function openWorkbench(page: Page, server: CodeServer, options: WorkbenchOptions): Promise<Workbench> {
    // The smoke-test driver calls this when the extension tests end; it must exist before the page loads.
    let reportExit!: (code: number) => void;
    const exitCode = new Promise<number>((resolve) => (reportExit = resolve));
    await page.exposeFunction("codeAutomationExit", (code: unknown) => reportExit(Number(code)));
    const onConsole = options.onConsole;
    if (onConsole) {
        page.on("console", (message) => onConsole(consoleText(message)));
        page.on("pageerror", (error) => onConsole(`[page error] ${error.stack ?? error.message}`));
    }
    const payload: [string, string][] = [];
    if (options.extensionDevelopmentPath) payload.push(["extensionDevelopmentPath", server.remoteUri(options.extensionDevelopmentPath)]);
    if (options.extensionTestsPath) payload.push(["extensionTestsPath", server.remoteUri(options.extensionTestsPath)]);
    if (options.openFile) payload.push(["openFile", server.remoteUri(options.openFile)]);
    const query = new URLSearchParams({ folder: options.folder });
    if (payload.length) query.set("payload", JSON.stringify(payload));
    await page.goto(`${server.url}/?${query}`);
    return { page, exitCode };
}

/** Resolves once the workbench has rendered, e.g. before typing into it. */
export async function waitForWorkbench(page: Page, timeoutMs = 60_000): Promise<void> {
    await page.waitForSelector(".monaco-workbench", { timeout: timeoutMs });
}

/** Workbench log lines arrive as `%c INFO`, `color: #33f`, text: drop the styling. */
function consoleText(message: ConsoleMessage): string {
    return message.text().replace(/^%c\s*(\w+) (?:color|background|font-weight): [^ ]+ /, "$1 ");
}
