// Is there an NVIDIA GPU? `nvidia-smi` ships with the driver on Linux and Windows (WSL keeps it in
// /usr/lib/wsl/lib, often not on PATH); the Linux driver also exposes /proc/driver/nvidia/gpus/.
// Cheap, and loads no native code into the extension host. SOLAR_NVIDIA_SMI names another binary.

import { execFile } from "node:child_process";
import * as fs from "node:fs/promises";

const NVIDIA_SMI = [
    "nvidia-smi",
    "/usr/lib/wsl/lib/nvidia-smi",
    "C:\\Windows\\System32\\nvidia-smi.exe",
    "C:\\Program Files\\NVIDIA Corporation\\NVSMI\\nvidia-smi.exe",
];

/** GPU names (e.g. ["NVIDIA GeForce RTX 4090"]); empty when none is found. */
export async function detectNvidiaGpus(run = runNvidiaSmi, procDir = "/proc/driver/nvidia/gpus"): Promise<string[]> {
    const override = process.env.SOLAR_NVIDIA_SMI;
    for (const binary of override ? [override] : NVIDIA_SMI) {
        const names = await run(binary).then((out) => out.split("\n").map((line) => line.trim()).filter(Boolean), () => []);
        if (names.length) return names;
    }
    const ids = await fs.readdir(procDir).catch(() => []);
    return ids.map((id) => `NVIDIA GPU ${id}`);
}

function runNvidiaSmi(binary: string): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile(binary, ["--query-gpu=name", "--format=csv,noheader"], { timeout: 5_000, windowsHide: true }, (error, stdout) => {
            if (error) reject(error);
            else resolve(stdout);
        });
    });
}
