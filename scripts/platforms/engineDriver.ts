// Runs an unpacked package's own engine the way the extension host does: its dist/worker.js as a
// child process (the product's default, forked with the product's own options) or as a
// worker_threads Worker, spoken to in the protocol of src/engine/protocol.ts (load, complete, stop).
// Bundled (esbuild) and run by another platform's Node: arm64 Node under qemu, Windows Node under
// wine. It writes its report to a file, never stdout: under wine a pipe fails with EBADF.
//
//   node driver.js <input.json>   (input: DriverInput; the report goes to input.out)

import { fork } from "node:child_process";
import * as fs from "node:fs";
import { Worker } from "node:worker_threads";
import type { CompletionRequest, CompletionResult, ModelInfo } from "../../src/backend/types";
import type { HostToWorker, LoadOptions, WorkerToHost } from "../../src/engine/protocol";
import { engineForkOptions, type EngineHost } from "../../src/engine/transport";

export interface DriverInput {
    readonly worker: string;
    readonly host: EngineHost;
    readonly model: string;
    readonly prompt: string;
    readonly maxTokens: number;
    readonly threads: number;
    /** Deadline for each step (start, load, complete, stop), in ms. */
    readonly stepTimeoutMs: number;
    readonly out: string;
}

export interface DriverReport {
    readonly platform: string;
    readonly arch: string;
    readonly node: string;
    readonly host: EngineHost;
    /** Milliseconds per step, in order: engine start, load, complete, stop. */
    readonly steps: { readonly step: string; readonly ms: number }[];
    readonly info?: ModelInfo;
    readonly result?: CompletionResult;
    /** The engine's log messages, in order. */
    readonly logs: string[];
    /** The engine process's stderr ("process" host). */
    readonly stderr: string;
    /**
     * The llama-addon.node files the engine had loaded after the completion: Node's diagnostic report
     * for a thread (same process), /proc/<pid>/maps for a child process where there is one (Linux).
     */
    readonly loadedAddons: string[];
    /** False when the host could not say (a child process without /proc: wine). */
    readonly addonsKnown: boolean;
    readonly error?: string;
}

interface Engine {
    post(message: HostToWorker): void;
    readonly started: Promise<unknown>;
    readonly exited: Promise<number>;
    /** undefined when this host can't tell. */
    loadedAddons(): string[] | undefined;
}

const isAddon = (file: string) => /llama-addon\.node$/i.test(file);

function startEngine(input: DriverInput, onMessage: (message: WorkerToHost) => void, onFailure: (error: Error) => void, stderr: { text: string }): Engine {
    if (input.host === "thread") {
        const worker = new Worker(input.worker);
        worker.on("message", onMessage);
        worker.on("error", (error) => onFailure(new Error(`the worker failed: ${error.stack ?? error.message}`)));
        return {
            post: (message) => worker.postMessage(message),
            started: new Promise((resolve) => worker.once("online", resolve)),
            exited: new Promise((resolve) => worker.once("exit", resolve)),
            loadedAddons: () => ((process.report.getReport() as { sharedObjects?: string[] }).sharedObjects ?? []).filter(isAddon),
        };
    }
    const child = fork(input.worker, [], engineForkOptions(process));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr.text = (stderr.text + chunk).slice(-16_384)));
    child.on("message", (message) => onMessage(message as WorkerToHost));
    child.on("error", (error) => onFailure(new Error(`the engine process failed: ${error.message}`)));
    return {
        post: (message) => child.send(message),
        started: new Promise((resolve, reject) => {
            child.once("spawn", resolve);
            child.once("error", reject);
        }),
        exited: new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)))),
        loadedAddons: () => {
            const maps = `/proc/${child.pid}/maps`;
            if (process.platform !== "linux" || !fs.existsSync(maps)) return undefined;
            return [...new Set(fs.readFileSync(maps, "utf8").split("\n").map((line) => line.split(/\s+/).slice(5).join(" ")).filter(isAddon))];
        },
    };
}

type MutableReport = { -readonly [K in keyof DriverReport]: DriverReport[K] };
type Pending = Map<number, { resolve(value: unknown): void; reject(error: Error): void }>;

/** Times each step into the report; a step fails at its deadline, or as soon as the engine fails. */
function stepTimer(timeoutMs: number, report: MutableReport, failure: Promise<never>) {
    let since = performance.now();
    return async <T>(name: string, work: Promise<T>): Promise<T> => {
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`${name}: no answer within ${timeoutMs} ms`)), timeoutMs);
        });
        try {
            return await Promise.race([work, deadline, failure]);
        } finally {
            clearTimeout(timer);
            report.steps.push({ step: name, ms: Math.round(performance.now() - since) });
            since = performance.now();
        }
    };
}

/** Routes the engine's messages: logs into the report, answers to the call that waits for them. */
function messageHandler(report: MutableReport, pending: Pending): (message: WorkerToHost) => void {
    return (message) => {
        if (message.type === "log") report.logs.push(`${message.level}: ${message.message}`);
        else if (message.type === "result") pending.get(message.id)?.resolve(message.value);
        else if (message.type === "error") pending.get(message.id)?.reject(new Error(`${message.error.code}: ${message.error.message}`));
    };
}

/** Request and answer over post(): each call takes the next id and settles with its answer. */
function caller(engine: Engine, pending: Pending) {
    let nextId = 1;
    return <T>(message: (id: number) => HostToWorker): Promise<T> => {
        const id = nextId++;
        return new Promise<T>((resolve, reject) => {
            pending.set(id, { resolve: (value) => resolve(value as T), reject });
            engine.post(message(id));
        });
    };
}

/** Start, load, complete, stop, each timed into the report. Resolves with the engine's exit code. */
async function drive(input: DriverInput, report: MutableReport, stderr: { text: string }): Promise<number> {
    const pending: Pending = new Map();
    let fail: ((error: Error) => void) | undefined;
    const failure = new Promise<never>((_, reject) => (fail = reject));
    failure.catch(() => undefined);
    const step = stepTimer(input.stepTimeoutMs, report, failure);

    const engine = startEngine(input, messageHandler(report, pending), (error) => fail?.(error), stderr);
    void engine.exited.then((code) => fail?.(new Error(`the engine exited with code ${code} before it was asked to stop`)));
    await step("start", engine.started);

    const call = caller(engine, pending);
    const options: LoadOptions = { modelPath: input.model, gpu: "cpu", threads: input.threads };
    report.info = await step("load", call<ModelInfo>((id) => ({ type: "load", id, options })));
    const request: CompletionRequest = { prompt: { kind: "text", text: input.prompt }, maxTokens: input.maxTokens };
    report.result = await step("complete", call<CompletionResult>((id) => ({ type: "complete", id, request })));
    const addons = engine.loadedAddons();
    report.loadedAddons = addons ?? [];
    report.addonsKnown = addons !== undefined;
    fail = undefined; // from here on an exit is the expected outcome
    engine.post({ type: "stop" });
    return step("stop", engine.exited);
}

async function main(inputFile: string): Promise<void> {
    const input = JSON.parse(fs.readFileSync(inputFile, "utf8")) as DriverInput;
    const stderr = { text: "" };
    const report: MutableReport = {
        platform: process.platform, arch: process.arch, node: process.version, host: input.host,
        steps: [], logs: [], stderr: "", loadedAddons: [], addonsKnown: false,
    };
    let stopped = false;
    try {
        const code = await drive(input, report, stderr);
        stopped = true;
        if (code !== 0) throw new Error(`the engine exited with code ${code} after the stop message`);
    } catch (error) {
        report.error = error instanceof Error ? error.message : String(error);
        process.exitCode = 1;
    } finally {
        report.stderr = stderr.text;
        fs.writeFileSync(input.out, JSON.stringify(report, null, 2));
        // An engine that did not stop must not keep this process alive; the report is written.
        if (!stopped) process.exit(1);
    }
}

main(process.argv[2]).catch((error: unknown) => {
    console.error(error);
    process.exit(2);
});
