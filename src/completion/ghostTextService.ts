// The core of ghost text, free of vscode: trigger rules → typing-through cache → adaptive debounce →
// one engine request (window anchored per document) → post-processing → cache. The provider only
// turns VS Code's document/position/token into a GhostTextRequest and an AbortSignal.
//
// Several candidates, on an explicit request only (Alt+\, or Alt+] on a typed suggestion, which VS
// Code turns into an explicit request): typing stays at one engine request, for latency. The
// candidates, in the order Alt+] shows them:
// 1. the greedy suggestion, the one typing would show (from the typing cache when it is there);
// 2. sampled alternatives (temperature SAMPLE_TEMPERATURE, fixed seeds, so the same request gives
//    the same candidates), one engine request each, one after the other: the engine aborts a
//    completion when the next one arrives, so they can never run side by side. Their prompt is the
//    greedy one's, still in the KV cache, so each costs only its generated tokens, and all samples
//    together generate at most maxTokens: one more greedy-sized generation. When the greedy
//    suggestion is a single line, samples stop at the first line break, which leaves room for two.
//    A sample that repeats a candidate ends the sampling: the model is sure of this place. So an
//    explicit request costs one greedy request (often none: the typing cache has it) plus one or
//    two sampled ones;
// 3. the first line of a multi-line greedy suggestion: free, from the same generation.
// Duplicates are dropped, so there may be fewer than three; solarComplete.candidates lowers the
// limit (1: the greedy suggestion only, no extra cost; 2: no sample when the first line fills it).
// A repeated explicit request at the same place reuses the samples instead of generating them again.
//
// Measured (in-process engine, CPU, maxTokens 64, 12 places in the copy-code fixture): a typed
// request is 1 engine request, 64 tokens generated; an explicit one is 2 requests, 118 tokens
// generated on average (the sample stopped at its line break where the greedy was one line), 1 token
// evaluated for the sample's prompt (reused from the KV cache), and about twice the latency
// (234 ms against 116 ms); Alt+] on a typed suggestion is 1 request (the greedy comes from the
// typing cache). With a random-weights model: 2 requests, 128 tokens, 1 191 ms against 611 ms.
// (Measured before requests carried `ghost`: now each generation, greedy or sampled, ends where its
// suggestion is final, so fewer tokens; bench `waste` has the figures.)
//
// Manual mode (solarComplete.trigger "manual"): only explicit requests reach the engine. Typing
// through a suggestion the user asked for is still served from the typing cache (no engine request),
// so the ghost text does not vanish at the first matching keystroke; anything else ends that.

import type { CompletionBackend } from "../backend/backend";
import type { CompletionResult } from "../backend/types";
import { LastPrompt, type SelectedContext } from "./lastPrompt";
import type { Settings } from "../config";
import type { WindowAnchor } from "../backend/window";
import { postprocess, type Suggestion } from "../suggestion/postprocess";
import { finishedText } from "../suggestion/truncation";
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
    /**
     * Text from other files for this document's prompt (src/context): the same blocks keystroke after
     * keystroke, changed only at calm moments, so the KV cache keeps them. `prefix` is the slice's
     * text before the cursor, which snippets are chosen to match.
     */
    readonly context?: (query: { readonly documentId: string; readonly languageId: string; readonly prefix: string }) => SelectedContext | undefined;
}

export type GhostTextEvent =
    | { readonly kind: "start" }
    | { readonly kind: "done"; readonly result: CompletionResult; readonly latencyMs: number }
    | { readonly kind: "error"; readonly error: unknown };

/** A ghost-text suggestion: replace [cursor, cursor + replaceSuffixChars) with insertText. */
export type { Suggestion };

/** Warm enough for a base model to take another plausible path, cool enough to stay on topic. */
export const SAMPLE_TEMPERATURE = 0.7;
/** Greedy + two samples fill MAX_CANDIDATES, and a sample that repeats ends the sampling: two seeds suffice. */
const SAMPLE_SEEDS = [1, 2];
/** A sample with fewer tokens left to it than this rarely completes anything. */
const MIN_SAMPLE_TOKENS = 8;

/** Samples generated for one place in a document, kept for a repeated explicit request there. */
interface SampledAt {
    readonly documentId: string;
    readonly sliceStart: number;
    readonly prefix: string;
    readonly texts: readonly string[];
}

/**
 * Window anchors kept per document, newest first: the window builder returns to any that still holds,
 * so a jump away and back in a long file finds its window, and the engine the KV state it left there.
 */
const ANCHORS_PER_DOCUMENT = 4;

export class GhostTextService {
    private readonly anchors = new Map<string, readonly WindowAnchor[]>();
    /** What the model saw for the last suggestion (Solar: Show Last Prompt, the status tooltip). */
    lastPrompt: LastPrompt | undefined;
    /** The last suggestion returned, with the raw model text it came from (tests and diagnostics). */
    last: { readonly raw: string; readonly suggestion: Suggestion | undefined } | undefined;
    /** The candidates of the last explicit request (tests and diagnostics). */
    lastCandidates: readonly Suggestion[] = [];
    private sampled: SampledAt | undefined;
    /** Manual mode: where the user last asked, while typing goes through what was suggested there. */
    private asked: { readonly documentId: string; readonly offset: number } | undefined;

    constructor(private readonly deps: GhostTextDeps) {}

    /** The first candidate: what the ghost text shows before any Alt+]. */
    async provide(request: GhostTextRequest, signal: AbortSignal): Promise<Suggestion | undefined> {
        return (await this.provideCandidates(request, signal))[0];
    }

    /** One suggestion for typing, up to `settings.candidates` distinct ones for an explicit request. */
    async provideCandidates(request: GhostTextRequest, signal: AbortSignal): Promise<readonly Suggestion[]> {
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
            manual: settings.trigger === "manual",
        });
        if (!decision.trigger) return decision.reason === "manual" ? this.typedThrough(request, settings) : [];

        const prefix = text.slice(0, cursor);
        const suffix = text.slice(cursor);
        // The slice slides with the cursor in long files: its start makes the prefix a document position.
        const at = { prefixStart: request.sliceStart };
        let raw = this.deps.cache.lookup(request.documentId, prefix, at);
        if (raw === undefined) {
            if (!request.explicit && !(await this.deps.sleep(this.deps.debounce.delay(now), signal))) return [];
            // A prompt may have taken the engine during the debounce: asking now would only be refused.
            if (this.deps.controls().pausedBy !== undefined) return [];
            const result = await this.generate(request, settings, signal);
            if (result === undefined) return [];
            // A limit cut the text mid-line: the cache keeps it without that unfinished line.
            raw = finishedText(result.text, result.stats.stopReason);
            this.deps.cache.store(request.documentId, prefix, raw, at);
        }
        if (!request.explicit) {
            const suggestion = this.shape(request, settings, prefix, suffix, raw);
            return suggestion ? [suggestion] : [];
        }
        const candidates = await this.candidates(request, settings, prefix, suffix, raw, signal);
        this.lastCandidates = candidates;
        this.asked = candidates.length > 0 ? { documentId: request.documentId, offset: request.sliceStart + request.cursor } : undefined;
        return candidates;
    }

    /** The document was closed: its anchor and cached suggestions are of no further use. */
    forget(documentId: string): void {
        this.anchors.delete(documentId);
        this.deps.cache.forget(documentId);
        if (this.sampled?.documentId === documentId) this.sampled = undefined;
        if (this.asked?.documentId === documentId) this.asked = undefined;
    }

    /** Another model answers from now on: suggestions and windows of the old one are stale. */
    reset(): void {
        this.anchors.clear();
        this.deps.cache.clear();
        this.sampled = undefined;
        this.asked = undefined;
    }

    /** Greedy first, then samples, then the greedy's first line; see the top of this file. */
    private async candidates(request: GhostTextRequest, settings: Settings, prefix: string, suffix: string, raw: string, signal: AbortSignal): Promise<Suggestion[]> {
        const shape = (text: string, as: Settings = settings) => this.shape(request, as, prefix, suffix, text);
        const greedy = shape(raw);
        const multiLine = greedy?.insertText.includes("\n") === true;
        const firstLine = multiLine ? shape(raw, { ...settings, multiline: "never" }) : undefined;
        const chosen: Suggestion[] = [];
        const add = (suggestion: Suggestion | undefined) => {
            if (suggestion && !chosen.some((c) => sameSuggestion(c, suggestion))) chosen.push(suggestion);
        };
        add(greedy);
        // What the samples may fill: the free first-line variant keeps the last place for itself.
        const most = settings.candidates;
        const room = most - (firstLine && !chosen.some((c) => sameSuggestion(c, firstLine)) ? 1 : 0);
        const known = this.sampled;
        if (known && known.documentId === request.documentId && known.sliceStart === request.sliceStart && known.prefix === prefix) {
            for (const text of known.texts) if (chosen.length < room) add(shape(text));
        } else {
            const texts: string[] = [];
            let budget = settings.maxTokens;
            let complete = true;
            for (const seed of SAMPLE_SEEDS) {
                if (chosen.length >= room || budget < MIN_SAMPLE_TOKENS) break;
                if (signal.aborted || this.deps.controls().pausedBy !== undefined) {
                    complete = false;
                    break;
                }
                // A single-line greedy suggestion means this place takes one line: so will a sample.
                const stop = greedy && !multiLine ? [...settings.stopStrings, "\n"] : settings.stopStrings;
                const sampling = { temperature: Math.max(SAMPLE_TEMPERATURE, settings.temperature), seed, maxTokens: budget, stop };
                const result = await this.generate(request, settings, signal, sampling).catch(() => undefined);
                // Aborted or refused (generate() reported an error): the greedy candidate stands alone.
                if (result === undefined) {
                    complete = false;
                    break;
                }
                budget -= result.stats.generatedTokens;
                const sample = finishedText(result.text, result.stats.stopReason);
                texts.push(sample);
                const found = chosen.length;
                add(shape(sample));
                // A warm sample that repeats a candidate says the model is sure here: more seeds would
                // mostly repeat it too, at full price.
                if (chosen.length === found) break;
            }
            if (complete) this.sampled = { documentId: request.documentId, sliceStart: request.sliceStart, prefix, texts };
        }
        add(firstLine);
        this.last = { raw, suggestion: greedy };
        return chosen.slice(0, most);
    }

    /** Manual mode, a typed keystroke: only the rest of a suggestion the user asked for, from the cache. */
    private typedThrough(request: GhostTextRequest, settings: Settings): Suggestion[] {
        const asked = this.asked;
        const offset = request.sliceStart + request.cursor;
        const prefix = request.text.slice(0, request.cursor);
        const cached = asked && asked.documentId === request.documentId && offset >= asked.offset
            ? this.deps.cache.lookup(request.documentId, prefix, { prefixStart: request.sliceStart })
            : undefined;
        const suggestion = cached === undefined ? undefined : this.shape(request, settings, prefix, request.text.slice(request.cursor), cached);
        if (!suggestion) this.asked = undefined;
        return suggestion ? [suggestion] : [];
    }

    private async generate(request: GhostTextRequest, settings: Settings, signal: AbortSignal, sample?: Sampling): Promise<CompletionResult | undefined> {
        const started = this.deps.now();
        this.deps.onRequest?.({ kind: "start" });
        const context = this.deps.context?.({ documentId: request.documentId, languageId: request.languageId, prefix: request.text.slice(0, request.cursor) });
        try {
            const result = await this.deps.backend.complete(
                {
                    prompt: { kind: "document", text: request.text, cursor: request.cursor, previous: this.anchorsIn(request), ...(context ? { context: { blocks: context.blocks, maxTokens: context.maxTokens } } : {}) },
                    maxTokens: sample?.maxTokens ?? settings.maxTokens,
                    stop: sample?.stop ?? settings.stopStrings,
                    temperature: sample?.temperature ?? settings.temperature,
                    ...(sample ? { seed: sample.seed } : {}),
                    timeLimitMs: settings.timeLimitMs,
                    // The backend stops as soon as shape() could no longer change what it shows.
                    ghost: { languageId: request.languageId, eol: request.eol, maxLines: shownLines(settings) },
                },
                { signal },
            );
            const latencyMs = this.deps.now() - started;
            if (result.window) {
                this.remember(request, result.window.anchor);
                this.lastPrompt = new LastPrompt(request.text, result.window, context, result.context);
            }
            this.deps.onRequest?.({ kind: "done", result, latencyMs });
            if (result.stats.stopReason === "abort") return undefined;
            // The debounce adapts to what typing waits for: the greedy request, not the extras.
            if (!sample) this.deps.debounce.recordLatency(latencyMs);
            return result;
        } catch (error) {
            this.deps.onRequest?.({ kind: "error", error });
            throw error;
        }
    }

    /** Stored anchors are document offsets; the engine sees offsets within this request's slice. */
    private anchorsIn(request: GhostTextRequest): readonly WindowAnchor[] {
        const stored = this.anchors.get(request.documentId) ?? [];
        return stored.filter((anchor) => anchor.start >= request.sliceStart).map((anchor) => ({ ...anchor, start: anchor.start - request.sliceStart }));
    }

    private remember(request: GhostTextRequest, anchor: WindowAnchor): void {
        const start = anchor.start + request.sliceStart;
        const others = (this.anchors.get(request.documentId) ?? []).filter((kept) => kept.start !== start);
        this.anchors.set(request.documentId, [{ ...anchor, start }, ...others].slice(0, ANCHORS_PER_DOCUMENT));
    }

    private shape(request: GhostTextRequest, settings: Settings, prefix: string, suffix: string, completion: string): Suggestion | undefined {
        const suggestion = postprocess({
            prefix,
            suffix,
            completion,
            languageId: request.languageId,
            eol: request.eol,
            maxLines: shownLines(settings),
        });
        this.last = { raw: completion, suggestion };
        return suggestion;
    }
}

/** Post-processing's line budget: the generation stops on it too, so both read it here. */
function shownLines(settings: Settings): number {
    return settings.multiline === "never" ? 1 : settings.maxLines;
}

/** What a sampled candidate's request changes from the greedy one. */
interface Sampling {
    readonly temperature: number;
    readonly seed: number;
    readonly maxTokens: number;
    readonly stop: readonly string[];
}

/** Same text to insert: trailing whitespace alone does not make another candidate. */
function sameSuggestion(a: Suggestion, b: Suggestion): boolean {
    return a.insertText.trimEnd() === b.insertText.trimEnd();
}

function indexOrEnd(text: string, search: string, from: number): number {
    const at = text.indexOf(search, from);
    return at < 0 ? text.length : at;
}
