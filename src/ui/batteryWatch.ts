// The VS Code edge of solarComplete.pauseOnBattery: the pure BatteryPause (src/power/batteryPause.ts)
// with this machine's reader, real timers and the log. register.ts builds it and tells it when the
// settings change; it reads the power source only while the setting is on.

import type * as vscode from "vscode";
import { BatteryPause } from "../power/batteryPause";
import { nodePowerProbe, pollIntervalMs, readPowerSource } from "../power/batteryState";

export interface BatteryWatchDeps {
    /** solarComplete.pauseOnBattery as the session read it. */
    readonly enabled: () => boolean;
    readonly pause: (reason: string) => () => void;
    readonly log: vscode.LogOutputChannel;
}

export class BatteryWatch implements vscode.Disposable {
    private readonly battery: BatteryPause;

    constructor(private readonly deps: BatteryWatchDeps) {
        const probe = nodePowerProbe();
        this.battery = new BatteryPause({
            read: () => readPowerSource(probe),
            pause: deps.pause,
            timers: { set: (run, ms) => setTimeout(run, ms), clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>) },
            intervalMs: pollIntervalMs(probe.platform),
            log: (message) => deps.log.info(message),
        });
        this.settingsChanged();
    }

    /** After the session has read the new settings. */
    settingsChanged(): void {
        this.battery.setEnabled(this.deps.enabled());
    }

    dispose(): void {
        this.battery.dispose();
    }
}
