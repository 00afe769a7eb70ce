// Serves the protocol for one engine: the worker's whole job, and also usable in-process (tests,
// CLI). All model work runs one operation at a time on a queue. A new completion aborts the ones
// before it: when the user types again, the old request's answer is useless, and on a CPU letting
// it finish would delay the new one by seconds. The exception is a non-preemptible completion (a
// prompt the user waits for): a preemptible request that arrives meanwhile is refused, not served.

import * as fs from "node:fs";
import { BackendError, toErrorData } from "../backend/backendError";
import { LlamaEngine } from "./llamaEngine";
import { acquireLlama, disposeLlama, type AcquiredLlama, type Log } from "./llamaRuntime";
import { probeMemory } from "./memoryProbe";
import type { CompletionRequest } from "../backend/types";
import type { CrashMode, EngineCounters, HostToWorker, LoadOptions, MemoryFigures, WorkerToHost } from "./protocol";
import type { GpuSetting } from "../gpu/gpuSetting";

export interface WorkerServerDeps {
    readonly post: (message: WorkerToHost) => void;
    /** Called once everything is disposed after a "stop" message. */
    readonly onStopped: () => void;
    /** Called for the test-only crash message; "exception-when-idle" waits for the queue to drain. */
    readonly onCrashRequested?: (mode: CrashMode) => void;
    readonly acquire?: typeof acquireLlama;
}

/** Resident anonymous memory (Linux): the part of RSS that is this process's own, not shared libraries. */
function anonymousBytes(): number | undefined {
    try {
        const kb = /^RssAnon:\s+(\d+) kB/m.exec(fs.readFileSync("/proc/self/status", "utf8"))?.[1];
        return kb === undefined ? undefined : Number(kb) * 1024;
    } catch {
        return undefined;
    }
}

export class WorkerServer {
    private runtime: AcquiredLlama | undefined;
    private engine: LlamaEngine | undefined;
    private queue: Promise<void> = Promise.resolve();
    private readonly completions = new Map<number, { readonly controller: AbortController; readonly preemptible: boolean }>();
    private counters: { completions: number; aborted: number; refused: number; maxConcurrent: number; running: number } = {
        completions: 0,
        aborted: 0,
        refused: 0,
        maxConcurrent: 0,
        running: 0,
    };
    private last: EngineCounters["last"];
    private stopping = false;
    /** Set by the crash test hook: from then on the engine acts like a dying process and answers nothing. */
    private crashing = false;
    private readonly log: Log;

    constructor(private readonly deps: WorkerServerDeps) {
        this.log = (level, message) => deps.post({ type: "log", level, message });
    }

    handle(message: HostToWorker): void {
        if (this.crashing) return;
        if (this.stopping) {
            if ("id" in message) this.fail(message.id, new BackendError("STOPPED", "The engine is shutting down."));
            return;
        }
        switch (message.type) {
            case "load":
                this.abortAll();
                this.enqueue(message.id, () => this.load(message.options));
                break;
            case "complete":
                if (message.request.preemptible !== false && [...this.completions.values()].some((c) => !c.preemptible)) {
                    this.counters.refused++;
                    this.fail(message.id, new BackendError("BUSY", "A prompt is using the engine; ghost text waits until it is done."));
                    break;
                }
                this.abortAll();
                this.startCompletion(message.id, message.request, message.stream);
                break;
            case "cancel":
                this.completions.get(message.id)?.controller.abort();
                break;
            case "countTokens":
                // Tokenizing is synchronous and cheap: no need to wait behind a generation.
                this.answer(message.id, () => this.loaded().countTokens(message.text));
                break;
            case "stats":
                this.answer(message.id, () => this.snapshot());
                break;
            case "probeMemory":
                this.enqueue(message.id, () => this.probeMemory(message.gpu));
                break;
            case "stop":
                this.stopping = true;
                this.abortAll();
                void this.queue.then(() => this.disposeAll()).finally(() => this.deps.onStopped());
                break;
            case "crashForTest":
                this.crashing = true;
                // A thread may only die once no llama.cpp call runs: dying mid-call aborts the whole process.
                if (message.mode === "exception-when-idle") void this.queue.then(() => this.deps.onCrashRequested?.(message.mode));
                else this.deps.onCrashRequested?.(message.mode);
                break;
        }
    }

    private startCompletion(id: number, request: CompletionRequest, stream = false): void {
        const controller = new AbortController();
        this.completions.set(id, { controller, preemptible: request.preemptible !== false });
        this.enqueue(id, async () => {
            try {
                this.counters.running++;
                this.counters.maxConcurrent = Math.max(this.counters.maxConcurrent, this.counters.running);
                const result = await this.loaded().complete(request, {
                    signal: controller.signal,
                    onText: stream ? (chunk) => this.deps.post({ type: "text", id, chunk }) : undefined,
                });
                this.counters.completions++;
                if (result.stats.stopReason === "abort") this.counters.aborted++;
                this.last = result.stats;
                return result;
            } finally {
                this.counters.running--;
                this.completions.delete(id);
            }
        });
    }

    private async load(options: LoadOptions) {
        await this.engine?.dispose();
        this.engine = undefined;
        this.engine = await LlamaEngine.load(() => this.runtimeFor(options.gpu), options, this.log, () => this.runtime?.errors.reason());
        return this.engine.info;
    }

    /** One llama.cpp binding per worker, replaced only when the GPU setting changes. */
    private async runtimeFor(gpu: LoadOptions["gpu"]) {
        if (this.runtime && this.runtime.gpuSetting !== gpu) {
            await disposeLlama(this.runtime.llama, this.log);
            this.runtime = undefined;
        }
        this.runtime ??= await (this.deps.acquire ?? acquireLlama)(gpu, this.log);
        this.runtime.errors.clear(); // a reason logged for an earlier model is not this one's
        return this.runtime.llama;
    }

    /** On the loaded backend when it is the one asked about (counting our own model as free), else on a brief one. */
    private async probeMemory(gpu: GpuSetting): Promise<MemoryFigures> {
        if (this.runtime?.gpuSetting === gpu) return probeMemory(this.runtime.llama, this.engine?.heldMemory());
        const brief = await (this.deps.acquire ?? acquireLlama)(gpu, () => undefined);
        try {
            return await probeMemory(brief.llama);
        } finally {
            await disposeLlama(brief.llama, this.log);
        }
    }

    private loaded(): LlamaEngine {
        if (!this.engine) throw new BackendError("NOT_LOADED", "No model is loaded yet.");
        return this.engine;
    }

    private snapshot(): EngineCounters {
        const { completions, aborted, refused, maxConcurrent } = this.counters;
        return { completions, aborted, refused, maxConcurrent, last: this.last, memory: { rss: process.memoryUsage.rss(), anon: anonymousBytes() } };
    }

    private abortAll(): void {
        for (const { controller } of this.completions.values()) controller.abort();
    }

    private enqueue(id: number, work: () => Promise<unknown>): void {
        this.queue = this.queue.then(async () => {
            try {
                this.deps.post({ type: "result", id, value: await work() });
            } catch (error) {
                this.fail(id, error);
            }
        });
    }

    private answer(id: number, work: () => unknown): void {
        try {
            this.deps.post({ type: "result", id, value: work() });
        } catch (error) {
            this.fail(id, error);
        }
    }

    private fail(id: number, error: unknown): void {
        this.deps.post({ type: "error", id, error: toErrorData(error) });
    }

    private async disposeAll(): Promise<void> {
        await this.engine?.dispose();
        this.engine = undefined;
        if (this.runtime) await disposeLlama(this.runtime.llama, this.log);
        this.runtime = undefined;
    }
}
