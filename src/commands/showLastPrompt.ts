// Solar: Show Last Prompt: the exact text the model saw for the last suggestion (snippets from other
// files, then the current file's window), in an untitled editor, so users can check what is sent.

import * as vscode from "vscode";

export const SHOW_LAST_PROMPT_COMMAND = "solarComplete.showLastPrompt";

export async function showLastPrompt(prompt: string | undefined): Promise<void> {
    if (prompt === undefined) {
        void vscode.window.showInformationMessage(vscode.l10n.t("Solar Complete: no suggestion has been made yet in this window. Type in a file, then run this again."));
        return;
    }
    const document = await vscode.workspace.openTextDocument({ content: prompt, language: "plaintext" });
    await vscode.window.showTextDocument(document, { preview: true });
}
