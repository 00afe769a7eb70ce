// VS Code adapter for ghost text: document + position + cancellation token in, plain data and an
// AbortSignal out to the GhostTextService, and its candidates back as InlineCompletionItems (VS Code
// cycles them with Alt+] / Alt+[). It reads only a slice of the document around the cursor, so a
// 10 MB file costs no more than a small one, and nothing at all of a file solarComplete.exclude
// matches.
//
// "Explicit" is the user asking (Alt+\, Solar: Suggest Here, Alt+] on a typed suggestion), not any
// Invoke: after an accept we trigger the next suggestion ourselves, and that follow-up counts as
// typing (one candidate, none in manual mode).

import * as vscode from "vscode";
import { PREFIX_SLICE_CHARS, SUFFIX_SLICE_CHARS } from "../backend/limits";
import { GhostTextService } from "./ghostTextService";

export const ACCEPTED_COMMAND = "solarComplete.suggestionAccepted";

/** How long a follow-up trigger may take to reach the provider before it counts as the user's again. */
const FOLLOW_UP_MS = 2_000;

export class GhostTextProvider implements vscode.InlineCompletionItemProvider {
    private followUp: { readonly uri: string; readonly until: number } | undefined;
    private readonly offered = new vscode.EventEmitter<void>();
    /** Fires each time ghost text is offered: the walkthrough's "try it" step listens (src/ui/walkthrough.ts). */
    readonly onDidOffer = this.offered.event;

    constructor(
        private readonly service: GhostTextService,
        /** No model yet (loading, failed): stay quiet rather than fail one request per keystroke. */
        private readonly engineReady: () => boolean,
        private readonly onError: (error: unknown) => void,
        /** The solarComplete.exclude pattern the document matches, if any. */
        private readonly excludedBy: (document: vscode.TextDocument) => string | undefined,
    ) {}

    /** The next Invoke request for this document is our own follow-up after an accept, not the user's. */
    expectFollowUp(uri: vscode.Uri): void {
        this.followUp = { uri: uri.toString(), until: Date.now() + FOLLOW_UP_MS };
    }

    async provideInlineCompletionItems(
        document: vscode.TextDocument,
        position: vscode.Position,
        context: vscode.InlineCompletionContext,
        token: vscode.CancellationToken,
    ): Promise<vscode.InlineCompletionItem[] | undefined> {
        // First, so that a follow-up that finds no model cannot be mistaken for the user's next Alt+\.
        const invoked = context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke;
        const followUp = invoked && this.takeFollowUp(document.uri);
        if (!this.engineReady()) return undefined;
        // Before reading any text: an excluded file's content never leaves this function.
        if (this.excludedBy(document) !== undefined) return undefined;
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        try {
            const offset = document.offsetAt(position);
            const sliceStart = Math.max(0, offset - PREFIX_SLICE_CHARS);
            const sliceEnd = offset + SUFFIX_SLICE_CHARS;
            const text = document.getText(new vscode.Range(document.positionAt(sliceStart), document.positionAt(sliceEnd)));
            const editor = vscode.window.activeTextEditor;
            const candidates = await this.service.provideCandidates(
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
                    explicit: invoked && !followUp,
                },
                controller.signal,
            );
            if (candidates.length === 0 || token.isCancellationRequested) return undefined;
            this.offered.fire();
            return candidates.map((suggestion) => {
                const end = document.positionAt(offset + suggestion.replaceSuffixChars);
                const item = new vscode.InlineCompletionItem(suggestion.insertText, new vscode.Range(position, end));
                item.command = { command: ACCEPTED_COMMAND, title: "Solar: suggestion accepted", arguments: [document.uri] };
                return item;
            });
        } catch (error) {
            if (!controller.signal.aborted) this.onError(error);
            return undefined;
        } finally {
            subscription.dispose();
        }
    }

    private takeFollowUp(uri: vscode.Uri): boolean {
        const pending = this.followUp;
        if (!pending || pending.uri !== uri.toString()) return false;
        this.followUp = undefined;
        return Date.now() <= pending.until;
    }
}
