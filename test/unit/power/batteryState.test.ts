// Reading the power source per OS from what each OS really prints: sysfs trees as laptops, desktops
// and VMs expose them, `pmset -g batt` output, Win32_Battery through PowerShell (and WMIC's layout).
// One test reads this machine's own /sys/class/power_supply, no fakes.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    LINUX_POWER_SUPPLY_DIR,
    linuxPowerSource,
    macPowerSource,
    nodePowerProbe,
    pollIntervalMs,
    readPowerSource,
    windowsPowerSource,
    type PowerProbe,
} from "../../../src/power/batteryState";

/** A sysfs tree: supply name -> its attribute files, each ending in a newline as the kernel writes it. */
type SysfsTree = Record<string, Record<string, string>>;

function enoent(file: string): Error {
    return Object.assign(new Error(`ENOENT: no such file or directory, open '${file}'`), { code: "ENOENT" });
}

function linuxProbe(tree: SysfsTree | undefined): PowerProbe {
    return {
        platform: "linux",
        powerSupplyDir: () => LINUX_POWER_SUPPLY_DIR,
        readDir: async (dir) => {
            if (dir !== LINUX_POWER_SUPPLY_DIR || !tree) throw enoent(dir);
            return Object.keys(tree);
        },
        readFile: async (file) => {
            const [name, attribute] = file.slice(LINUX_POWER_SUPPLY_DIR.length + 1).split("/");
            const value = tree?.[name]?.[attribute];
            if (value === undefined) throw enoent(file);
            return value;
        },
        run: async () => assert.fail("Linux reads sysfs, it runs nothing"),
    };
}

function commandProbe(platform: NodeJS.Platform, output: string | Error): PowerProbe & { readonly calls: string[][] } {
    const calls: string[][] = [];
    return {
        platform,
        calls,
        powerSupplyDir: () => assert.fail("only Linux reads sysfs"),
        readDir: async () => assert.fail("only Linux reads sysfs"),
        readFile: async () => assert.fail("only Linux reads sysfs"),
        run: async (file, args) => {
            calls.push([file, ...args]);
            if (output instanceof Error) throw output;
            return output;
        },
    };
}

// A ThinkPad (ACPI AC adapter, one battery, a USB-C port through UCSI) and a Logitech mouse's battery.
const ac = (online: 0 | 1) => ({ type: "Mains\n", online: `${online}\n` });
const battery = (status: string) => ({ type: "Battery\n", status: `${status}\n`, capacity: "87\n", technology: "Li-poly\n", present: "1\n" });
const usbC = (online: 0 | 1) => ({ type: "USB\n", online: `${online}\n`, usb_type: "[C] PD PD_PPS\n", scope: "Unknown\n" });
const mouse = { type: "Battery\n", status: "Discharging\n", scope: "Device\n", model_name: "MX Master 3\n", online: "1\n" };

describe("battery state", () => {
    describe("Linux: /sys/class/power_supply", () => {
        const cases: { name: string; tree: SysfsTree | undefined; source: string; detail?: string }[] = [
            { name: "laptop charging", tree: { AC: ac(1), BAT0: battery("Charging"), "ucsi-source-psy-USBC000:001": usbC(0) }, source: "mains", detail: "AC online" },
            { name: "laptop unplugged", tree: { AC: ac(0), BAT0: battery("Discharging"), "ucsi-source-psy-USBC000:001": usbC(0) }, source: "battery", detail: "BAT0 Discharging" },
            { name: "charged over USB-C", tree: { AC: ac(0), BAT0: battery("Charging"), "ucsi-source-psy-USBC000:002": usbC(1) }, source: "mains", detail: "ucsi-source-psy-USBC000:002 online" },
            { name: "on AC at a charge threshold", tree: { AC: ac(1), BAT0: battery("Not charging") }, source: "mains" },
            // Some firmware keeps "Full" (or says "Unknown") for a while after the plug is pulled: the adapter knows better.
            { name: "unplugged while the battery still says Full", tree: { ADP1: ac(0), BAT1: battery("Full") }, source: "battery", detail: "ADP1 offline" },
            { name: "unplugged, battery status Unknown", tree: { ADP1: ac(0), BAT1: battery("Unknown") }, source: "battery" },
            { name: "on AC, two batteries, one discharging into the other", tree: { AC: ac(1), BAT0: battery("Discharging"), BAT1: battery("Charging") }, source: "mains" },
            { name: "no adapter exposed, battery Full", tree: { BAT0: battery("Full") }, source: "mains", detail: "BAT0 Full" },
            { name: "no adapter exposed, battery Discharging", tree: { BAT0: battery("Discharging") }, source: "battery" },
            { name: "no adapter exposed, battery status unreadable", tree: { BAT0: { type: "Battery\n" } }, source: "unknown" },
            { name: "desktop with a wireless mouse", tree: { hidpp_battery_0: mouse }, source: "mains", detail: "no battery" },
            { name: "VM or container: the folder is empty", tree: {}, source: "mains", detail: "no battery" },
            { name: "no sysfs at all", tree: undefined, source: "unknown" },
        ];
        for (const c of cases) {
            it(c.name, async () => {
                const reading = await readPowerSource(linuxProbe(c.tree));
                assert.equal(reading.source, c.source, reading.detail);
                if (c.detail) assert.equal(reading.detail, c.detail);
            });
        }

        it("ignores case and surrounding whitespace in attribute values", () => {
            assert.equal(linuxPowerSource([{ name: "BAT0", type: " battery ", status: "DISCHARGING\n" }]).source, "battery");
        });

        it("reads a sysfs tree from disk: a fake laptop in SOLAR_POWER_SUPPLY_DIR, unplugged, then plugged in", async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "solar-power-"));
            try {
                const write = (tree: SysfsTree) => {
                    for (const [name, attributes] of Object.entries(tree)) {
                        fs.mkdirSync(path.join(dir, name), { recursive: true });
                        for (const [file, value] of Object.entries(attributes)) fs.writeFileSync(path.join(dir, name, file), value);
                    }
                };
                write({ AC: ac(0), BAT0: battery("Discharging"), hidpp_battery_0: mouse });
                const probe = nodePowerProbe("linux", { SOLAR_POWER_SUPPLY_DIR: dir });
                assert.deepEqual(await readPowerSource(probe), { source: "battery", detail: "BAT0 Discharging" });
                write({ AC: ac(1), BAT0: battery("Charging") });
                assert.deepEqual(await readPowerSource(probe), { source: "mains", detail: "AC online" });
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("reads this machine's own power supplies (a real read: no battery here means mains)", async function () {
            if (process.platform !== "linux") this.skip();
            const started = performance.now();
            const reading = await readPowerSource(nodePowerProbe("linux", {}));
            const ms = performance.now() - started;
            assert.ok(["battery", "mains", "unknown"].includes(reading.source), reading.detail);
            const entries = fs.existsSync(LINUX_POWER_SUPPLY_DIR) ? fs.readdirSync(LINUX_POWER_SUPPLY_DIR) : undefined;
            if (entries === undefined) assert.equal(reading.source, "unknown");
            else if (entries.length === 0) assert.deepEqual(reading, { source: "mains", detail: "no battery" });
            else assert.notEqual(reading.source, "unknown", `${entries.join(", ")}: ${reading.detail}`);
            assert.ok(ms < 1_000, `a sysfs read took ${ms.toFixed(1)} ms`);
        });
    });

    describe("macOS: pmset -g batt", () => {
        const onBattery = "Now drawing from 'Battery Power'\n -InternalBattery-0 (id=10813539)\t83%; discharging; 6:41 remaining present: true\n";
        const charging = "Now drawing from 'AC Power'\n -InternalBattery-0 (id=10813539)\t91%; charging; 0:24 remaining present: true\n";
        const heldAt80 = "Now drawing from 'AC Power'\n -InternalBattery-0 (id=10813539)\t80%; AC attached; not charging present: true\n";
        const macMini = "Now drawing from 'AC Power'\n";
        const ups = "Now drawing from 'UPS Power'\n -CP1500PFCLCDa (id=3801)\t97%; discharging; (no estimate) present: true\n";

        it("reads the source pmset draws from", async () => {
            const probe = commandProbe("darwin", onBattery);
            assert.deepEqual(await readPowerSource(probe), { source: "battery", detail: "pmset: 'Battery Power'" });
            assert.deepEqual(probe.calls, [["/usr/bin/pmset", "-g", "batt"]]);
            for (const output of [charging, heldAt80, macMini]) assert.equal(macPowerSource(output).source, "mains", output);
        });

        it("does not guess: a UPS, odd output or a failed pmset is unknown", async () => {
            assert.equal(macPowerSource(ups).source, "unknown");
            assert.equal(macPowerSource("").source, "unknown");
            assert.equal((await readPowerSource(commandProbe("darwin", new Error("spawn /usr/bin/pmset ENOENT")))).source, "unknown");
        });
    });

    describe("Windows: Win32_Battery BatteryStatus", () => {
        it("asks PowerShell for BatteryStatus, without the user's profile", async () => {
            const probe = commandProbe("win32", "1\r\n");
            assert.deepEqual(await readPowerSource(probe), { source: "battery", detail: "BatteryStatus 1" });
            assert.deepEqual(probe.calls, [["powershell.exe", "-NoProfile", "-NonInteractive", "-Command", "(Get-CimInstance -ClassName Win32_Battery).BatteryStatus"]]);
        });

        it("maps each status: 1 discharging, 2/3/6-9/11 on AC, the rest unknown", () => {
            assert.equal(windowsPowerSource("1\r\n").source, "battery");
            for (const status of [2, 3, 6, 7, 8, 9, 11]) assert.equal(windowsPowerSource(`${status}\r\n`).source, "mains", String(status));
            for (const status of [4, 5, 10]) assert.equal(windowsPowerSource(`${status}\r\n`).source, "unknown", String(status));
        });

        it("takes AC when any of two batteries is on it, and no battery as mains", () => {
            assert.equal(windowsPowerSource("1\r\n2\r\n").source, "mains");
            assert.equal(windowsPowerSource("1\r\n1\r\n").source, "battery");
            assert.deepEqual(windowsPowerSource(""), { source: "mains", detail: "no battery" });
            assert.deepEqual(windowsPowerSource("\r\n"), { source: "mains", detail: "no battery" });
        });

        it("reads WMIC's table too (header, padded values, \\r\\r\\n line ends)", () => {
            assert.equal(windowsPowerSource("BatteryStatus  \r\r\n1              \r\r\n\r\r\n").source, "battery");
            assert.equal(windowsPowerSource("BatteryStatus  \r\r\n2              \r\r\n\r\r\n").source, "mains");
        });

        it("is unknown when PowerShell fails, times out or prints something else", async () => {
            const timedOut = Object.assign(new Error("Command failed: powershell.exe"), { killed: true, signal: "SIGTERM" });
            assert.equal((await readPowerSource(commandProbe("win32", timedOut))).source, "unknown");
            assert.equal(windowsPowerSource("Get-CimInstance : Access denied\r\n").source, "unknown");
        });
    });

    it("is unknown elsewhere, without touching anything", async () => {
        assert.deepEqual(await readPowerSource(commandProbe("freebsd", new Error("must not run"))), { source: "unknown", detail: "no reader for freebsd" });
    });

    it("reads half as often on Windows, where each read starts PowerShell", () => {
        assert.equal(pollIntervalMs("linux"), 60_000);
        assert.equal(pollIntervalMs("darwin"), 60_000);
        assert.equal(pollIntervalMs("win32"), 120_000);
    });
});
