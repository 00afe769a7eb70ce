import * as assert from "node:assert/strict";
import { GhostTextControls } from "../../../src/completion/controls";

function memento() {
    const values = new Map<string, unknown>();
    return { get: <T>(key: string) => values.get(key) as T | undefined, update: async (key: string, value: unknown) => void values.set(key, value) };
}

describe("ghost text controls", () => {
    it("stacks pauses: each lifts only its own, the latest is the one shown", () => {
        let changes = 0;
        const controls = new GhostTextControls(memento(), Date.now, () => changes++);
        const battery = controls.pauseFor("on battery");
        const prompt = controls.pauseFor("a Solar prompt is running");
        assert.equal(controls.pausedBy, "a Solar prompt is running");
        battery();
        assert.equal(controls.pausedBy, "a Solar prompt is running", "lifting the older pause keeps the newer");
        const again = controls.pauseFor("on battery");
        prompt();
        prompt(); // idempotent: it must not lift the battery's pause
        assert.equal(controls.pausedBy, "on battery");
        again();
        assert.equal(controls.pausedBy, undefined);
        assert.equal(changes, 7, "every pause and lift tells the status bar");
    });

    it("keeps two pauses with the same reason apart", () => {
        const controls = new GhostTextControls(memento(), Date.now);
        const first = controls.pauseFor("a Solar prompt is running");
        const second = controls.pauseFor("a Solar prompt is running");
        first();
        assert.equal(controls.pausedBy, "a Solar prompt is running");
        second();
        assert.equal(controls.pausedBy, undefined);
    });
});
