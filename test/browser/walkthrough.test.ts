// The walkthrough as a user meets it: a real VS Code (code-server) in Chromium, a fresh profile, no
// editor open. It opens by itself on this first start, shows every step, ticks off the model step
// once the copy model is loaded (the solarComplete.modelReady context key), and its "Open a Sample
// File" button opens the sample beside it, where ghost text ticks off that step too. The screenshot,
// taken before, is the README's media/walkthrough.png (with SOLAR_UPDATE_SCREENSHOTS=1).
// SOLAR_BROWSER_VSIX=<file> runs the same test against that package, installed, instead of the repo.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Page } from "playwright-core";
import { copyFixture } from "../fixtures/models";
import { readManifest } from "../fixtures/manifest";
import { REPO_ROOT, startCodeServer, type CodeServer } from "../../scripts/host/codeServer";
import { launchBrowser, openWorkbench, waitForWorkbench, type Browser } from "../../scripts/host/workbench";

// The README's copy is refreshed only on request (SOLAR_UPDATE_SCREENSHOTS=1): a test run must not
// leave a tracked file modified.
const SCREENSHOT = process.env.SOLAR_UPDATE_SCREENSHOTS === "1" ? path.join(REPO_ROOT, "media/walkthrough.png") : path.join(os.tmpdir(), "solar-complete-walkthrough.png");
const manifest = readManifest(REPO_ROOT) as {
    contributes: { walkthroughs: { id: string; title: string; steps: { id: string; title: string; when?: string }[] }[] };
};
const walkthrough = manifest.contributes.walkthroughs[0];
/** A step's entry in the walkthrough page (data-step-id is `<extension id>#<walkthrough id>#<step id>`). */
const step = (id: string) => `button.getting-started-step[data-step-id$="#${id}"]`;

describe("walkthrough in the browser (code-server + Chromium)", function () {
    let server: CodeServer;
    let browser: Browser;
    let page: Page;
    let workspace: string;

    before(async () => {
        const fixture = await copyFixture("copy-code");
        workspace = fs.mkdtempSync(path.join(os.tmpdir(), "solar-walkthrough-"));
        const vsix = process.env.SOLAR_BROWSER_VSIX;
        server = await startCodeServer({
            // Every other test keeps VS Code's setting off (scripts/host/codeServer.ts): this one is the first start it is about.
            settings: { "solarComplete.modelPath": fixture.path, "workbench.welcomePage.walkthroughs.openOnInstall": true },
            installExtensions: vsix ? [vsix] : undefined,
        });
        browser = await launchBrowser({ viewport: { width: 1280, height: 800 } });
        page = await browser.newPage();
        await openWorkbench(page, server, { folder: workspace, extensionDevelopmentPath: vsix ? undefined : REPO_ROOT });
        await waitForWorkbench(page);
    });
    after(async () => {
        await browser?.close();
        await server?.stop();
        if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
    });

    it("opens on the first start with every step, ticks off the model, and opens the sample beside it with ghost text", async () => {
        // Nobody asks for it: the extension opens it at its first activation.
        const title = page.locator(`.gettingStartedContainer h2.category-title[x-category-title-for$="#${walkthrough.id}"]`);
        await title.waitFor({ timeout: 60_000 });
        assert.equal((await title.innerText()).trim(), walkthrough.title);

        // Every step without a `when`, and one of the two GPU steps (the CUDA one only beside an NVIDIA GPU without the pack).
        for (const s of walkthrough.steps.filter((s) => !s.when)) {
            const heading = page.locator(`${step(s.id)} h3.step-title`);
            await heading.waitFor({ timeout: 30_000 });
            assert.equal((await heading.innerText()).trim(), s.title);
        }
        const gpuSteps = page.locator(`${step("gpu")} h3.step-title, ${step("gpuCuda")} h3.step-title`);
        await gpuSteps.first().waitFor({ timeout: 30_000 });
        assert.equal(await gpuSteps.count(), 1);

        // The copy model loads: solarComplete.modelReady ticks the first step off.
        await page.waitForSelector(`${step("model")}[aria-checked="true"]`, { timeout: 60_000 });

        // The step with its page beside it: the walkthrough shows pages only when it is wider than 950 px.
        await page.locator(`${step("tryGhostText")} h3.step-title`).click();
        await page.keyboard.press("Control+b"); // close the side bar
        await page.waitForSelector(`${step("tryGhostText")}[aria-expanded="true"]`, { timeout: 30_000 });
        await page.waitForSelector(".gettingStartedContainer:not(.width-semi-constrained) .getting-started-media iframe", { timeout: 30_000 });
        await untilMediaShows(page, "Ghost text");
        await page.mouse.move(0, 400); // no hover highlight in the picture
        await page.screenshot({ path: SCREENSHOT });
        const bytes = fs.statSync(SCREENSHOT).size;
        console.log(`      screenshot ${path.relative(REPO_ROOT, SCREENSHOT)} (${Math.round(bytes / 1024)} KB)`);
        assert.ok(bytes < 400_000, `the README's screenshot stays small: ${bytes} bytes`);

        await page.locator(`${step("tryGhostText")} .button-container [role="button"]`).filter({ hasText: "Open a Sample File" }).click({ timeout: 30_000 });
        // The untitled sample, in a second editor group beside the walkthrough.
        await page.waitForFunction(
            () => [...document.querySelectorAll(".monaco-editor .view-lines")].some((lines) => lines.textContent?.replace(/\u00a0/g, " ").includes("function total(items: LineItem[]): number {")),
            undefined,
            { timeout: 30_000 },
        );
        // An untitled document is named after its first line.
        const activeTab = page.locator(".editor-group-container.active .tabs-container .tab.active .label-name");
        await activeTab.filter({ hasText: "Solar Complete: try ghost text" }).waitFor({ timeout: 30_000 }).catch(async () => {
            throw new Error(`the sample is not the active tab: ${JSON.stringify(await activeTab.allInnerTexts())}`);
        });
        await page.waitForFunction(() => document.querySelectorAll(".editor-group-container").length === 2, undefined, { timeout: 30_000 });
        // The command asks for ghost text at the sample's cursor; once shown, solarComplete.ghostTextShown ticks its step off.
        await page.waitForSelector(".monaco-editor .ghost-text-decoration", { timeout: 30_000 });
        await page.waitForSelector(`${step("tryGhostText")}[aria-checked="true"]`, { timeout: 30_000 });
    });
});

/** Waits until the step's page (a webview: frames inside frames) shows `heading`, so the screenshot has it. */
async function untilMediaShows(page: Page, heading: string, timeoutMs = 30_000): Promise<void> {
    const started = Date.now();
    for (;;) {
        for (const frame of page.frames()) {
            const found = await frame.evaluate((text) => [...document.querySelectorAll("h1")].some((h) => h.textContent?.trim() === text), heading).catch(() => false);
            const images = await frame.evaluate(() => [...document.images].every((image) => image.complete && image.naturalWidth > 0)).catch(() => false);
            if (found && images) return;
        }
        if (Date.now() - started > timeoutMs) throw new Error(`the step's page never showed "${heading}"`);
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}
