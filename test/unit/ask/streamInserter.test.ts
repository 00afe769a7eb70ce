// Streaming into a document that changes under the stream: the insertion point follows every edit,
// batches go in one edit at a time with the right undo stops, refused edits are retried, and no
// interleaving of the user's edits (anywhere but at the point) corrupts either side.

import * as assert from "node:assert/strict";
import fc from "fast-check";
import { InsertionPoint, StreamInserter, type InsertTarget, type TextChange, type UndoStops } from "../../../src/ask/streamInserter";

/** A document as VS Code's extension host sees it: edits apply, and listeners get contentChanges. */
class FakeDocument {
    version = 0;
    readonly listeners: ((changes: TextChange[]) => void)[] = [];
    readonly undoLog: { text: string; undo: UndoStops }[] = [];

    constructor(public text: string) {}

    edit(offset: number, deleteCount: number, insert: string): void {
        this.text = this.text.slice(0, offset) + insert + this.text.slice(offset + deleteCount);
        this.version++;
        for (const listener of this.listeners) listener([{ rangeOffset: offset, rangeLength: deleteCount, text: insert }]);
    }

    /** Like editor.edit: refused (false) when the document moved on since `version` was read. */
    target(hooks: { beforeApply?: () => void } = {}): InsertTarget {
        return {
            insert: async (offset, text, undo) => {
                const version = this.version;
                await Promise.resolve();
                hooks.beforeApply?.();
                if (this.version !== version) return false;
                this.undoLog.push({ text, undo });
                if (text) this.edit(offset, 0, text);
                return true;
            },
        };
    }
}

function tracked(document: FakeDocument, offset: number): InsertionPoint {
    const point = new InsertionPoint(offset);
    document.listeners.push((changes) => point.applyChanges(changes));
    return point;
}

/** Timers run only when the test says so. */
function manualTimers() {
    const pending = new Map<number, () => void>();
    let next = 1;
    return {
        setTimer: (callback: () => void) => (pending.set(next, callback), next++),
        clearTimer: (handle: unknown) => pending.delete(handle as number),
        fire: () => {
            const callbacks = [...pending.values()];
            pending.clear();
            for (const callback of callbacks) callback();
        },
        get count() {
            return pending.size;
        },
    };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("InsertionPoint", () => {
    it("moves with edits before it, ignores edits after it, and lands after an edit over it", () => {
        const point = new InsertionPoint(10);
        point.applyChanges([{ rangeOffset: 0, rangeLength: 0, text: "abc" }]);
        assert.equal(point.offset, 13);
        point.applyChanges([{ rangeOffset: 20, rangeLength: 5, text: "" }]);
        assert.equal(point.offset, 13);
        point.applyChanges([{ rangeOffset: 2, rangeLength: 4, text: "" }]);
        assert.equal(point.offset, 9);
        point.applyChanges([{ rangeOffset: 7, rangeLength: 2, text: "xy" }]); // ends at the point: before it
        assert.equal(point.offset, 9);
        point.applyChanges([{ rangeOffset: 9, rangeLength: 0, text: "own" }]); // at the point: the stream's own insertion
        assert.equal(point.offset, 12);
        point.applyChanges([{ rangeOffset: 10, rangeLength: 5, text: "Z" }]); // over it
        assert.equal(point.offset, 11);
        point.applyChanges([{ rangeOffset: 12, rangeLength: 0, text: "after" }]);
        assert.equal(point.offset, 11);
    });

    it("applies the changes of one event in order, as VS Code does (multi-cursor edits, bottom first)", () => {
        const point = new InsertionPoint(5);
        point.applyChanges([
            { rangeOffset: 8, rangeLength: 0, text: "x" },
            { rangeOffset: 2, rangeLength: 0, text: "x" },
        ]);
        assert.equal(point.offset, 6);
    });
});

describe("StreamInserter", () => {
    it("inserts the first chunk at once, then batches; one undo group from the first edit to the last", async () => {
        const document = new FakeDocument("ab|cd");
        const timers = manualTimers();
        const inserter = new StreamInserter(document.target(), tracked(document, 3), timers);
        inserter.push("1");
        await settle();
        assert.equal(document.text, "ab|1cd", "first chunk without waiting");
        inserter.push("2");
        inserter.push("3");
        await settle();
        assert.equal(document.text, "ab|1cd", "later chunks wait for the timer");
        assert.equal(timers.count, 1);
        timers.fire();
        await settle();
        assert.equal(document.text, "ab|123cd");
        inserter.push("4");
        await inserter.finish();
        assert.equal(document.text, "ab|1234cd");
        assert.equal(timers.count, 0);
        assert.deepEqual(document.undoLog, [
            { text: "1", undo: { before: true, after: false } },
            { text: "23", undo: { before: false, after: false } },
            { text: "4", undo: { before: false, after: true } },
        ]);
        assert.equal(inserter.inserted, 4);
        assert.equal(inserter.batches, 3);
    });

    it("closes the undo group with an empty edit when nothing is left to insert; nothing at all for an empty stream", async () => {
        const document = new FakeDocument("");
        const inserter = new StreamInserter(document.target(), tracked(document, 0), manualTimers());
        inserter.push("a");
        await settle();
        await inserter.finish();
        assert.deepEqual(document.undoLog, [
            { text: "a", undo: { before: true, after: false } },
            { text: "", undo: { before: false, after: true } },
        ]);
        const untouched = new FakeDocument("x");
        await new StreamInserter(untouched.target(), tracked(untouched, 0), manualTimers()).finish();
        assert.deepEqual(untouched.undoLog, []);
    });

    it("retries an edit refused because the user typed in between, at the point moved by that typing", async () => {
        const document = new FakeDocument("hello world");
        let typeBeforeApply = 2;
        const target = document.target({
            beforeApply: () => {
                if (typeBeforeApply-- > 0) document.edit(0, 0, ">"); // a keystroke above the stream
            },
        });
        const inserter = new StreamInserter(target, tracked(document, 5), { ...manualTimers(), sleep: async () => undefined });
        inserter.push(", dear");
        await inserter.finish();
        assert.equal(document.text, ">>hello, dear world");
    });

    it("gives up with an error when the document never holds still, keeping nothing half-done", async () => {
        const document = new FakeDocument("abc");
        const target = document.target({ beforeApply: () => document.edit(0, 0, "!") });
        const inserter = new StreamInserter(target, tracked(document, 3), { ...manualTimers(), maxRetries: 3, sleep: async () => undefined });
        inserter.push("x");
        await assert.rejects(inserter.finish(), /kept changing/);
        assert.equal(document.text, "!!!!abc");
    });

    it("any interleaving of edits away from the point: the user's edits and the stream both end up intact", async () => {
        type UserEdit = { readonly where: "before" | "after"; readonly at: number; readonly remove: number; readonly text: string };
        const userEdit = fc.record({
            where: fc.constantFrom<"before" | "after">("before", "after"),
            at: fc.nat(),
            remove: fc.nat({ max: 3 }),
            text: fc.string({ maxLength: 3 }),
        });
        await fc.assert(
            fc.asyncProperty(
                fc.array(fc.string({ minLength: 1, maxLength: 4, unit: fc.constantFrom("a", "b", " ", "\n", "é", "😀") }), { minLength: 1, maxLength: 12 }),
                fc.array(fc.array(userEdit, { maxLength: 3 }), { minLength: 12, maxLength: 12 }),
                async (chunks, editsPerStep) => {
                    // The stream goes between "[" and "]"; the user edits only the text before "[" or after "]".
                    const document = new FakeDocument("0123456789[]0123456789");
                    const point = tracked(document, 11);
                    const timers = manualTimers();
                    let step = 0;
                    // A quiet moment now and then (the first step), or a refused edit could never go in.
                    const steps: UserEdit[][] = [[], ...editsPerStep];
                    const userEditsNow = () => {
                        for (const edit of steps[step++ % steps.length]) {
                            const open = document.text.indexOf("[");
                            const close = document.text.indexOf("]");
                            const [from, to] = edit.where === "before" ? [0, open] : [close + 1, document.text.length];
                            const at = from + (edit.at % (to - from + 1));
                            document.edit(at, Math.min(edit.remove, to - at), edit.text.replace(/[[\]]/g, ""));
                        }
                    };
                    const inserter = new StreamInserter(document.target({ beforeApply: userEditsNow }), point, { ...timers, sleep: async () => undefined });
                    for (const chunk of chunks) {
                        inserter.push(chunk);
                        userEditsNow();
                        if (step % 2 === 0) timers.fire();
                        await settle();
                    }
                    await inserter.finish();
                    const inside = document.text.slice(document.text.indexOf("[") + 1, document.text.indexOf("]"));
                    assert.equal(inside, chunks.join(""));
                    assert.equal(point.offset, document.text.indexOf("]"));
                },
            ),
            { numRuns: 200 },
        );
    });
});
