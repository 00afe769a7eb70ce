// Context from other files in a real VS Code: the neighbouring file's block reaches the prompt and
// makes the copy model complete what only that file makes possible (test/fixtures/contextScenario.ts),
// and the exact prompt text never holds a file that must stay out: one solarComplete.exclude matches,
// one .gitignore ignores, one outside the workspace.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import type { SolarCompleteApi } from "../../../src/extension";
import { postprocess } from "../../../src/suggestion/postprocess";
import { CURRENT_PREFIX, NEIGHBOUR_PATH, NEIGHBOUR_TEXT, neighbourBlock } from "../../fixtures/contextScenario";
import { expectedCompletion } from "../../fixtures/copy-table";
import { copyFixture, type CopyFixture } from "../../fixtures/models";
import { until } from "./until";

const EXTENSION_ID = "solar-complete.solar-complete";
const config = () => vscode.workspace.getConfiguration("solarComplete");

/** Each kept-out file holds the identifier the window asks for, so retrieval would pick it if it could. */
const SECRETS = {
    excluded: { name: ".env", text: "GRAND_TOTAL_KEY=excluded-secret-value\ngrandTotal excludedMarker\n" },
    ignored: { name: "dist/bundle.ts", text: "export const grandTotal = ignoredMarker; // grandTotal\n" },
} as const;
const OUTSIDE_TEXT = "export const grandTotal = outsideMarker; // grandTotal\n";

describe("context from other files in VS Code", function () {
    let api: SolarCompleteApi;
    let fixture: CopyFixture;
    let workspace: string;

    before(async () => {
        const modelPath = process.env.SOLAR_TEST_COPY_CONTEXT_MODEL;
        assert.ok(modelPath, "the runner passes SOLAR_TEST_COPY_CONTEXT_MODEL");
        fixture = await copyFixture("copy-context", 1);
        assert.equal(fixture.path, modelPath, "runner and suite agree on the copy model");
        workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? "";
        api = (await vscode.extensions.getExtension<SolarCompleteApi>(EXTENSION_ID)?.activate()) as SolarCompleteApi;
        await config().update("modelPath", modelPath, vscode.ConfigurationTarget.Global);
        await until("the copy-context model", () => api.engine.state.kind === "ready" && api.engine.state.info.modelPath === modelPath);
    });

    after(async () => {
        await config().update("modelPath", undefined, vscode.ConfigurationTarget.Global);
    });

    async function show(file: string, text: string): Promise<vscode.TextEditor> {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
        return vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
    }

    /** Asks for ghost text at the end of `editor` and waits for the engine's answer and its prompt. */
    async function suggestAtEnd(editor: vscode.TextEditor): Promise<string> {
        const end = editor.document.positionAt(editor.document.getText().length);
        editor.selection = new vscode.Selection(end, end);
        const completions = (await api.engine.counters()).completions;
        await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
        await until("a completion", async () => (await api.engine.counters()).completions > completions);
        return until("the prompt", () => api.lastGhostPrompt());
    }

    it("puts the neighbouring file's block before the window, and the model completes from it exactly", async () => {
        assert.equal(fs.readFileSync(path.join(workspace, ".gitignore"), "utf8"), "dist/\n", "the test workspace ignores dist/");
        await show(path.join(workspace, NEIGHBOUR_PATH), NEIGHBOUR_TEXT);
        await show(path.join(workspace, SECRETS.excluded.name), SECRETS.excluded.text);
        await show(path.join(workspace, SECRETS.ignored.name), SECRETS.ignored.text);
        await show(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "solar-outside-")), "outside.ts"), OUTSIDE_TEXT);
        const editor = await show(path.join(workspace, "src/checkout.ts"), CURRENT_PREFIX);

        // The neighbour is indexed once VS Code reported it open; a first request that came before is
        // answered without it, and the set is chosen again at the next calm moment: a save.
        const prompt = await until("a prompt holding the neighbour's block", async () => {
            const sent = await suggestAtEnd(editor);
            if (sent.includes(neighbourBlock())) return sent;
            await editor.document.save();
            return undefined;
        }, 60_000);

        // Most relevant last: the block sits right before the file's text.
        assert.ok(prompt.endsWith(neighbourBlock() + CURRENT_PREFIX), JSON.stringify(prompt.slice(-300)));
        for (const marker of ["excluded", "ignored", "outside"]) assert.ok(!prompt.includes(`${marker}Marker`), `${marker} text in the prompt: ${JSON.stringify(prompt)}`);
        assert.ok(!prompt.includes("excluded-secret-value"));

        const raw = expectedCompletion(fixture.vocab, fixture.table, [1, ...fixture.vocab.encode(prompt, { bos: false })], api.settings().maxTokens).text;
        const expected = postprocess({ prefix: CURRENT_PREFIX, suffix: "", completion: raw, languageId: "typescript", eol: "\n", maxLines: api.settings().maxLines })?.insertText;
        assert.ok(expected?.includes("toCents("), JSON.stringify(expected));
        await until("the suggestion", () => api.lastSuggestion()?.suggestion?.insertText === expected);

        // Without the block the model would say something else: the completion came from the other file.
        const alone = expectedCompletion(fixture.vocab, fixture.table, [1, ...fixture.vocab.encode(CURRENT_PREFIX, { bos: false })], api.settings().maxTokens).text;
        assert.ok(alone.startsWith(" 0;\n"), JSON.stringify(alone));
    });

    it("Solar: Show Last Prompt opens exactly that prompt", async () => {
        const prompt = api.lastGhostPrompt();
        assert.ok(prompt);
        await vscode.commands.executeCommand("solarComplete.showLastPrompt");
        const shown = await until("the prompt editor", () => {
            const document = vscode.window.activeTextEditor?.document;
            return document?.isUntitled && document.getText() === prompt ? document : undefined;
        });
        assert.equal(shown.getText(), prompt);
        await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
    });

    it("with context off, the prompt is the file's window alone", async () => {
        await config().update("context.enabled", false, vscode.ConfigurationTarget.Global);
        try {
            const editor = await show(path.join(workspace, "src/plain.ts"), CURRENT_PREFIX + " ");
            const prompt = await until("a prompt without blocks", async () => {
                const sent = await suggestAtEnd(editor);
                return sent === CURRENT_PREFIX + " " ? sent : undefined;
            });
            assert.equal(prompt, CURRENT_PREFIX + " ");
        } finally {
            await config().update("context.enabled", undefined, vscode.ConfigurationTarget.Global);
        }
    });
});
