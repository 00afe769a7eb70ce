// `npm run model -- list | pull <base|instruct>:<QUANT> [--endpoint URL] [--dir D]
//                  | pull <url-of-a-.gguf> [--dir D] [--sha256 HEX] | verify <file> [--sha256 HEX]`
// The same catalog and downloader as the extension: progress on stderr, Ctrl+C keeps the partial
// file, and the same pull run again resumes it. A failure prints one `error:` line and exits non-zero.

import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { parseArgs } from "node:util";
import { CATALOG, parseModelRef, QUANTIZATIONS, SOURCE_HOST } from "../model/catalog";
import { chooseQuantization } from "../model/autoQuant";
import type { DownloadProgress } from "../model/download";
import { DownloadError } from "../model/downloadErrors";
import { inspectGguf } from "../model/ggufFile";
import { formatBytes, formatGB } from "../util/bytes";
import { acquireLlama } from "../engine/llamaRuntime";
import { probeMemory } from "../engine/memoryProbe";
import { isCompleteModel, pull, tokenFromEnvironment } from "../model/modelStore";
import * as path from "node:path";
import { exitOnError, UsageError } from "./usage";

const USAGE = `usage: npm run model -- list [--dir D]
       npm run model -- pull <base|instruct>:<QUANT> [--endpoint URL] [--dir D]
       npm run model -- pull <http(s) URL of a .gguf> [--dir D] [--sha256 HEX]
       npm run model -- verify <file.gguf> [--sha256 HEX]
  QUANT: ${QUANTIZATIONS.join(", ")}. --endpoint replaces ${SOURCE_HOST} (a mirror).
  Gated repositories: set HF_TOKEN (or SOLAR_DOWNLOAD_TOKEN). An interrupted pull resumes when run again.`;

async function main(argv: string[]): Promise<number> {
    const { values, positionals } = parseArgs({
        args: argv,
        strict: true,
        allowPositionals: true,
        options: {
            endpoint: { type: "string", default: "" },
            dir: { type: "string", default: "." },
            sha256: { type: "string" },
            help: { type: "boolean", default: false },
        },
    });
    const [command, target] = positionals;
    if (values.help || !command) {
        console.log(USAGE);
        return values.help ? 0 : 2;
    }
    switch (command) {
        case "list":
            return list(values.dir);
        case "pull":
            if (!target) throw new UsageError("pull needs base:<QUANT>, instruct:<QUANT> or a URL");
            return pullCommand(target, values.dir, values.endpoint, values.sha256);
        case "verify":
            if (!target) throw new UsageError("verify needs a file");
            return verify(target, values.sha256);
        default:
            throw new UsageError(`unknown command "${command}"`);
    }
}

async function list(dir: string): Promise<number> {
    const rows = await Promise.all(
        CATALOG.map(async (e) => [
            `${e.variant}:${e.quantization}`,
            formatGB(e.size),
            formatGB(e.memory),
            (await isCompleteModel(path.join(dir, e.fileName))) ? "yes" : "",
            `${e.repository}/${e.fileName}`,
            e.quality,
        ]),
    );
    printTable([["model", "size", "memory@4096", "in --dir", "source", "quality"], ...rows]);
    const { llama } = await acquireLlama("auto", () => undefined);
    const memory = await probeMemory(llama).finally(() => llama.dispose());
    const choice = chooseQuantization(CATALOG.filter((e) => e.variant === "base"), memory);
    console.log(`\n${choice.summary}`);
    for (const reason of choice.reasons) console.log(`  ${reason}`);
    return 0;
}

async function pullCommand(target: string, dir: string, endpoint: string, sha256: string | undefined): Promise<number> {
    const isUrl = /^https?:\/\//i.test(target);
    const entry = isUrl ? undefined : parseModelRef(target);
    if (!isUrl && !entry) throw new UsageError(`not a catalog model or an http(s) URL: "${target}" (e.g. base:Q4_K_M)`);
    if (isUrl && !/\.gguf$/i.test(new URL(target).pathname)) throw new UsageError(`the URL must name a .gguf file: ${target}`);
    const abort = new AbortController();
    process.once("SIGINT", () => abort.abort());
    const progress = new TerminalProgress();
    const started = performance.now();
    const result = await pull(entry ?? target, dir, endpoint, {
        token: tokenFromEnvironment(),
        sha256,
        signal: abort.signal,
        onProgress: (p) => progress.update(p),
        log: (message) => progress.line(message),
    }).finally(() => progress.done()); // an error line must not land on the progress line
    const seconds = (performance.now() - started) / 1000;
    if (result.reused) {
        console.log(`already complete: ${result.path} (${formatBytes(result.size)})`);
    } else {
        const rate = result.transferred / Math.max(seconds, 1e-3);
        console.log(`${result.path}  ${formatBytes(result.size)}  sha256 ${result.sha256}`);
        console.log(
            `downloaded ${formatBytes(result.transferred)} in ${seconds.toFixed(2)} s (${formatBytes(rate)}/s)` +
                `${result.resumedFrom > 0 ? `, resumed at ${formatBytes(result.resumedFrom)}` : ""}${result.restarted ? ", restarted: the server ignored Range" : ""}`,
        );
    }
    return 0;
}

async function verify(file: string, sha256: string | undefined): Promise<number> {
    const summary = await inspectGguf(file);
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
    const actual = hash.digest("hex");
    console.log(`${file}: GGUF v${summary.version}, ${summary.architecture}, ${summary.fileType ?? "?"}, ${formatBytes(summary.fileSize)}, context ${summary.contextLength}`);
    console.log(`sha256 ${actual}`);
    if (sha256 && sha256.toLowerCase() !== actual) throw new DownloadError("SHA256_MISMATCH", `sha256 mismatch: got ${actual}, expected ${sha256.toLowerCase()}: ${file}`);
    return 0;
}

/** One rewritten line on a terminal; a line every few seconds when stderr is a file or a pipe. */
class TerminalProgress {
    private lastPrint = 0;
    private open = false;

    update(p: DownloadProgress): void {
        const now = performance.now();
        const tty = process.stderr.isTTY;
        if (!tty && now - this.lastPrint < 2000 && p.phase === "downloading") return;
        this.lastPrint = now;
        const percent = p.total ? ` ${((100 * p.received) / p.total).toFixed(1)}%` : "";
        const text =
            p.phase === "waiting"
                ? `waiting for another download of this file: ${formatBytes(p.received)} so far`
                : p.phase === "verifying"
                  ? `verifying ${formatBytes(p.received)}`
                  : `${formatBytes(p.received)}${p.total ? ` / ${formatBytes(p.total)}` : ""}${percent}  ${formatBytes(p.bytesPerSecond)}/s` +
                    `${p.etaSeconds !== undefined ? `  ETA ${formatEta(p.etaSeconds)}` : ""}`;
        if (tty) {
            process.stderr.write(`\r\x1b[2K${text}`);
            this.open = true;
        } else {
            process.stderr.write(`${text}\n`);
        }
    }

    line(message: string): void {
        this.done();
        process.stderr.write(`${message}\n`);
    }

    done(): void {
        if (this.open) process.stderr.write("\n");
        this.open = false;
    }
}

function formatEta(seconds: number): string {
    const s = Math.round(seconds);
    return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

function printTable(rows: string[][]): void {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const row of rows) console.log(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join("  "));
}

// Exits at once, without waiting for idle keep-alive sockets or the llama.cpp binding. Ctrl+C exits
// 130; any other error 1, a wrong command line included (only no command at all exits 2).
main(process.argv.slice(2))
    .then(
        (code) => (process.exitCode = code),
        exitOnError(USAGE, (error) => (error instanceof DownloadError && error.code === "CANCELLED" ? 130 : 1)),
    )
    .finally(() => process.exit());
