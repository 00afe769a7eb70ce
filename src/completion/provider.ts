// VS Code adapter for ghost text: document + position + cancellation token in, plain data and an
// AbortSignal out to the GhostTextService, and its suggestion back as an InlineCompletionItem.
// It reads only a slice of the document around the cursor, so a 10 MB file costs no more than a
// small one.

import * as vscode from "vscode";
import { GhostTextService, PREFIX_SLICE_CHARS, SUFFIX_SLICE_CHARS } from "./ghostTextService";

export const ACCEPTED_COMMAND = "solarComplete.suggestionAccepted";

export class GhostTextProvider implements vscode.InlineCompletionItemProvider {
    constructor(
        private readonly service: GhostTextService,
        /** No model yet (loading, failed): stay quiet rather than fail one request per keystroke. */
        private readonly engineReady: () => boolean,
        private readonly onError: (error: unknown) => void,
    ) {}

    async provideInlineCompletionItems(
        document: vscode.TextDocument,
        position: vscode.Position,
        context: vscode.InlineCompletionContext,
        token: vscode.CancellationToken,
    ): Promise<vscode.InlineCompletionItem[] | undefined> {
        if (!this.engineReady()) return undefined;
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        try {
            const offset = document.offsetAt(position);
            const sliceStart = Math.max(0, offset - PREFIX_SLICE_CHARS);
            const sliceEnd = offset + SUFFIX_SLICE_CHARS;
            const text = document.getText(new vscode.Range(document.positionAt(sliceStart), document.positionAt(sliceEnd)));
            const editor = vscode.window.activeTextEditor;
            const suggestion = await this.service.provide(
                {
                    documentId: document.uri.toString(),
                    languageId: document.languageId,
                    text,
                    sliceStart,
                    cursor: offset - sliceStart,
                    eol: document.eol === vscode.EndOfLine.CRLF ? "\r\n" : "\n",
                    // Not getText(): that copies the whole document, however large.
                    documentEmpty: document.lineCount === 1 && document.lineAt(0).text.length === 0,
                    selectionEmpty: editor?.document === document ? editor.selection.isEmpty : true,
                    explicit: context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke,
                },
                controller.signal,
            );
            if (!suggestion || token.isCancellationRequested) return undefined;
            const end = document.positionAt(offset + suggestion.replaceSuffixChars);
            const item = new vscode.InlineCompletionItem(suggestion.insertText, new vscode.Range(position, end));
            item.command = { command: ACCEPTED_COMMAND, title: "Solar: suggestion accepted", arguments: [document.uri] };
            return [item];
        } catch (error) {
            if (!controller.signal.aborted) this.onError(error);
            return undefined;
        } finally {
            subscription.dispose();
        }
    }
}
