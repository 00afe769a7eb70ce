// When the snippets in a document's prompt may change. They sit before the window, so any change to
// them makes the engine evaluate the whole prompt again (on a CPU, minutes for Solar): a keystroke
// must never change them. Each document keeps the set it adopted, so going back to a file finds the
// prompt, and the KV state, it left. A set is chosen afresh only at calm moments:
// - the first request in a document (a switch to a file not seen yet);
// - the first request after a pause in typing (CALM_PAUSE_MS without a request);
// - the first request after a save or a settings change (markStale).
// Even then the new set is adopted only when it differs from the kept one.

/** A set of snippet blocks with a label for each, as the retrieval chose them. */
export interface SnippetSet {
    readonly blocks: readonly string[];
    readonly labels: readonly string[];
}

/** Where a prompt is being made: the document, its language, and its text before the cursor. */
export interface ContextQuery {
    readonly documentId: string;
    readonly languageId: string;
    readonly prefix: string;
}

export interface ContextPolicyDeps {
    /** Chooses snippets matching the query's prefix, within `maxTokens`. */
    readonly select: (query: ContextQuery, maxTokens: number) => SnippetSet;
    readonly now: () => number;
    readonly settings: () => { readonly enabled: boolean; readonly maxTokens: number };
}

/** Longer than the gaps of steady typing, short enough that a pause to think counts. */
export const CALM_PAUSE_MS = 4_000;
/** Documents whose sets are remembered; the least recently asked is forgotten first. */
const MAX_DOCUMENTS = 32;

export class ContextPolicy {
    private readonly adopted = new Map<string, SnippetSet>();
    private readonly stale = new Set<string>();
    private lastRequestAt = -Infinity;

    constructor(private readonly deps: ContextPolicyDeps) {}

    /** The blocks for this request's prompt, or undefined when context is off or empty. */
    contextFor(query: ContextQuery): (SnippetSet & { readonly maxTokens: number }) | undefined {
        const { documentId } = query;
        const { enabled, maxTokens } = this.deps.settings();
        if (!enabled || maxTokens <= 0) return undefined;
        const now = this.deps.now();
        const paused = now - this.lastRequestAt >= CALM_PAUSE_MS;
        this.lastRequestAt = now;
        let set = this.adopted.get(documentId);
        if (set === undefined || paused || this.stale.has(documentId)) {
            this.stale.delete(documentId);
            const fresh = this.deps.select(query, maxTokens);
            if (set === undefined || !sameBlocks(set, fresh)) set = fresh;
        }
        // Re-inserted: the map's order is the order of use.
        this.adopted.delete(documentId);
        this.adopted.set(documentId, set);
        if (this.adopted.size > MAX_DOCUMENTS) this.forget(this.adopted.keys().next().value as string);
        return set.blocks.length === 0 ? undefined : { ...set, maxTokens };
    }

    /** A save or a settings change: each kept set is chosen again at its document's next request. */
    markStale(): void {
        for (const documentId of this.adopted.keys()) this.stale.add(documentId);
    }

    forget(documentId: string): void {
        this.adopted.delete(documentId);
        this.stale.delete(documentId);
    }
}

function sameBlocks(a: SnippetSet, b: SnippetSet): boolean {
    return a.blocks.length === b.blocks.length && a.blocks.every((block, i) => block === b.blocks[i]);
}
