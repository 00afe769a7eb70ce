// The machine the numbers come from, and its memory bandwidth measured in the same run: generation on
// a CPU streams every weight once per token, so bandwidth / bytes per token bounds tokens per second.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { median, round } from "./stats";

export function describeMachine(backend: string, threads: number) {
    const cpus = os.cpus();
    const models = [...new Set(cpus.map((c) => c.model))];
    return {
        cpu_model: models.join(", "),
        cpu_count: cpus.length,
        cpus: cpus.map((c) => ({ model: c.model, speed_mhz: c.speed })),
        ram_gb: round(os.totalmem() / 1024 ** 3),
        free_ram_gb_at_start: round(os.freemem() / 1024 ** 3),
        platform: `${os.platform()} ${os.release()} ${os.arch()}`,
        node: process.version,
        node_llama_cpp: packageVersion("node-llama-cpp"),
        backend,
        threads,
        loadavg_at_start: os.loadavg().map(round),
    };
}

function packageVersion(name: string): string {
    try {
        const file = path.resolve(__dirname, "..", "node_modules", name, "package.json");
        return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
    } catch {
        return "unknown";
    }
}

const BANDWIDTH_BYTES = 512 * 1024 * 1024;
const PASSES = 3;

// memcmp over two equal buffers reads both to the end with the C library's vector loop: the best a
// single core can stream. Each thread compares its own pair; the total is bytes read / slowest time.
const BANDWIDTH_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const half = workerData.bytes / 2;
const a = Buffer.alloc(half, 1), b = Buffer.alloc(half, 1);
a.compare(b);
parentPort.on("message", () => {
    const t0 = performance.now();
    a.compare(b);
    parentPort.postMessage(performance.now() - t0);
});
parentPort.postMessage("ready");
`;

/** Read bandwidth in GB/s (1e9 bytes) with `threads` threads each streaming its own ~512/threads MB. */
export async function measureBandwidth(threads: number): Promise<number> {
    const bytesPerThread = Math.floor(BANDWIDTH_BYTES / threads);
    const workers = Array.from({ length: threads }, () => new Worker(BANDWIDTH_WORKER, { eval: true, workerData: { bytes: bytesPerThread } }));
    try {
        const next = (w: Worker) => new Promise<unknown>((resolve, reject) => (w.once("message", resolve), w.once("error", reject)));
        await Promise.all(workers.map(next));
        const rates: number[] = [];
        for (let pass = 0; pass < PASSES; pass++) {
            const times = workers.map(next);
            for (const w of workers) w.postMessage("go");
            const slowest = Math.max(...((await Promise.all(times)) as number[]));
            rates.push((bytesPerThread * threads) / (slowest / 1000) / 1e9);
        }
        return median(rates);
    } finally {
        await Promise.all(workers.map((w) => w.terminate()));
    }
}

/**
 * Bytes of weights read to generate one token: every tensor in full, except the token embedding, of
 * which one row is read. Tensor sizes come from the GGUF tensor offsets.
 */
export async function weightsReadPerToken(modelPath: string): Promise<{ bytes: number; fileBytes: number }> {
    const { readGgufFileInfo } = await import("node-llama-cpp");
    const info = await readGgufFileInfo(modelPath, { logWarnings: false });
    const fileBytes = fs.statSync(modelPath).size;
    const tensors = [...(info.fullTensorInfo ?? [])].sort((a, b) => Number(a.fileOffset) - Number(b.fileOffset));
    let bytes = 0;
    for (const [i, tensor] of tensors.entries()) {
        const end = i + 1 < tensors.length ? Number(tensors[i + 1].fileOffset) : fileBytes;
        const size = end - Number(tensor.fileOffset);
        const rows = Number(tensor.dimensions[tensor.dimensions.length - 1] ?? 1);
        bytes += tensor.name === "token_embd.weight" ? size / rows : size;
    }
    return { bytes, fileBytes };
}
