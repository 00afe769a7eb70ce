// How the client reaches an engine: a child process (the product's default) or a worker thread of
// the extension host (inProcessTransport.ts: the same WorkerServer in this thread, for tests). The
// client can't tell them apart. This file runs in the extension host: it never loads the engine.
//
// Why a process: llama.cpp answers some bad model files with GGML_ASSERT, which calls abort(), and an
// uncaught exception in the worker while llama.cpp runs ends in std::terminate (measured: 6 of 6).
// Either kills the whole process. worker_threads share the extension host's process, so that would
// take every other extension of the user down with it; a child process dies alone.

import { fork, type ForkOptions } from "node:child_process";
import { Worker } from "node:worker_threads";
import type { HostToWorker, WorkerToHost } from "./protocol";

export interface EngineTransport {
    post(message: HostToWorker): void;
    /**
     * Ends the engine at once, whatever it is doing. Only a process can be killed at any moment:
     * terminating a worker thread inside a native call aborts the extension host (measured: 2 of 3),
     * so transports that can't do it safely leave this out, and a stop then waits.
     */
    readonly kill?: () => void;
}

export interface TransportEvents {
    readonly onMessage: (message: WorkerToHost) => void;
    /** The engine went away; `error` is set when it died of a crash (exception, signal). */
    readonly onExit: (code: number, error?: Error) => void;
}

export type TransportFactory = (events: TransportEvents) => EngineTransport;

/** Where the engine runs: "process" isolates native crashes; "thread" saves the process start and memory. */
export type EngineHost = "process" | "thread";

export function engineTransport(host: EngineHost, workerScript: string): TransportFactory {
    return host === "thread" ? workerTransport(workerScript) : processTransport(workerScript);
}

/**
 * The environment for the engine and everything it forks. In desktop VS Code the extension host runs
 * in Electron, and `process.execPath` is the editor's binary: without ELECTRON_RUN_AS_NODE a fork
 * of it (ours, or node-llama-cpp's binary self-test, which forks process.execPath) starts an editor
 * window instead of Node. Children inherit this environment, so setting it once covers them all.
 */
export function engineEnvironment(env: NodeJS.ProcessEnv, versions: NodeJS.ProcessVersions): NodeJS.ProcessEnv {
    return versions.electron ? { ...env, ELECTRON_RUN_AS_NODE: "1" } : { ...env };
}

/**
 * V8 flags for the engine process. A young generation capped at 2 MB per semi-space (Node 20 lets
 * each grow to 16 MB) makes V8 collect often enough that native memory held by dead JS objects
 * (node-llama-cpp's buffers) is released: measured on the medium test model, anonymous memory after
 * the first completion went from 353 to 229 MB, with per-keystroke latency unchanged (paired p50
 * ratio 0.99 on the tiny model, where JS weighs most; 1 MB saved a few MB more but cost 1-4%).
 * Capping the old generation saved only 4 MB more and would turn a large document into an
 * out-of-memory crash, so it is left alone. The bench's memory scenario measures both each run.
 */
export const ENGINE_V8_FLAGS: readonly string[] = ["--max-semi-space-size=2"];

/** How the engine process is started: by the host's own runtime, with our V8 flags and none of the host's. */
export function engineForkOptions(
    runtime: { readonly execPath: string; readonly env: NodeJS.ProcessEnv; readonly versions: NodeJS.ProcessVersions },
): ForkOptions {
    return {
        execPath: runtime.execPath,
        // The host's flags (--inspect, VS Code's loader hooks) are not meant for the engine.
        execArgv: [...ENGINE_V8_FLAGS],
        env: engineEnvironment(runtime.env, runtime.versions),
        // Structured clone, as over a worker port: the protocol's values need no JSON round trip.
        serialization: "advanced",
        // stderr is where a dying llama.cpp says why (GGML_ASSERT ...); stdout is unused.
        stdio: ["ignore", "ignore", "pipe", "ipc"],
    };
}

/** The last lines a process wrote to stderr, to say why it died. */
export class StderrTail {
    private text = "";

    constructor(private readonly maxChars = 8_192) {}

    push(chunk: string): void {
        this.text = (this.text + chunk).slice(-this.maxChars);
    }

    /** llama.cpp's own words when it aborted (the GGML_ASSERT line), else the last line written. */
    reason(): string | undefined {
        // Stack traces (Node prints one on abort) say where, not why.
        const lines = this.text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line && !/^(-{3,}|\d+: |at )/.test(line));
        const fatal = [...lines].reverse().find((line) => /GGML_ASSERT|GGML_ABORT|terminate called|Assertion .* failed|Fatal error/i.test(line));
        const line = fatal ?? lines.at(-1);
        // Drop the build machine's source folder: "…/llama.cpp/src/llama-vocab.cpp:2501: GGML_ASSERT(…)".
        return line?.replace(/(?:[A-Za-z]:)?[^\s:]*[\\/]([^\\/\s:]+:\d+:)/, "$1");
    }
}

/** How a dead engine process is described to the user, from its exit and what it last said. */
export function describeProcessExit(code: number | null, signal: NodeJS.Signals | null, reason: string | undefined): Error | undefined {
    if (code === 0 && !signal) return undefined;
    // SIGABRT is what GGML_ASSERT and std::terminate end in.
    const how = signal === "SIGABRT" ? "its process aborted (SIGABRT)" : signal ? `its process was ended by ${signal}` : `its process exited with code ${code}`;
    return new Error(reason ? `${how}: ${reason}` : how);
}

/** `forkOptions`: the product's by default; the bench changes them to price a flag. */
export function processTransport(workerScript: string, forkOptions: ForkOptions = engineForkOptions(process)): TransportFactory {
    return (events) => {
        const child = fork(workerScript, [], forkOptions);
        const stderr = new StderrTail();
        child.stderr?.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk));
        let spawnError: Error | undefined;
        child.on("message", (message) => events.onMessage(message as WorkerToHost));
        child.on("error", (error) => (spawnError ??= error));
        // "close" rather than "exit": by then stderr is fully read, so the reason is complete.
        child.on("close", (code, signal) => events.onExit(code ?? 1, spawnError ?? describeProcessExit(code, signal, stderr.reason())));
        return {
            post: (message) => {
                if (child.connected) child.send(message);
            },
            kill: () => void child.kill("SIGKILL"),
        };
    };
}

export function workerTransport(workerScript: string): TransportFactory {
    return (events) => {
        const worker = new Worker(workerScript, { env: engineEnvironment(process.env, process.versions) });
        let crash: Error | undefined;
        worker.on("message", events.onMessage);
        worker.on("error", (error) => (crash = error));
        worker.on("exit", (code) => events.onExit(code, crash));
        // No kill: see EngineTransport.kill.
        return { post: (message) => worker.postMessage(message) };
    };
}
