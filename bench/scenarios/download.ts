// Model download throughput over loopback: our downloader (`npm run model -- pull <url>`, the
// extension's code path: sha256 while streaming, GGUF header check, fsync, atomic rename) against a
// plain `curl -o` of the same file from the same server, alternating within one run. Both clients
// are child processes, so neither shares a thread with the server. The file is a generated GGUF padded to
// the plan's size (trailing bytes still pass the header check).

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { startModelServer } from "../../test/unit/support/modelServer";
import type { Bench } from "../harness";
import { median, round } from "../stats";

// Asynchronous: the server runs in this process, so a synchronous child would wait for itself.
const run = promisify(execFile);
const MODEL_CLI = path.resolve(__dirname, "..", "..", "dist", "cli", "model.js");

export async function download(bench: Bench) {
    const { megabytes, rounds } = bench.plan.download;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "solar-bench-dl-"));
    const server = await startModelServer();
    try {
        const source = path.join(dir, "source.gguf");
        fs.copyFileSync(bench.models.tiny, source);
        const chunk = Buffer.alloc(1 << 20, 7);
        while (fs.statSync(source).size < megabytes * 1e6) fs.appendFileSync(source, chunk);
        const size = fs.statSync(source).size;
        server.serve("/m/model.gguf", { file: source });
        const url = `${server.endpoint}/m/model.gguf`;
        const ours: number[] = [];
        const curl: number[] = [];
        const rate = (started: number) => size / 1e6 / ((performance.now() - started) / 1000);
        for (let i = 0; i < rounds; i++) {
            bench.progress(`download: round ${i + 1} of ${rounds}, ${Math.round(size / 1e6)} MB`);
            const ourDir = path.join(dir, `ours-${i}`);
            let started = performance.now();
            await run(process.execPath, [MODEL_CLI, "pull", url, "--dir", ourDir]);
            ours.push(rate(started));
            fs.rmSync(ourDir, { recursive: true });
            const curlTarget = path.join(dir, `curl-${i}.gguf`);
            started = performance.now();
            await run("curl", ["-sS", "--fail", "-o", curlTarget, url]);
            curl.push(rate(started));
            fs.rmSync(curlTarget);
        }
        const oursMedian = median(ours);
        const curlMedian = median(curl);
        return {
            file_mb: round(size / 1e6),
            rounds,
            ours_mb_s: round(oursMedian),
            curl_mb_s: round(curlMedian),
            ours_over_curl: round(oursMedian / curlMedian),
            ours_runs_mb_s: ours.map((x) => round(x)),
            curl_runs_mb_s: curl.map((x) => round(x)),
        };
    } finally {
        await server.close();
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
