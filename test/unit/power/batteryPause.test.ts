// When the battery pause reads the power source and what it does with the reading, on a fake clock
// and a scripted reader, driving the real GhostTextControls.

import * as assert from "node:assert/strict";
import { GhostTextControls } from "../../../src/completion/controls";
import { BATTERY_PAUSE_REASON, BatteryPause, type Timers } from "../../../src/power/batteryPause";
import type { PowerReading, PowerSource } from "../../../src/power/batteryState";

const INTERVAL = 60_000;

class FakeClock implements Timers {
    now = 0;
    private next = 1;
    private readonly pending = new Map<number, { at: number; run: () => void }>();

    set(run: () => void, ms: number): unknown {
        const id = this.next++;
        this.pending.set(id, { at: this.now + ms, run });
        return id;
    }

    clear(handle: unknown): void {
        this.pending.delete(handle as number);
    }

    get timers(): number {
        return this.pending.size;
    }

    /** Moves time on, running each timer that comes due and letting the reads it starts finish. */
    async advance(ms: number): Promise<void> {
        const until = this.now + ms;
        for (;;) {
            const due = [...this.pending].filter(([, t]) => t.at <= until).sort(([, a], [, b]) => a.at - b.at)[0];
            if (!due) break;
            this.pending.delete(due[0]);
            this.now = due[1].at;
            due[1].run();
            await settle();
        }
        this.now = until;
    }
}

/** Lets pending promise callbacks (a read that resolved, the poll after it) run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function memento() {
    const values = new Map<string, unknown>();
    return { get: <T>(key: string) => values.get(key) as T | undefined, update: async (key: string, value: unknown) => void values.set(key, value) };
}

function setup(first: PowerSource = "battery") {
    const clock = new FakeClock();
    let changes = 0;
    const controls = new GhostTextControls(memento(), () => clock.now, () => changes++);
    const power = { source: first as PowerSource | Error, reads: 0 };
    const logged: string[] = [];
    const pause = new BatteryPause({
        read: async (): Promise<PowerReading> => {
            power.reads++;
            if (power.source instanceof Error) throw power.source;
            return { source: power.source, detail: "scripted" };
        },
        pause: (reason) => controls.pauseFor(reason),
        timers: clock,
        intervalMs: INTERVAL,
        log: (message) => logged.push(message),
    });
    return { clock, controls, power, pause, logged, changes: () => changes };
}

describe("battery pause", () => {
    it("reads nothing while the setting is off", async () => {
        const { clock, power, pause, controls } = setup();
        pause.setEnabled(false);
        await clock.advance(10 * INTERVAL);
        assert.equal(power.reads, 0);
        assert.equal(clock.timers, 0);
        assert.equal(controls.pausedBy, undefined);
    });

    it("reads once when turned on, then once per interval, and pauses ghost text on battery only", async () => {
        const { clock, power, pause, controls, changes } = setup("battery");
        pause.setEnabled(true);
        await settle();
        assert.equal(power.reads, 1);
        assert.equal(controls.pausedBy, BATTERY_PAUSE_REASON);
        assert.equal(changes(), 1, "the status bar is told");

        await clock.advance(INTERVAL - 1);
        assert.equal(power.reads, 1, "no read before the interval is up");
        await clock.advance(1);
        assert.equal(power.reads, 2);
        assert.equal(changes(), 1, "still on battery: nothing to redraw");

        power.source = "mains";
        await clock.advance(INTERVAL);
        assert.equal(power.reads, 3);
        assert.equal(controls.pausedBy, undefined, "plugged in: ghost text is back");
        assert.equal(pause.paused, false);

        power.source = "battery";
        await clock.advance(INTERVAL);
        assert.equal(controls.pausedBy, BATTERY_PAUSE_REASON);
        assert.equal(clock.timers, 1, "one timer, never a pile of them");
    });

    it("never pauses on an unknown or failed reading, and lifts a pause when the source turns unknown", async () => {
        const { clock, power, pause, controls } = setup("unknown");
        pause.setEnabled(true);
        await settle();
        assert.equal(controls.pausedBy, undefined);
        power.source = new Error("powershell.exe timed out");
        await clock.advance(INTERVAL);
        assert.equal(controls.pausedBy, undefined);
        assert.deepEqual(pause.reading?.source, "unknown");
        assert.equal(clock.timers, 1, "a failed read still schedules the next");

        power.source = "battery";
        await clock.advance(INTERVAL);
        assert.equal(controls.pausedBy, BATTERY_PAUSE_REASON);
        power.source = "unknown";
        await clock.advance(INTERVAL);
        assert.equal(controls.pausedBy, undefined);
    });

    it("turned off, stops reading and lifts its pause", async () => {
        const { clock, power, pause, controls } = setup("battery");
        pause.setEnabled(true);
        await settle();
        assert.equal(controls.pausedBy, BATTERY_PAUSE_REASON);
        pause.setEnabled(false);
        assert.equal(controls.pausedBy, undefined);
        assert.equal(pause.reading, undefined);
        assert.equal(clock.timers, 0);
        await clock.advance(10 * INTERVAL);
        assert.equal(power.reads, 1);
    });

    it("ignores a read that finishes after the setting went off, and reads afresh when it comes back on", async () => {
        const { clock, power, pause, controls } = setup("battery");
        pause.setEnabled(true); // the read is in flight
        pause.setEnabled(false);
        await settle();
        assert.equal(controls.pausedBy, undefined, "the late reading pauses nothing");
        assert.equal(clock.timers, 0, "and schedules nothing");

        power.source = "mains";
        pause.setEnabled(true);
        pause.setEnabled(true); // the same value again, as every settings change repeats it
        await settle();
        assert.equal(power.reads, 2);
        assert.equal(clock.timers, 1);
        pause.dispose();
        assert.equal(clock.timers, 0);
    });

    it("logs each change of the power source once", async () => {
        const { clock, power, pause, logged } = setup("mains");
        pause.setEnabled(true);
        await settle();
        await clock.advance(INTERVAL);
        power.source = "battery";
        await clock.advance(INTERVAL);
        await clock.advance(INTERVAL);
        assert.deepEqual(logged, ["Power source: mains (scripted).", "Power source: battery (scripted), ghost text paused."]);
    });

    it("keeps its pause when a command-palette prompt pauses and resumes in between", async () => {
        const { pause, controls } = setup("battery");
        pause.setEnabled(true);
        await settle();
        const resumePrompt = controls.pauseFor("a Solar prompt is running");
        assert.equal(controls.pausedBy, "a Solar prompt is running", "the latest pause is the one shown");
        resumePrompt();
        assert.equal(controls.pausedBy, BATTERY_PAUSE_REASON, "the prompt ended, the machine is still on battery");
        pause.setEnabled(false);
        assert.equal(controls.pausedBy, undefined);
    });
});
