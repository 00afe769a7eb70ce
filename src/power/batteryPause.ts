// solarComplete.pauseOnBattery: ghost text pauses while the machine runs on its battery. The power
// source is read only while the setting is on: once when it turns on, then every interval, the
// next read timed from the end of the last, so reads never overlap; never on a keystroke. "unknown"
// never pauses. Plain TypeScript: the reader, the timers and the pause come in from the adapter
// (src/ui/batteryWatch.ts).

import type { PowerReading } from "./batteryState";

/** What the status bar's tooltip shows after "Ghost text paused: ". */
export const BATTERY_PAUSE_REASON = "on battery (solarComplete.pauseOnBattery)";

export interface Timers {
    set(run: () => void, ms: number): unknown;
    clear(handle: unknown): void;
}

export interface BatteryPauseDeps {
    readonly read: () => Promise<PowerReading>;
    /** Pauses ghost text until the returned function is called (GhostTextControls.pauseFor). */
    readonly pause: (reason: string) => () => void;
    readonly timers: Timers;
    readonly intervalMs: number;
    /** Each change of the power source, once. */
    readonly log?: (message: string) => void;
}

interface Polling {
    stopped: boolean;
    timer?: unknown;
}

export class BatteryPause {
    private polling: Polling | undefined;
    private resume: (() => void) | undefined;
    private last: PowerReading | undefined;

    constructor(private readonly deps: BatteryPauseDeps) {}

    /** The last reading while polling; undefined while the setting is off or before the first read. */
    get reading(): PowerReading | undefined {
        return this.last;
    }

    get paused(): boolean {
        return this.resume !== undefined;
    }

    /** The setting's value: on reads now and then every interval; off stops reading and lifts the pause. */
    setEnabled(on: boolean): void {
        if (on === (this.polling !== undefined)) return;
        if (!on) {
            this.stop();
            return;
        }
        const polling: Polling = { stopped: false };
        this.polling = polling;
        void this.poll(polling);
    }

    dispose(): void {
        this.stop();
    }

    private async poll(polling: Polling): Promise<void> {
        const reading = await this.deps.read().catch((error: unknown): PowerReading => ({ source: "unknown", detail: String(error) }));
        // Turned off (or off and on again) while reading: this result belongs to nobody.
        if (polling.stopped) return;
        this.apply(reading);
        polling.timer = this.deps.timers.set(() => void this.poll(polling), this.deps.intervalMs);
    }

    private apply(reading: PowerReading): void {
        if (reading.source !== this.last?.source) this.deps.log?.(`Power source: ${reading.source} (${reading.detail})${reading.source === "battery" ? ", ghost text paused" : ""}.`);
        this.last = reading;
        if (reading.source === "battery") this.resume ??= this.deps.pause(BATTERY_PAUSE_REASON);
        else this.lift();
    }

    private stop(): void {
        const polling = this.polling;
        if (!polling) return;
        polling.stopped = true;
        if (polling.timer !== undefined) this.deps.timers.clear(polling.timer);
        this.polling = undefined;
        this.last = undefined;
        this.lift();
    }

    private lift(): void {
        const resume = this.resume;
        this.resume = undefined;
        resume?.();
    }
}
