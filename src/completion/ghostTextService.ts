// The core of ghost text, free of vscode: trigger rules → typing-through cache → adaptive debounce →
// one engine request (window anchored per document) → post-processing → cache. The provider only
// turns VS Code's document/position/token into a GhostTextRequest and an AbortSignal.

import type { CompleteOptions } from "../engine/client";
import type { CompletionRequest, CompletionResult } from "../engine/protocol";
import type { Settings } from "../config";
import type { WindowAnchor } from "./promptWindow";
import { postprocess, type Suggestion } from "./postprocess/postprocess";
import { shouldTrigger } from "./triggerRules";

/** What the provider hands over: a slice of the document around the cursor, never all 10 MB of it. */
export interface GhostTextRequest {
    readonly documentId: string;
    readonly languageId: string;
    /** Document text from `sliceStart` to a little past the cursor. */
    readonly text: string;
    readonly sliceStart: number;
    /** Cursor offset within `text`. */
    readonly cursor: number;
    readonly eol: "\n" | "\r\n";
    readonly documentEmpty: boolean;
    readonly selectionEmpty: boolean;
    /** The user asked (editor.action.inlineSuggest.trigger) rather than typed. */
    readonly explicit: boolean;
}

/** The engine as seen from here: the worker client locally, or an HTTP backend. */
export interface CompletionBackend {
    complete(request: CompletionRequest, options?: CompleteOptions): Promise<CompletionResult>;
}

export interface TypingCache {
    lookup(documentId: string, prefix: string, at?: { prefixStart?: number }): string | undefined;
    store(documentId: string, prefix: string, suggestion: string, at?: { prefixStart?: number }): unknown;
    forget(documentId: string): void;
    clear(): void;
}

export interface Debouncer {
    recordKeystroke(now: number): void;
    recordLatency(ms: number): void;
    delay(now: number): number;
}

export interface GhostTextDeps {
    readonly backend: CompletionBackend;
    readonly settings: () => Settings;
    readonly cache: TypingCache;
    readonly debounce: Debouncer;
    readonly now: () => number;
    /** Resolves true after `ms`, false as soon as the signal aborts. */
    readonly sleep: (ms: number, signal: AbortSignal) => Promise<boolean>;
    /** Snooze end (epoch ms) and whether something (a running prompt) pauses ghost text. */
    readonly controls: () => { readonly snoozedUntil?: number; readonly pausedBy?: string };
    readonly onRequest?: (event: GhostTextEvent) => void;
}

export type GhostTextEvent =
    | { readonly kind: "start" }
    | { readonly kind: "done"; readonly result: CompletionResult; readonly latencyMs: number }
    | { readonly kind: "error"; readonly error: unknown };

/** A ghost-text suggestion: replace [cursor, cursor + replaceSuffixChars) with insertText. */
export type { Suggestion };

/** How much text the provider sends: enough for any window (16 chars per token of a 4,096 budget). */
export const PREFIX_SLICE_CHARS = 4096 * 16;
export const SUFFIX_SLICE_CHARS = 4096;

export class GhostTextService {
    private readonly anchors = new Map<string, WindowAnchor>();
    /** The last suggestion returned, with the raw model text it came from (tests and diagnostics). */
    last: { readonly raw: string; readonly suggestion: Suggestion | undefined } | undefined;

    constructor(private readonly deps: GhostTextDeps) {}

    async provide(request: GhostTextRequest, signal: AbortSignal): Promise<Suggestion | undefined> {
        const settings = this.deps.settings();
        const now = this.deps.now();
        if (!request.explicit) this.deps.debounce.recordKeystroke(now);
        const { text, cursor } = request;
        const lineStart = text.lastIndexOf("\n", cursor - 1) + 1;
        const lineEnd = indexOrEnd(text, "\n", cursor);
        const controls = this.deps.controls();
        const decision = shouldTrigger({
            lineBefore: text.slice(lineStart, cursor),
            lineAfter: text.slice(cursor, lineEnd).replace(/\r$/, ""),
            documentEmpty: request.documentEmpty,
            languageId: request.languageId,
            enableLanguages: settings.enableLanguages,
            enabled: settings.enable && controls.pausedBy === undefined,
            snoozedUntil: controls.snoozedUntil,
            now,
            explicit: request.explicit,
            selectionEmpty: request.selectionEmpty,
        });
        if (!decision.trigger) return undefined;

        const prefix = text.slice(0, cursor);
        const suffix = text.slice(cursor);
        // The slice slides with the cursor in long files: its start makes the prefix a document position.
        const at = { prefixStart: request.sliceStart };
        const cached = this.deps.cache.lookup(request.documentId, prefix, at);
        if (cached !== undefined) return this.shape(request, settings, prefix, suffix, cached);

        if (!request.explicit && !(await this.deps.sleep(this.deps.debounce.delay(now), signal))) return undefined;
        // A prompt may have taken the engine during the debounce: asking now would only be refused.
        if (this.deps.controls().pausedBy !== undefined) return undefined;
        const raw = await this.generate(request, settings, signal);
        if (raw === undefined) return undefined;
        this.deps.cache.store(request.documentId, prefix, raw, at);
        return this.shape(request, settings, prefix, suffix, raw);
    }

    /** The document was closed: its anchor and cached suggestions are of no further use. */
    forget(documentId: string): void {
        this.anchors.delete(documentId);
        this.deps.cache.forget(documentId);
    }

    /** Another model answers from now on: suggestions and windows of the old one are stale. */
    reset(): void {
        this.anchors.clear();
        this.deps.cache.clear();
    }

    private async generate(request: GhostTextRequest, settings: Settings, signal: AbortSignal): Promise<string | undefined> {
        const started = this.deps.now();
        this.deps.onRequest?.({ kind: "start" });
        try {
            const result = await this.deps.backend.complete(
                {
                    prompt: { kind: "document", text: request.text, cursor: request.cursor, previous: this.anchorIn(request) },
                    maxTokens: settings.maxTokens,
                    stop: settings.stopStrings,
                    temperature: settings.temperature,
                    timeLimitMs: settings.timeLimitMs,
                },
                { signal },
            );
            const latencyMs = this.deps.now() - started;
            if (result.window) {
                this.anchors.set(request.documentId, { ...result.window.anchor, start: result.window.anchor.start + request.sliceStart });
            }
            this.deps.onRequest?.({ kind: "done", result, latencyMs });
            if (result.stats.stopReason === "abort") return undefined;
            this.deps.debounce.recordLatency(latencyMs);
            return result.text;
        } catch (error) {
            this.deps.onRequest?.({ kind: "error", error });
            throw error;
        }
    }

    /** The stored anchor is a document offset; the engine sees offsets within this request's slice. */
    private anchorIn(request: GhostTextRequest): WindowAnchor | undefined {
        const anchor = this.anchors.get(request.documentId);
        if (!anchor || anchor.start < request.sliceStart) return undefined;
        return { ...anchor, start: anchor.start - request.sliceStart };
    }

    private shape(request: GhostTextRequest, settings: Settings, prefix: string, suffix: string, completion: string): Suggestion | undefined {
        const suggestion = postprocess({
            prefix,
            suffix,
            completion,
            languageId: request.languageId,
            eol: request.eol,
            maxLines: settings.multiline === "never" ? 1 : settings.maxLines,
        });
        this.last = { raw: completion, suggestion };
        return suggestion;
    }
}

function indexOrEnd(text: string, search: string, from: number): number {
    const at = text.indexOf(search, from);
    return at < 0 ? text.length : at;
}
