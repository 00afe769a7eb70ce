// One prompt at a time, and ghost text out of its way: paused while a prompt runs, resumed after
// the wind-down (the base model back), a second prompt asks before aborting the first and takes
// over without resuming ghost text in between.

import * as assert from "node:assert/strict";
import { GhostTextControls } from "../../../src/completion/controls";
import { ASK_PAUSE_REASON, AskGate } from "../../../src/ask/askGate";

function memento() {
    const values = new Map<string, unknown>();
    return { get: <T>(key: string) => values.get(key) as T | undefined, update: async (key: string, value: unknown) => void values.set(key, value) };
}

describe("AskGate", () => {
    let controls: GhostTextControls;
    let events: string[];
    let gate: AskGate;
    const yes = async () => true;
    const no = async () => false;

    beforeEach(() => {
        controls = new GhostTextControls(memento(), Date.now);
        events = [];
        gate = new AskGate({
            pause: (reason) => {
                events.push("pause");
                const resume = controls.pauseFor(reason);
                return () => {
                    events.push("resume");
                    resume();
                };
            },
            windDown: async () => void events.push("windDown"),
            onChange: (busy) => events.push(busy ? "busy" : "idle"),
        });
    });

    it("pauses ghost text while a prompt runs, winds down, then resumes", async () => {
        const lease = await gate.acquire(no);
        assert.ok(lease);
        assert.equal(controls.pausedBy, ASK_PAUSE_REASON);
        assert.equal(gate.busy, true);
        lease.release();
        lease.release(); // idempotent
        assert.equal(gate.busy, false);
        await gate.acquire(no).then((next) => next?.release());
        assert.deepEqual(events.slice(0, 5), ["pause", "busy", "windDown", "resume", "idle"]);
        assert.equal(controls.pausedBy, undefined);
    });

    it("a second prompt asks; declined, the first keeps running untouched", async () => {
        const first = await gate.acquire(no);
        assert.ok(first);
        let asked = 0;
        const second = await gate.acquire(async () => (asked++, false));
        assert.equal(second, undefined);
        assert.equal(asked, 1);
        assert.equal(first.signal.aborted, false);
        assert.equal(controls.pausedBy, ASK_PAUSE_REASON);
        first.release();
    });

    it("a second prompt, confirmed, aborts the first and takes over without resuming ghost text in between", async () => {
        const first = await gate.acquire(no);
        assert.ok(first);
        first.signal.addEventListener("abort", () => setTimeout(() => first.release(), 10)); // the first winds up
        const second = await gate.acquire(yes);
        assert.ok(second);
        assert.equal(first.signal.aborted, true);
        assert.equal(second.signal.aborted, false);
        assert.deepEqual(events, ["pause", "busy", "busy"], "no wind-down, no resume between the two");
        assert.equal(controls.pausedBy, ASK_PAUSE_REASON);
        second.release();
        await gate.acquire(no).then((next) => next?.release());
        assert.deepEqual(events.slice(3, 6), ["windDown", "resume", "idle"]);
    });

    it("cancel() aborts the running prompt (Escape, the notification's Cancel); lease.cancel() only its own", async () => {
        assert.equal(gate.cancel(), false);
        const lease = await gate.acquire(no);
        assert.ok(lease);
        assert.equal(gate.cancel(), true);
        assert.equal(lease.signal.aborted, true);
        lease.release();
        const next = await gate.acquire(no);
        lease.cancel(); // a late Cancel from the old prompt's notification
        assert.equal(next?.signal.aborted, false);
        next?.cancel();
        assert.equal(next?.signal.aborted, true);
        next?.release();
    });

    it("a new prompt waits for the last one's wind-down (the base model reloading) before it starts", async () => {
        let finishWindDown = () => undefined as void;
        const slow = new AskGate({
            pause: () => () => events.push("resume"),
            windDown: () => new Promise<void>((resolve) => (finishWindDown = resolve)),
        });
        (await slow.acquire(no))?.release();
        let started = false;
        const next = slow.acquire(no).then((lease) => ((started = true), lease));
        await new Promise((resolve) => setTimeout(resolve, 20));
        assert.equal(started, false);
        finishWindDown();
        (await next)?.release();
        assert.equal(started, true);
    });
});
