// The VS Code edge of solarComplete.exclude: a document's paths, as the pure matcher
// (src/completion/excludedFiles.ts) wants them. Ghost text, Continue Here, Prompt and the status bar
// all ask this one function, so a file is excluded everywhere or nowhere.

import * as vscode from "vscode";
import type { ExcludedFiles } from "../completion/excludedFiles";

export type ExcludedBy = (document: vscode.TextDocument) => string | undefined;

/** The pattern that excludes the document, or undefined. */
export function excludedDocuments(files: ExcludedFiles): ExcludedBy {
    return (document) => {
        const uri = document.uri;
        // A notebook cell's path is its notebook's, an untitled document's is its future name if it
        // has one ("untitled:/home/me/.env"), a remote file's is its path on that machine.
        const absolute = uri.scheme === "file" ? uri.fsPath : uri.path;
        const relative = vscode.workspace.getWorkspaceFolder(uri) ? vscode.workspace.asRelativePath(uri, false) : undefined;
        return files.match({ absolute, relative });
    };
}
