// The extension host's side of the engine: typed calls over the transport, cancellation through
// AbortSignal, and survival when the engine dies. A dead engine rejects every pending call with a
// clear error and is restarted with backoff (reloading the last model); after repeated crashes it
// stays stopped in a visible "failed" state instead of crash-looping. A model file that crashed it
// while loading or on its first evaluation is not loaded again until it changes.

import type { Backend, BackendState, CompleteOptions } from "../backend/backend";
import { BackendError } from "../backend/backendError";
import { modelCrashedMessage, ModelQuarantine, type CrashPhase } from "./modelQuarantine";
import type { CompletionRequest, CompletionResult, ModelInfo } from "../backend/types";
import type { CrashMode, EngineCounters, HostToWorker, LoadOptions, MemoryFigures, WorkerToHost } from "./protocol";
import type { GpuSetting } from "../gpu/gpuSetting";
import type { EngineTransport, TransportFactory } from "./transport";


export interface WorkerClientOptions {
    readonly log?: (level: "debug" | "info" | "warn" | "error", message: string) => void;
    readonly onState?: (state: BackendState) => void;
    /** Delay before each restart attempt; its length is how many crashes in a row are tolerated. */
    readonly restartDelaysMs?: readonly number[];
    /** A worker that stayed up this long is considered healthy again: the crash count resets. */
    readonly healthyAfterMs?: number;
    /** After this long a stop ends the engine's process; a thread is never ended (see EngineTransport.kill). */
    readonly stopTimeoutMs?: number;
    /** Model files that crashed the engine; in memory unless the host gives it a lasting store. */
    readonly quarantine?: ModelQuarantine;
}


interface Pending {
    readonly resolve: (value: unknown) => void;
    readonly reject: (error: Error) => void;
    readonly onText?: (chunk: string) => void;
}

const CRASH_CODES = new Set(["ENGINE_CRASHED", "MODEL_CRASHED"]);

export class WorkerClient implements Backend {
    private transport: EngineTransport | undefined;
    private readonly pending = new Map<number, Pending>();
    private nextId = 1;
    private lastLoad: LoadOptions | undefined;
    private crashes = 0;
    private startedAt = 0;
    private restart: Promise<void> | undefined;
    private stopped: Promise<void> | undefined;
    private resolveStopped: (() => void) | undefined;
    private stateValue: BackendState = { kind: "starting" };
    /** The model a crash now would be blamed on, and when in its life the crash would come. */
    private suspect: { readonly modelPath: string; readonly phase: CrashPhase } | undefined;
    private crashRequested = false;
    private readonly quarantine: ModelQuarantine;

    constructor(
        private readonly factory: TransportFactory,
        private readonly options: WorkerClientOptions = {},
    ) {
        this.quarantine = options.quarantine ?? new ModelQuarantine();
        this.spawn();
    }

    get state(): BackendState {
        return this.stateValue;
    }

    async load(options: LoadOptions): Promise<ModelInfo> {
        this.lastLoad = options;
        const crashed = this.quarantine.blocked(options.modelPath);
        if (crashed) {
            const error = new BackendError("MODEL_CRASHED", modelCrashedMessage(crashed));
            this.setState({ kind: "noModel", error });
            throw error;
        }
        this.setState({ kind: "loading", modelPath: options.modelPath });
        try {
            this.suspect = { modelPath: options.modelPath, phase: "load" };
            const info = (await this.call({ type: "load", id: 0, options })) as ModelInfo;
            if (this.lastLoad === options) this.suspect = { modelPath: options.modelPath, phase: "first evaluation" };
            this.setState({ kind: "ready", info });
            return info;
        } catch (error) {
            // A crash's own state (restarting, then what the restart finds) says more than "no model".
            if (error instanceof BackendError && !CRASH_CODES.has(error.code) && this.lastLoad === options) {
                this.setState({ kind: "noModel", error });
            }
            throw error;
        }
    }

    async complete(request: CompletionRequest, options: CompleteOptions = {}): Promise<CompletionResult> {
        const result = (await this.call({ type: "complete", id: 0, request, stream: options.onText !== undefined }, options)) as CompletionResult;
        // One evaluation went through: from now on a crash is not the file's fault.
        if (this.suspect?.phase === "first evaluation" && result.stats.evaluatedTokens > 0) this.suspect = undefined;
        return result;
    }

    countTokens(text: string): Promise<number> {
        return this.call({ type: "countTokens", id: 0, text }) as Promise<number>;
    }

    counters(): Promise<EngineCounters> {
        return this.call({ type: "stats", id: 0 }) as Promise<EngineCounters>;
    }

    probeMemory(gpu: GpuSetting): Promise<MemoryFigures> {
        return this.call({ type: "probeMemory", id: 0, gpu }) as Promise<MemoryFigures>;
    }

    /** The user asks to try again: model files that crashed the engine are loaded again. */
    forgetCrashedModels(): void {
        this.quarantine.clear();
    }

    /** After the engine was left stopped by repeated crashes: start it again, with the last model. */
    revive(): void {
        if (this.stateValue.kind !== "failed" || this.stopped) return;
        this.crashes = 0;
        this.spawn();
        if (this.lastLoad) void this.load(this.lastLoad).catch(() => undefined);
        else this.setState({ kind: "noModel" });
    }

    /** Test hook: makes the engine die the way real engines die (see CrashMode). Never blamed on the model. */
    crashForTest(mode: CrashMode = "exception-when-idle"): void {
        this.crashRequested = true;
        this.transport?.post({ type: "crashForTest", mode });
    }

    /**
     * Graceful stop: the engine aborts its generation, lets a model load finish, disposes llama.cpp
     * and exits by itself. An engine process that takes longer than stopTimeoutMs is killed; a
     * thread is waited for, however long, because ending it inside llama.cpp ends the host.
     */
    stop(): Promise<void> {
        if (this.stopped) return this.stopped;
        this.stopped = new Promise<void>((resolve) => (this.resolveStopped = resolve));
        const transport = this.transport;
        if (!transport) {
            this.finishStop();
        } else {
            transport.post({ type: "stop" });
            const { kill } = transport;
            const timeoutMs = this.options.stopTimeoutMs ?? 10_000;
            const timer = setTimeout(() => {
                if (kill) {
                    this.log("warn", `The engine did not stop within ${timeoutMs / 1000} s; ending its process.`);
                    kill();
                } else {
                    this.log("warn", `The engine is still stopping after ${timeoutMs / 1000} s (a llama.cpp call is finishing); waiting for it.`);
                }
            }, timeoutMs);
            void this.stopped.then(() => clearTimeout(timer));
        }
        return this.stopped;
    }

    private async call(message: HostToWorker & { id: number }, options: CompleteOptions = {}): Promise<unknown> {
        if (this.stopped) throw new BackendError("STOPPED", "The Solar engine has been stopped.");
        if (this.restart) await this.restart;
        if (this.stateValue.kind === "failed") throw this.stateValue.error;
        const transport = this.transport;
        if (!transport) throw new BackendError("STOPPED", "The Solar engine is not running.");

        const id = this.nextId++;
        return new Promise<unknown>((resolve, reject) => {
            const onAbort = () => transport.post({ type: "cancel", id });
            const settle = () => options.signal?.removeEventListener("abort", onAbort);
            this.pending.set(id, {
                resolve: (value) => (settle(), resolve(value)),
                reject: (error) => (settle(), reject(error)),
                onText: options.onText,
            });
            transport.post({ ...message, id } as HostToWorker);
            if (options.signal?.aborted) onAbort();
            else options.signal?.addEventListener("abort", onAbort, { once: true });
        });
    }

    private spawn(): void {
        this.startedAt = Date.now();
        this.transport = this.factory({
            onMessage: (message) => this.onMessage(message),
            onExit: (code, error) => this.onExit(code, error),
        });
    }

    private onMessage(message: WorkerToHost): void {
        if (message.type === "log") {
            this.log(message.level, message.message);
            return;
        }
        const pending = this.pending.get(message.id);
        if (!pending) return;
        if (message.type === "text") {
            pending.onText?.(message.chunk);
            return;
        }
        this.pending.delete(message.id);
        if (message.type === "result") pending.resolve(message.value);
        else pending.reject(BackendError.from(message.error));
    }

    private onExit(code: number, cause?: Error): void {
        this.transport = undefined;
        if (this.stopped) {
            this.rejectAll(new BackendError("STOPPED", "The Solar engine has been stopped."));
            this.finishStop();
            return;
        }
        const why = cause ? `: ${cause.message}` : ` (exit code ${code})`;
        const blamed = this.blameModel(cause?.message ?? `exit code ${code}`);
        const error = blamed ?? new BackendError("ENGINE_CRASHED", `The Solar engine stopped unexpectedly${why}.`);
        this.log("error", error.message);
        this.rejectAll(error);

        if (Date.now() - this.startedAt > (this.options.healthyAfterMs ?? 60_000)) this.crashes = 0;
        const delays = this.options.restartDelaysMs ?? [500, 2_000, 8_000];
        if (this.crashes >= delays.length) {
            const failed = new BackendError(
                "ENGINE_FAILED",
                `The Solar engine crashed ${this.crashes + 1} times in a row and was left stopped${why}. See the log, then restart it.`,
            );
            this.setState({ kind: "failed", error: failed });
            return;
        }
        const delayMs = delays[this.crashes++];
        this.setState({ kind: "restarting", attempt: this.crashes, delayMs, error });
        this.restart = this.restartAfter(delayMs);
    }

    /** A crash during a model's load or first evaluation is the file's: it goes into quarantine. */
    private blameModel(reason: string): BackendError | undefined {
        const suspect = this.suspect;
        this.suspect = undefined;
        const requested = this.crashRequested;
        this.crashRequested = false;
        if (!suspect || requested) return undefined;
        const entry = this.quarantine.add(suspect.modelPath, suspect.phase, reason);
        return entry && new BackendError("MODEL_CRASHED", modelCrashedMessage(entry));
    }

    private async restartAfter(delayMs: number): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        this.restart = undefined;
        if (this.stopped) return;
        this.spawn();
        // A quarantined model is refused by load() itself, which leaves the state "noModel" with why.
        if (this.lastLoad) await this.load(this.lastLoad).catch(() => undefined);
        else this.setState({ kind: "noModel" });
    }

    private rejectAll(error: BackendError): void {
        const pending = [...this.pending.values()];
        this.pending.clear();
        for (const p of pending) p.reject(error);
    }

    private finishStop(): void {
        this.setState({ kind: "stopped" });
        this.resolveStopped?.();
    }

    private setState(state: BackendState): void {
        this.stateValue = state;
        this.options.onState?.(state);
    }

    private log(level: "debug" | "info" | "warn" | "error", message: string): void {
        this.options.log?.(level, message);
    }
}
