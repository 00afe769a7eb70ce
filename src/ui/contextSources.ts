// The VS Code edge of context from other files: which documents and ranges feed the retrieval index
// (src/context), and when. Sources, each behind solarComplete.context.sources:
// - open text documents (re-indexed lazily: a change marks the document, the next selection, at a
//   calm moment, indexes it; a keystroke never does);
// - the last edited range of a file, and what was on screen, recorded when the user leaves it;
// - the clipboard, read when the user switches files, kept only when its text is found in an
//   eligible open document (so it names a workspace file; text copied from elsewhere never counts).
// Only eligible files feed it: in a trusted workspace, inside a workspace folder, not matched by
// solarComplete.exclude, not ignored by git, not huge. Everything else is never read into the index.

import * as vscode from "vscode";
import { ContextIndex } from "../context/contextIndex";
import { CHARS_PER_TOKEN_ESTIMATE, DEFAULT_MAX_SNIPPETS } from "../context/retrieval";
import { MAX_DOCUMENT_CHARS } from "../context/chunks";
import { GitignoredPaths } from "../context/gitignoredPaths";
import { ContextPolicy, type ContextQuery, type SnippetSet } from "../context/contextPolicy";
import { renderBlocks } from "../context/snippetBlocks";
import type { RingSource } from "../context/ringBuffer";
import { SECTION, type Settings } from "../config";
import type { SelectedContext } from "../completion/lastPrompt";
import type { ExcludedBy } from "./excludedDocuments";

/** The solarComplete.context.sources key of each kind of recorded range. */
const RING_SETTING = { edit: "recentEdits", view: "recentViews", clipboard: "clipboard" } as const satisfies Record<RingSource, keyof ContextSourcesSetting>;
type ContextSourcesSetting = Settings["context.sources"];

/** Lines around the last edit recorded when leaving a file. */
const EDIT_CONTEXT_LINES = 12;
/** Clipboard text shorter than this is a word or a name, too little to be context. */
const MIN_CLIPBOARD_CHARS = 40;
const MAX_CLIPBOARD_CHARS = 8_000;
/** The clipboard read goes through the window (in code-server, the browser): never wait longer. */
const CLIPBOARD_TIMEOUT_MS = 200;

export interface ContextSourcesDeps {
    readonly settings: () => Settings;
    readonly excludedBy: ExcludedBy;
}

export class ContextSources implements vscode.Disposable {
    private index = new ContextIndex();
    private readonly policy: ContextPolicy;
    private readonly subscriptions: vscode.Disposable[] = [];
    /** Eligible documents by URI, with their prompt path; those changed since they were indexed. */
    private readonly eligible = new Map<string, { readonly path: string; dirty: boolean; lastEditLine?: number }>();
    private readonly gitignore = new Map<string, GitignoredPaths>();

    constructor(private readonly deps: ContextSourcesDeps) {
        this.policy = new ContextPolicy({
            select: (query, maxTokens) => this.select(query, maxTokens),
            now: Date.now,
            settings: () => ({ enabled: deps.settings()["context.enabled"] && vscode.workspace.isTrusted, maxTokens: deps.settings()["context.maxTokens"] }),
        });
        const ws = vscode.workspace;
        this.subscriptions.push(
            ws.onDidOpenTextDocument((document) => void this.consider(document)),
            ws.onDidCloseTextDocument((document) => this.drop(document.uri.toString())),
            ws.onDidChangeTextDocument((event) => this.changed(event)),
            ws.onDidSaveTextDocument(() => this.policy.markStale()),
            ws.onDidGrantWorkspaceTrust(() => this.reconsiderAll()),
            ws.onDidChangeWorkspaceFolders(() => this.reconsiderAll()),
            vscode.window.onDidChangeActiveTextEditor((editor) => this.switched(editor)),
            ws.onDidChangeConfiguration((event) => event.affectsConfiguration(SECTION) && this.reconsiderAll()),
        );
        // A .gitignore changed outside the editor too (a checkout, a pull): eligibility is decided again.
        const gitignores = ws.createFileSystemWatcher("**/.gitignore");
        this.subscriptions.push(gitignores, ...[gitignores.onDidCreate, gitignores.onDidChange, gitignores.onDidDelete].map((event) => event(() => this.reconsiderAll())));
        this.reconsiderAll();
    }

    /** The context for a ghost-text prompt: the document's kept snippets, new ones at calm moments only. */
    contextFor(query: ContextQuery): SelectedContext | undefined {
        return this.policy.contextFor(query);
    }

    /** A fresh snippet set; the policy asks at calm moments only. */
    private select({ documentId, languageId, prefix }: ContextQuery, maxTokens: number): SnippetSet {
        this.indexDirty();
        const snippets = this.index.select({
            // No cursor line: none of the current document competes, so nothing repeats its window.
            current: { path: this.eligible.get(documentId)?.path ?? "", windowText: prefix, languageId },
            maxChars: maxTokens * CHARS_PER_TOKEN_ESTIMATE,
            maxSnippets: DEFAULT_MAX_SNIPPETS,
        });
        return {
            blocks: renderBlocks(snippets, languageId),
            labels: snippets.map((s) => `${s.path}:${s.startLine + 1}-${s.endLine} (${s.source})`),
        };
    }

    dispose(): void {
        for (const subscription of this.subscriptions) subscription.dispose();
    }

    /** Trust, folders, settings or a .gitignore changed: eligibility is decided again for every document. */
    private reconsiderAll(): void {
        this.eligible.clear();
        // Sources that were turned off leave nothing behind.
        this.index = new ContextIndex();
        this.gitignore.clear();
        this.policy.markStale();
        for (const document of vscode.workspace.textDocuments) void this.consider(document);
    }

    private async consider(document: vscode.TextDocument): Promise<void> {
        const key = document.uri.toString();
        const path = await this.eligiblePath(document).catch(() => undefined);
        if (path === undefined) return this.drop(key);
        // The document may have closed while .gitignore was read.
        if (document.isClosed) return;
        this.eligible.set(key, { path, dirty: true });
    }

    /** The workspace-relative path the prompt names, or undefined when the file may not be context. */
    private async eligiblePath(document: vscode.TextDocument): Promise<string | undefined> {
        if (!vscode.workspace.isTrusted || !this.deps.settings()["context.enabled"]) return undefined;
        const folder = vscode.workspace.getWorkspaceFolder(document.uri);
        if (!folder || document.uri.scheme !== folder.uri.scheme) return undefined;
        if (this.deps.excludedBy(document) !== undefined) return undefined;
        if (document.getText().length > MAX_DOCUMENT_CHARS) return undefined;
        const relative = vscode.workspace.asRelativePath(document.uri, false);
        if (await this.gitignoreOf(folder).ignores(relative)) return undefined;
        const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
        return multiRoot ? `${folder.name}/${relative}` : relative;
    }

    private gitignoreOf(folder: vscode.WorkspaceFolder): GitignoredPaths {
        const key = folder.uri.toString();
        let paths = this.gitignore.get(key);
        if (!paths) {
            const read = async (file: string) => {
                const bytes = await vscode.workspace.fs.readFile(folder.uri.with({ path: file }));
                return new TextDecoder().decode(bytes);
            };
            paths = new GitignoredPaths(folder.uri.path, (file) => read(file).catch(() => undefined));
            this.gitignore.set(key, paths);
        }
        return paths;
    }

    private changed(event: vscode.TextDocumentChangeEvent): void {
        const entry = this.eligible.get(event.document.uri.toString());
        if (!entry || event.contentChanges.length === 0) return;
        entry.dirty = true;
        entry.lastEditLine = event.contentChanges[0].range.start.line;
    }

    private drop(key: string): void {
        const entry = this.eligible.get(key);
        if (!entry) return;
        this.eligible.delete(key);
        this.index.removeDocument(entry.path);
        this.policy.forget(key);
    }

    /** Leaving an editor: what was edited and seen there becomes context for the others. */
    private lastEditor: vscode.TextEditor | undefined;
    private switched(editor: vscode.TextEditor | undefined): void {
        const left = this.lastEditor;
        this.lastEditor = editor;
        if (left && left.document !== editor?.document) this.recordLeft(left);
        void this.readClipboard();
    }

    private recordLeft(editor: vscode.TextEditor): void {
        const document = editor.document;
        const entry = this.eligible.get(document.uri.toString());
        if (!entry || document.isClosed) return;
        if (entry.lastEditLine !== undefined) {
            const from = Math.max(0, entry.lastEditLine - EDIT_CONTEXT_LINES);
            const to = Math.min(document.lineCount, entry.lastEditLine + EDIT_CONTEXT_LINES);
            this.record(entry.path, document, from, to, "edit");
        }
        for (const range of editor.visibleRanges.slice(0, 1)) this.record(entry.path, document, range.start.line, range.end.line + 1, "view");
    }

    private record(path: string, document: vscode.TextDocument, fromLine: number, toLine: number, source: RingSource): void {
        if (!this.deps.settings()["context.sources"][RING_SETTING[source]]) return;
        const text = document.getText(new vscode.Range(fromLine, 0, toLine, 0));
        this.index.record({ path, languageId: document.languageId, text, startLine: fromLine, source });
    }

    private async readClipboard(): Promise<void> {
        // In a browser (code-server, vscode.dev) reading the clipboard asks the user for permission:
        // never for a background feature.
        if (vscode.env.uiKind === vscode.UIKind.Web) return;
        if (!this.deps.settings()["context.sources"].clipboard || this.eligible.size === 0) return;
        const text = await Promise.race([
            Promise.resolve(vscode.env.clipboard.readText()).catch(() => ""),
            new Promise<string>((resolve) => setTimeout(() => resolve(""), CLIPBOARD_TIMEOUT_MS)),
        ]);
        if (text.trim().length < MIN_CLIPBOARD_CHARS || text.length > MAX_CLIPBOARD_CHARS) return;
        for (const document of vscode.workspace.textDocuments) {
            const entry = this.eligible.get(document.uri.toString());
            const at = entry ? document.getText().indexOf(text) : -1;
            if (!entry || at < 0) continue;
            const from = document.positionAt(at).line;
            const to = document.positionAt(at + text.length).line + 1;
            this.record(entry.path, document, from, to, "clipboard");
            return;
        }
    }

    /** Indexes the documents changed since their last indexing: at calm moments only (select()). */
    private indexDirty(): void {
        if (!this.deps.settings()["context.sources"].openFiles) return;
        for (const document of vscode.workspace.textDocuments) {
            const entry = this.eligible.get(document.uri.toString());
            if (!entry?.dirty) continue;
            entry.dirty = false;
            this.index.upsertDocument({ path: entry.path, languageId: document.languageId, text: document.getText(), version: document.version });
        }
    }
}
