// Streams generated text into a document that the user may be editing at the same time. Pure: the
// document is reached through an InsertTarget (editor.edit in the extension, a string in tests), and
// its changes come in as plain offset/length/text records (VS Code's contentChanges).
//
// - The insertion point follows every change, the stream's own included: a change wholly before it
//   shifts it, a change over it moves it to the end of the replacement. So text typed elsewhere
//   never gets overwritten and the stream never lands in the middle of someone else's edit.
// - Chunks are batched: the first goes in at once (time to first character), later ones every
//   `intervalMs`, one edit at a time.
// - Undo: the first edit opens an undo group (stop before), later ones add to it, the last closes it
//   (stop after), so one undo removes the whole insertion.
// - An edit the editor refuses because the document changed in between (VS Code checks the version)
//   is retried at the updated point.

export interface TextChange {
    readonly rangeOffset: number;
    readonly rangeLength: number;
    readonly text: string;
}

export interface UndoStops {
    readonly before: boolean;
    readonly after: boolean;
}

export interface InsertTarget {
    /**
     * Inserts `text` (possibly empty: only the undo stops then) at `offset`. Resolves false when the
     * document changed before the edit could apply: nothing was inserted, try again.
     */
    insert(offset: number, text: string, undo: UndoStops): Promise<boolean>;
}

/** An offset in a document, kept pointing at the same place while the document changes. */
export class InsertionPoint {
    constructor(private value: number) {}

    get offset(): number {
        return this.value;
    }

    /**
     * The changes of one document event, in order: VS Code applies them one after the other, each
     * range relative to the text the previous one left. An insertion exactly at the point goes
     * before it: that is also how the stream's own insertions move the point past themselves.
     */
    applyChanges(changes: readonly TextChange[]): void {
        for (const change of changes) {
            const start = change.rangeOffset;
            const end = start + change.rangeLength;
            if (end <= this.value) this.value += change.text.length - change.rangeLength;
            else if (start < this.value) this.value = start + change.text.length;
        }
    }
}

export interface StreamInserterOptions {
    /** Batching interval after the first chunk. */
    readonly intervalMs?: number;
    /** Refused edits in a row before giving up (the document changes faster than we can insert). */
    readonly maxRetries?: number;
    readonly retryDelayMs?: number;
    readonly setTimer?: (callback: () => void, ms: number) => unknown;
    readonly clearTimer?: (handle: unknown) => void;
    readonly sleep?: (ms: number) => Promise<void>;
}

export class StreamInserter {
    private pending = "";
    private insertedChars = 0;
    private edits = 0;
    private opened = false;
    private timer: unknown;
    private chain: Promise<void> = Promise.resolve();
    private failure: { readonly error: unknown } | undefined;
    private started = false;
    private finished = false;

    constructor(
        private readonly target: InsertTarget,
        readonly point: InsertionPoint,
        private readonly options: StreamInserterOptions = {},
    ) {}

    /** Characters inserted so far. */
    get inserted(): number {
        return this.insertedChars;
    }

    /** Edits that inserted text (batches). */
    get batches(): number {
        return this.edits;
    }

    push(chunk: string): void {
        if (!chunk || this.finished || this.failure) return;
        this.pending += chunk;
        if (!this.started) {
            this.started = true;
            this.flush(false);
            return;
        }
        this.timer ??= (this.options.setTimer ?? setTimeout)(() => {
            this.timer = undefined;
            this.flush(false);
        }, this.options.intervalMs ?? 50);
    }

    /** Inserts what is left and closes the undo group. Rejects if an edit failed. */
    async finish(): Promise<void> {
        if (!this.finished) {
            this.finished = true;
            if (this.timer !== undefined) (this.options.clearTimer ?? clearTimeout)(this.timer as never);
            this.timer = undefined;
            this.flush(true);
        }
        await this.chain;
        if (this.failure) throw this.failure.error;
    }

    private flush(last: boolean): void {
        this.chain = this.chain.then(() => this.insertPending(last)).catch((error: unknown) => {
            this.failure ??= { error };
        });
    }

    private async insertPending(last: boolean): Promise<void> {
        if (this.failure) return;
        for (let refused = 0; ; refused++) {
            const text = this.pending;
            // Nothing to insert: only a final edit that closes an open undo group has work to do.
            if (!text && !(last && this.opened)) return;
            this.pending = "";
            const applied = await this.target.insert(this.point.offset, text, { before: !this.opened, after: last });
            if (applied) {
                if (text) {
                    this.opened = true;
                    this.edits++;
                    this.insertedChars += text.length;
                }
                if (last) this.opened = false;
                return;
            }
            this.pending = text + this.pending;
            if (refused >= (this.options.maxRetries ?? 50)) {
                throw new Error("The document kept changing: the streamed text could not be inserted.");
            }
            await (this.options.sleep ?? defaultSleep)(this.options.retryDelayMs ?? 10);
        }
    }
}

function defaultSleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
