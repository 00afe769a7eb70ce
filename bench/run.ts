// `npm run bench [-- --quick] [--json out.json] [--out dir] [--only a,b] [--threads N] [--gpu cpu|auto|...]`
// Builds the worker bundle, generates (or reuses) the tiny and medium test models, runs the scenarios
// in turn, prints the headline table and writes results.json, REPORT.md and the latency plot.
// Exits non-zero only when the bench itself breaks (a scenario threw), never because of a number.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { acquireLlama } from "../src/engine/llamaRuntime";
import type { GpuSetting } from "../src/gpu/gpuSetting";
import { ensureModel } from "../test/fixtures/models";
import { FULL_PLAN, QUICK_PLAN, WORKER_SCRIPT, type Bench } from "./harness";
import { describeMachine } from "./machine";
import { renderReport } from "./markdown";
import { renderLatencyPlot } from "./plot";
import { checkTargets, renderTextTable, tableRows, type BenchResults, type Scenarios } from "./report";
import { cancel } from "./scenarios/cancel";
import { contextReuse } from "./scenarios/contextReuse";
import { download } from "./scenarios/download";
import { eventLoop } from "./scenarios/eventLoop";
import { firstLine } from "./scenarios/firstLine";
import { generation } from "./scenarios/generation";
import { keystrokeEnd } from "./scenarios/keystrokeEnd";
import { keystrokeLong } from "./scenarios/keystrokeLong";
import { kvStates } from "./scenarios/kvStates";
import { memory } from "./scenarios/memory";
import { overhead } from "./scenarios/overhead";
import { peer } from "./scenarios/peer";
import { postprocessTime } from "./scenarios/postprocess";
import { remote } from "./scenarios/remote";
import { retrieval } from "./scenarios/retrieval";
import { speculative } from "./scenarios/speculative";
import { stopTime } from "./scenarios/stopTime";
import { waste } from "./scenarios/waste";
import { windowBuild } from "./scenarios/windowBuild";
import { round } from "./stats";

const SCENARIOS: Readonly<Record<string, (bench: Bench) => Promise<object>>> = {
    keystroke_end: keystrokeEnd,
    keystroke_long: keystrokeLong,
    overhead,
    event_loop: eventLoop,
    cancel,
    window_build: windowBuild,
    memory,
    generation,
    remote,
    download,
    stop_time: stopTime,
    speculative,
    postprocess: postprocessTime,
    retrieval,
    waste,
    first_line: firstLine,
    peer,
    context_reuse: contextReuse,
    kv_states: kvStates,
};

const ROOT = path.resolve(__dirname, "..");
const PLOT_FILE = "keystroke-latency.svg";
const started = performance.now();

function progress(message: string): void {
    process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
}

function options() {
    const { values } = parseArgs({
        args: process.argv.slice(2),
        strict: true,
        options: {
            quick: { type: "boolean", default: false },
            json: { type: "string" },
            out: { type: "string", default: path.join(ROOT, "bench") },
            only: { type: "string" },
            threads: { type: "string", default: "1" },
            gpu: { type: "string", default: "cpu" },
        },
    });
    const only = values.only?.split(",").map((s) => s.trim());
    const unknown = only?.filter((name) => !(name in SCENARIOS));
    if (unknown?.length) throw new Error(`unknown scenario(s): ${unknown.join(", ")}; known: ${Object.keys(SCENARIOS).join(", ")}`);
    const threads = Number(values.threads);
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`--threads must be a positive integer, got ${values.threads}`);
    return { ...values, only, threads, gpu: values.gpu as GpuSetting };
}

async function main(): Promise<void> {
    const opts = options();
    progress(`${opts.quick ? "quick" : "full"} run: building dist/ and the test models`);
    const build = spawnSync(process.execPath, [path.join(ROOT, "scripts", "build.mjs"), "--quiet"], { cwd: ROOT, stdio: "inherit" });
    if (build.status !== 0) throw new Error("the build failed");
    const models = { tiny: await ensureModel("tiny"), medium: await ensureModel("medium") };
    const { llama } = await acquireLlama(opts.gpu, (level, message) => level === "error" && progress(message));
    const backend = llama.gpu === false ? `CPU (llama.cpp ${llama.buildType}), ${opts.threads} thread${opts.threads === 1 ? "" : "s"}` : `${llama.gpu}`;
    const machine: Record<string, unknown> = { ...describeMachine(backend, opts.threads), cpu_features: llama.systemInfo };
    const bench: Bench = {
        plan: opts.quick ? QUICK_PLAN : FULL_PLAN,
        threads: opts.threads,
        gpu: opts.gpu,
        llama,
        models,
        workerScript: WORKER_SCRIPT,
        progress,
    };

    const scenarios: Scenarios = {};
    const errors: { scenario: string; message: string }[] = [];
    try {
        for (const [name, run] of Object.entries(SCENARIOS)) {
            if (opts.only && !opts.only.includes(name)) continue;
            const t0 = performance.now();
            progress(`${name}: running`);
            const loadBefore = round(os.loadavg()[0]);
            try {
                const result = await run(bench);
                const seconds = round((performance.now() - t0) / 1000);
                scenarios[name] = { ...result, seconds, loadavg_1min: [loadBefore, round(os.loadavg()[0])] };
            } catch (error) {
                const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
                progress(`${name} FAILED: ${message}`);
                errors.push({ scenario: name, message: message.split("\n")[0] });
            }
        }
    } finally {
        await llama.dispose();
    }

    machine.loadavg_at_end = os.loadavg().map(round);
    const results: BenchResults = {
        date: new Date().toISOString(),
        mode: opts.quick ? "quick" : "full",
        duration_s: round((performance.now() - started) / 1000),
        machine,
        scenarios,
        errors,
        targets: checkTargets(scenarios),
    };
    writeOutputs(results, opts.out, opts.json);
    process.stdout.write(`\n${renderTextTable(tableRows(results))}\n\n`);
    progress(`done in ${results.duration_s} s; wrote ${path.relative(process.cwd(), opts.out) || "."}/results.json, REPORT.md${scenarios.keystroke_long ? `, ${PLOT_FILE}` : ""}`);
    if (errors.length) process.exitCode = 1;
}

function writeOutputs(results: BenchResults, outDir: string, jsonPath: string | undefined): void {
    fs.mkdirSync(outDir, { recursive: true });
    const json = `${JSON.stringify(results, null, 2)}\n`;
    fs.writeFileSync(path.join(outDir, "results.json"), json);
    if (jsonPath) fs.writeFileSync(jsonPath, json);
    const long = results.scenarios.keystroke_long as { trace?: { anchored_ms: number[]; naive_ms: number[] }; window_moves?: number[] } | undefined;
    if (long?.trace) {
        const svg = renderLatencyPlot({
            title: `Latency per keystroke, mid-file in a 20,000-token document (${results.mode} run, ${results.date.slice(0, 10)})`,
            xLabel: "keystroke",
            yLabel: "latency (ms, log scale)",
            series: [
                { label: "anchored window (ours, worker)", color: "#1f77b4", values: long.trace.anchored_ms },
                { label: "naive sliding window", color: "#d62728", values: long.trace.naive_ms },
            ],
            markers: long.window_moves,
            markerLabel: "anchored window moved",
        });
        fs.writeFileSync(path.join(outDir, PLOT_FILE), svg);
    }
    fs.writeFileSync(path.join(outDir, "REPORT.md"), renderReport(results, long?.trace ? PLOT_FILE : undefined));
}

main().catch((error: unknown) => {
    progress(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
});
