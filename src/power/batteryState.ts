// Does this machine run on its battery? Read per OS without native code: Linux's sysfs
// (/sys/class/power_supply), macOS's `pmset -g batt`, Windows' Win32_Battery through PowerShell. The
// parsers are pure functions of what those print; the reader takes its file and process access, so
// tests feed it real-looking outputs. Anything we cannot read is "unknown", which never pauses
// ghost text: a failed read must not cost the user their completions.

import { execFile } from "node:child_process";
import * as fs from "node:fs/promises";
import * as path from "node:path";

/** "mains" includes a machine with no battery at all (a desktop, a VM, a container). */
export type PowerSource = "battery" | "mains" | "unknown";

export interface PowerReading {
    readonly source: PowerSource;
    /** What the reading rests on, for the log: "BAT0 Discharging", "pmset: 'AC Power'", an error. */
    readonly detail: string;
}

/** One entry of /sys/class/power_supply: its attribute files, undefined where the file is missing. */
export interface PowerSupply {
    readonly name: string;
    readonly type?: string;
    readonly online?: string;
    readonly status?: string;
    /** "Device" for a peripheral's battery (a wireless mouse): not what powers the machine. */
    readonly scope?: string;
}

/** Supplies that feed the machine from outside: an AC adapter, a USB(-C) charger, a charging pad. */
const EXTERNAL_TYPES = new Set(["mains", "usb", "wireless"]);

/**
 * Linux: an external supply online (`online` 1) means mains; no system battery means mains; then the
 * battery's `status`: "Discharging" is battery, "Charging" mains; external supplies that exist but are
 * all offline mean battery (some firmware says "Unknown" or even "Full" while unplugged); "Full" and
 * "Not charging" (a charge threshold reached) with no external supply to ask mean mains.
 */
export function linuxPowerSource(supplies: readonly PowerSupply[]): PowerReading {
    const lower = (value: string | undefined) => value?.trim().toLowerCase();
    const external = supplies.filter((s) => EXTERNAL_TYPES.has(lower(s.type) ?? ""));
    const batteries = supplies.filter((s) => lower(s.type) === "battery" && lower(s.scope) !== "device");
    const online = external.find((s) => s.online?.trim() === "1");
    if (online) return { source: "mains", detail: `${online.name} online` };
    if (batteries.length === 0) return { source: "mains", detail: "no battery" };
    const withStatus = (status: string) => batteries.find((b) => lower(b.status) === status);
    const discharging = withStatus("discharging");
    if (discharging) return { source: "battery", detail: `${discharging.name} Discharging` };
    const charging = withStatus("charging");
    if (charging) return { source: "mains", detail: `${charging.name} Charging` };
    if (external.length > 0) return { source: "battery", detail: `${external.map((s) => s.name).join(", ")} offline` };
    const idle = withStatus("full") ?? withStatus("not charging");
    if (idle) return { source: "mains", detail: `${idle.name} ${idle.status?.trim()}` };
    return { source: "unknown", detail: `battery status ${batteries.map((b) => `${b.name} ${b.status?.trim() ?? "unreadable"}`).join(", ")}` };
}

/** macOS: the first line of `pmset -g batt` says what the machine draws from (a UPS counts as unknown). */
export function macPowerSource(pmsetOutput: string): PowerReading {
    const from = /Now drawing from '([^']+)'/.exec(pmsetOutput)?.[1];
    if (from === "Battery Power") return { source: "battery", detail: `pmset: '${from}'` };
    if (from === "AC Power") return { source: "mains", detail: `pmset: '${from}'` };
    return { source: "unknown", detail: from ? `pmset: '${from}'` : `pmset said: ${pmsetOutput.trim().slice(0, 80)}` };
}

/**
 * Windows: Win32_Battery's BatteryStatus, one number per battery. 1 = discharging; 2 = on AC (not
 * necessarily charging), 3 = fully charged, 6-9 = charging, 11 = partially charged. 4 and 5 (low,
 * critical) and 10 (undefined) say nothing about the charger. Any battery on AC means AC (the charger
 * feeds them all); no battery at all (nothing printed) means mains.
 */
export function windowsPowerSource(output: string): PowerReading {
    const statuses = output
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => /^\d+$/.test(line))
        .map(Number);
    if (statuses.length === 0) return { source: output.trim() === "" ? "mains" : "unknown", detail: output.trim() === "" ? "no battery" : `BatteryStatus: ${output.trim().slice(0, 80)}` };
    const detail = `BatteryStatus ${statuses.join(", ")}`;
    if (statuses.some((s) => WINDOWS_ON_AC.has(s))) return { source: "mains", detail };
    if (statuses.includes(1)) return { source: "battery", detail };
    return { source: "unknown", detail };
}

const WINDOWS_ON_AC = new Set([2, 3, 6, 7, 8, 9, 11]);

/** What the reader may touch: injected, so tests run each OS's reading on any OS. */
export interface PowerProbe {
    readonly platform: NodeJS.Platform;
    /** Linux: the folder of power supplies, /sys/class/power_supply. */
    readonly powerSupplyDir: () => string;
    readonly readDir: (dir: string) => Promise<readonly string[]>;
    readonly readFile: (file: string) => Promise<string>;
    /** Runs a program and resolves its stdout; rejects on a non-zero exit or after its time limit. */
    readonly run: (file: string, args: readonly string[]) => Promise<string>;
}

export const LINUX_POWER_SUPPLY_DIR = "/sys/class/power_supply";
const PMSET = "/usr/bin/pmset";
const WINDOWS_BATTERY_QUERY = "(Get-CimInstance -ClassName Win32_Battery).BatteryStatus";

/** The machine's power source now; never rejects. */
export async function readPowerSource(probe: PowerProbe): Promise<PowerReading> {
    try {
        switch (probe.platform) {
            case "linux":
                return linuxPowerSource(await readLinuxSupplies(probe));
            case "darwin":
                return macPowerSource(await probe.run(PMSET, ["-g", "batt"]));
            case "win32":
                return windowsPowerSource(await probe.run("powershell.exe", ["-NoProfile", "-NonInteractive", "-Command", WINDOWS_BATTERY_QUERY]));
            default:
                return { source: "unknown", detail: `no reader for ${probe.platform}` };
        }
    } catch (error) {
        return { source: "unknown", detail: error instanceof Error ? error.message : String(error) };
    }
}

async function readLinuxSupplies(probe: PowerProbe): Promise<PowerSupply[]> {
    const dir = probe.powerSupplyDir();
    const names = await probe.readDir(dir);
    // An attribute a driver does not offer (or fails to read, e.g. EIO from a dying battery) is absent.
    const attribute = (name: string, file: string) => probe.readFile(path.posix.join(dir, name, file)).catch(() => undefined);
    return Promise.all(
        names.map(async (name) => {
            const [type, online, status, scope] = await Promise.all(["type", "online", "status", "scope"].map((file) => attribute(name, file)));
            return { name, type, online, status, scope };
        }),
    );
}

/**
 * How often to read while the setting is on. A sysfs read of a laptop's three supplies took 2.8 ms
 * (12 small files, on a busy Linux machine; 0.07 ms for an empty folder) and pmset is one short
 * process; Windows starts PowerShell for each read (a few hundred ms of CPU, not measured here), so
 * it reads half as often.
 */
export function pollIntervalMs(platform: NodeJS.Platform): number {
    return platform === "win32" ? 120_000 : 60_000;
}

/** A child that hangs (PowerShell stuck on a broken WMI repository) is killed after this. */
const RUN_TIME_LIMIT_MS = 10_000;

/** The real machine. SOLAR_POWER_SUPPLY_DIR names another sysfs folder (the host test's fake laptop), read at each poll. */
export function nodePowerProbe(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): PowerProbe {
    return {
        platform,
        powerSupplyDir: () => env.SOLAR_POWER_SUPPLY_DIR || LINUX_POWER_SUPPLY_DIR,
        readDir: (dir) => fs.readdir(dir),
        readFile: (file) => fs.readFile(file, "utf8"),
        run: (file, args) =>
            new Promise((resolve, reject) => {
                execFile(file, args, { timeout: RUN_TIME_LIMIT_MS, windowsHide: true }, (error, stdout) => {
                    if (error) reject(error);
                    else resolve(stdout);
                });
            }),
    };
}
