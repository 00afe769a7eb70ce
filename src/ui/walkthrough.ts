// The walkthrough (package.json contributes.walkthroughs, its pages in media/walkthrough/): the
// "Solar: Get Started" and sample-file commands, the context keys its steps complete on, and opening
// it once, at the first start after install. The decisions are pure (src/status/walkthroughProgress.ts);
// this file only talks to VS Code.

import * as vscode from "vscode";
import type { StatusInput } from "../status/statusText";
import { backendKeys, firstRunAction, WALKTHROUGH_ID, WALKTHROUGH_KEYS } from "../status/walkthroughProgress";

export const OPEN_WALKTHROUGH_COMMAND = "solarComplete.openWalkthrough";
export const OPEN_SAMPLE_COMMAND = "solarComplete.walkthrough.openSample";
/** globalState: the first start has opened the walkthrough, or found that the user doesn't want it. */
const FIRST_RUN_KEY = "solarComplete.walkthroughOpened";

/** An untitled TypeScript file with the cursor in an empty function body, where Solar has something to say. */
const SAMPLE_LINES = [
    "// Solar Complete: try ghost text here.",
    "// An untitled file: close it without saving.",
    "// The cursor waits in total(): type, or press Alt+\\.",
    "// Tab accepts, Ctrl+Right (Cmd+Right) takes a word,",
    "// Alt+] and Alt+[ cycle the candidates of an Alt+\\.",
    "",
    "interface LineItem {",
    "    name: string;",
    "    unitPrice: number;",
    "    quantity: number;",
    "}",
    "",
    "/** The order's total: each item's unit price times its quantity, added up. */",
    "function total(items: LineItem[]): number {",
    "    ", // the cursor goes here
    "}",
    "",
];
const SAMPLE_CURSOR = { line: SAMPLE_LINES.indexOf("    "), character: 4 };

export interface WalkthroughDeps {
    readonly context: vscode.ExtensionContext;
    readonly log: vscode.LogOutputChannel;
    /** Each state the status bar shows: the backend's keys follow it. */
    readonly status: { readonly onDidRefresh: vscode.Event<StatusInput> };
    /** Each time ghost text is offered. */
    readonly provider: { readonly onDidOffer: vscode.Event<void> };
}

export function registerWalkthrough(deps: WalkthroughDeps): vscode.Disposable[] {
    const keys = new ContextKeys();
    const offered = deps.provider.onDidOffer(() => {
        keys.set(WALKTHROUGH_KEYS.ghostTextShown, true);
        offered.dispose(); // the key only ever turns true
    });
    // A walkthrough that can't open is no reason to fail.
    void openOnFirstRun(deps.context).catch((error: unknown) => deps.log.warn(`Walkthrough: ${error instanceof Error ? error.message : String(error)}`));
    return [
        vscode.commands.registerCommand(OPEN_WALKTHROUGH_COMMAND, () => openWalkthrough(false)),
        vscode.commands.registerCommand(OPEN_SAMPLE_COMMAND, openSample),
        deps.status.onDidRefresh((input) => {
            for (const [key, value] of Object.entries(backendKeys(input.engine))) keys.set(key, value);
        }),
        offered,
    ];
}

/** For the GPU pack offer (src/ui/gpuPackOffer.ts): the walkthrough's CUDA step replaces its plain GPU step. */
export function markCudaPackOffered(): void {
    void vscode.commands.executeCommand("setContext", WALKTHROUGH_KEYS.cudaPackOffered, true);
}

/** Sets a context key only when its value changes: the status bar refreshes on every suggestion. */
class ContextKeys {
    private readonly values = new Map<string, boolean>();

    set(key: string, value: boolean): void {
        if (this.values.get(key) === value) return;
        this.values.set(key, value);
        void vscode.commands.executeCommand("setContext", key, value);
    }
}

async function openOnFirstRun(context: vscode.ExtensionContext): Promise<void> {
    const action = firstRunAction({
        alreadyDone: context.globalState.get<boolean>(FIRST_RUN_KEY) === true,
        testMode: context.extensionMode === vscode.ExtensionMode.Test,
        openOnInstall: vscode.workspace.getConfiguration("workbench.welcomePage.walkthroughs").get<boolean>("openOnInstall", true),
        editorVisible: vscode.window.visibleTextEditors.length > 0,
    });
    if (action.remember) await context.globalState.update(FIRST_RUN_KEY, true);
    if (action.open) await openWalkthrough(action.inactive);
}

/** `inactive`: a background tab, as VS Code opens a newly installed extension's walkthrough beside an editor. */
function openWalkthrough(inactive: boolean): Thenable<unknown> {
    // Not undefined: it arrives as null, which the command reads `toSide` from.
    return vscode.commands.executeCommand("workbench.action.openWalkthrough", WALKTHROUGH_ID, inactive ? { inactive: true } : false);
}

/** The sample beside the walkthrough, cursor in place, and an explicit request so ghost text shows without typing. */
async function openSample(): Promise<void> {
    const document = await vscode.workspace.openTextDocument({ language: "typescript", content: SAMPLE_LINES.join("\n") });
    const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: false });
    const cursor = new vscode.Position(SAMPLE_CURSOR.line, SAMPLE_CURSOR.character);
    editor.selection = new vscode.Selection(cursor, cursor);
    editor.revealRange(new vscode.Range(cursor, cursor));
    await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
}
