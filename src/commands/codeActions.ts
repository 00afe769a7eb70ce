// The lightbulb on a selection: "Ask Solar about this selection...", which opens the prompt's quick
// pick with the selection as context. Offered only for a non-empty selection, only when the editor
// asks for our kind (or for everything), and never in a file solarComplete.exclude matches (the
// prompt would refuse to send that selection).

import * as vscode from "vscode";
import { PROMPT_COMMAND } from "./askCommands";

export const ASK_TITLE = vscode.l10n.t("Ask Solar about this selection...");

export class AskSolarCodeActions implements vscode.CodeActionProvider {
    /** A rewrite-family refactoring: shown in the lightbulb and the Refactor menu, never as a quick fix for a diagnostic. */
    static readonly kind = vscode.CodeActionKind.RefactorRewrite.append("solar");
    static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [AskSolarCodeActions.kind] };

    constructor(private readonly excludedBy: (document: vscode.TextDocument) => string | undefined) {}

    provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] | undefined {
        if (range.isEmpty) return undefined;
        if (this.excludedBy(document) !== undefined) return undefined;
        if (context.only && !context.only.contains(AskSolarCodeActions.kind)) return undefined;
        const action = new vscode.CodeAction(ASK_TITLE, AskSolarCodeActions.kind);
        action.command = { command: PROMPT_COMMAND, title: ASK_TITLE };
        return [action];
    }
}
