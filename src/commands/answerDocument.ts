// Where an answer goes when it does not go to the cursor: a new Markdown document that starts with
// the question. And the modal that asks before a new question stops the one still running.

import * as vscode from "vscode";
import { answerHeader } from "../ask/answerHeader";
import type { MiddleCut } from "../ask/askPrompt";
import { trackPoint } from "./editorInsertion";

/** A new Markdown document that starts with the question (quoted), ready for the answer below it. */
export async function openAnswerDocument(question: string, cut: MiddleCut | undefined, beside: boolean) {
    const content = answerHeader(question, cut);
    const document = await vscode.workspace.openTextDocument({ language: "markdown", content });
    const editor = await vscode.window.showTextDocument(document, { viewColumn: beside ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active, preview: false });
    return { editor, tracked: trackPoint(document, document.getText().length) };
}

export async function confirmTakeover(): Promise<boolean> {
    const stop = vscode.l10n.t("Stop It and Start");
    const picked = await vscode.window.showWarningMessage(vscode.l10n.t("A Solar prompt is still running. Stop it and start this one?"), { modal: true }, stop);
    return picked === stop;
}
