// Inserting streamed text into a VS Code editor: the InsertTarget behind StreamInserter (edits with
// undo stops, retried when the user's typing made an edit stale) and an offset that follows the
// document's changes. The logic of where text goes is in src/ask/streamInserter.ts.

import * as vscode from "vscode";
import { InsertionPoint, type InsertTarget, type UndoStops } from "../ask/streamInserter";

/**
 * editor.edit with the undo stops asked for; falls back when the editor was closed meanwhile. VS Code
 * refuses an edit made against an older version of the document (the user typed in between): then
 * this waits until the extension host has seen that change, so the retry starts from the new point.
 */
export class EditorTarget implements InsertTarget {
    inserted = "";
    firstAt: number | undefined;
    lastAt: number | undefined;

    constructor(private editor: vscode.TextEditor) {}

    async insert(offset: number, text: string, undo: UndoStops): Promise<boolean> {
        const applied = await this.apply(offset, text, undo);
        if (applied && text) {
            this.firstAt ??= performance.now();
            this.lastAt = performance.now();
            this.inserted += text;
        }
        return applied;
    }

    private async apply(offset: number, text: string, undo: UndoStops): Promise<boolean> {
        const document = this.editor.document;
        const position = document.positionAt(offset);
        const options = { undoStopBefore: undo.before, undoStopAfter: undo.after };
        const version = document.version;
        try {
            const applied = await this.editor.edit((edit) => edit.insert(position, text), options);
            if (!applied) await documentMovedOn(document, version);
            return applied;
        } catch (error) {
            if (document.isClosed) throw error;
            // The user switched tabs: this TextEditor is gone, the document is not.
            const visible = vscode.window.visibleTextEditors.find((candidate) => candidate.document === document);
            if (visible) {
                this.editor = visible;
                return visible.edit((edit) => edit.insert(position, text), options);
            }
            if (!text) return true;
            const edit = new vscode.WorkspaceEdit();
            edit.insert(document.uri, position, text);
            return vscode.workspace.applyEdit(edit);
        }
    }
}

/** Resolves once the extension host has seen a version of `document` after `version` (or after a while). */
function documentMovedOn(document: vscode.TextDocument, version: number, timeoutMs = 200): Promise<void> {
    if (document.version > version) return Promise.resolve();
    return new Promise((resolve) => {
        const done = () => {
            clearTimeout(timer);
            subscription.dispose();
            resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        const subscription = vscode.workspace.onDidChangeTextDocument((event) => event.document === document && document.version > version && done());
    });
}

/** An offset that follows the document's changes from now on. */
export interface TrackedPoint {
    readonly point: InsertionPoint;
    dispose(): void;
}

export function trackPoint(document: vscode.TextDocument, offset: number): TrackedPoint {
    const point = new InsertionPoint(offset);
    const subscription = vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document === document) point.applyChanges(event.contentChanges);
    });
    return { point, dispose: () => subscription.dispose() };
}
