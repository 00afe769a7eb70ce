// Loopback download throughput: our downloader (the CLI's code path, sha256 + GGUF check + rename)
// against a plain `curl -o` of the same file from the same server, in one run. The file is a
// generated GGUF padded to SIZE_MB (trailing bytes are valid for the header check).
// Usage: tsx scripts/bench-download.ts [SIZE_MB=1024] [ROUNDS=3]

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { downloadModel } from "../src/model/download";
import { ensureModel } from "../test/fixtures/models";
import { startModelServer } from "../test/unit/support/modelServer";

const sizeMb = Number(process.argv[2] ?? 1024);
const rounds = Number(process.argv[3] ?? 3);

async function main(): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "solar-bench-dl-"));
    const server = await startModelServer();
    try {
        const source = path.join(dir, "source.gguf");
        fs.copyFileSync(await ensureModel("tiny"), source);
        const chunk = Buffer.alloc(1 << 20, 7);
        while (fs.statSync(source).size < sizeMb * 1e6) fs.appendFileSync(source, chunk);
        const size = fs.statSync(source).size;
        server.serve("/m/model.gguf", { file: source });
        const url = `${server.endpoint}/m/model.gguf`;
        const ours: number[] = [];
        const curl: number[] = [];
        for (let round = 0; round < rounds; round++) {
            const target = path.join(dir, `ours-${round}.gguf`);
            let started = performance.now();
            await downloadModel({ url, destination: target });
            ours.push(size / ((performance.now() - started) / 1000));
            fs.rmSync(target);
            const curlTarget = path.join(dir, `curl-${round}.gguf`);
            started = performance.now();
            execFileSync("curl", ["-s", "-o", curlTarget, url]);
            curl.push(size / ((performance.now() - started) / 1000));
            fs.rmSync(curlTarget);
        }
        const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
        const mb = (x: number) => `${(x / 1e6).toFixed(0)} MB/s`;
        console.log(`file ${(size / 1e6).toFixed(0)} MB over 127.0.0.1, ${rounds} rounds, ${os.cpus().length} cores`);
        console.log(`ours (sha256 + GGUF check + fsync + rename): ${ours.map(mb).join(", ")}  median ${mb(median(ours))}`);
        console.log(`curl -o:                                   ${curl.map(mb).join(", ")}  median ${mb(median(curl))}`);
        console.log(`ratio ours/curl: ${(median(ours) / median(curl)).toFixed(2)}`);
    } finally {
        await server.close();
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

void main();
