// The extension host's side of the engine: typed calls over the transport, cancellation through
// AbortSignal, and survival when the worker dies. A dead worker rejects every pending call with a
// clear error and is restarted with backoff (reloading the last model); after repeated crashes it
// stays stopped in a visible "failed" state instead of crash-looping.

import { EngineError } from "./engineError";
import type {
    CompletionRequest,
    CompletionResult,
    EngineCounters,
    HostToWorker,
    LoadOptions,
    ModelInfo,
    WorkerToHost,
} from "./protocol";
import type { EngineTransport, TransportFactory } from "./transport";

export type EngineState =
    | { readonly kind: "starting" }
    | { readonly kind: "loading"; readonly modelPath: string }
    | { readonly kind: "ready"; readonly info: ModelInfo }
    | { readonly kind: "noModel"; readonly error?: EngineError }
    | { readonly kind: "restarting"; readonly attempt: number; readonly delayMs: number; readonly error: EngineError }
    | { readonly kind: "failed"; readonly error: EngineError }
    /** A server backend cannot serve: retried after `retryInMs`, or (undefined) once the user acts. */
    | { readonly kind: "unavailable"; readonly error: EngineError; readonly retryInMs?: number }
    | { readonly kind: "stopped" };

export interface EngineClientOptions {
    readonly log?: (level: "debug" | "info" | "warn" | "error", message: string) => void;
    readonly onState?: (state: EngineState) => void;
    /** Delay before each restart attempt; its length is how many crashes in a row are tolerated. */
    readonly restartDelaysMs?: readonly number[];
    /** A worker that stayed up this long is considered healthy again: the crash count resets. */
    readonly healthyAfterMs?: number;
    readonly stopTimeoutMs?: number;
}

export interface CompleteOptions {
    readonly signal?: AbortSignal;
    readonly onText?: (chunk: string) => void;
}

interface Pending {
    readonly resolve: (value: unknown) => void;
    readonly reject: (error: Error) => void;
    readonly onText?: (chunk: string) => void;
}

export class EngineClient {
    private transport: EngineTransport | undefined;
    private readonly pending = new Map<number, Pending>();
    private nextId = 1;
    private lastLoad: LoadOptions | undefined;
    private crashes = 0;
    private startedAt = 0;
    private restart: Promise<void> | undefined;
    private stopped: Promise<void> | undefined;
    private resolveStopped: (() => void) | undefined;
    private stateValue: EngineState = { kind: "starting" };

    constructor(
        private readonly factory: TransportFactory,
        private readonly options: EngineClientOptions = {},
    ) {
        this.spawn();
    }

    get state(): EngineState {
        return this.stateValue;
    }

    async load(options: LoadOptions): Promise<ModelInfo> {
        this.lastLoad = options;
        this.setState({ kind: "loading", modelPath: options.modelPath });
        try {
            const info = (await this.call({ type: "load", id: 0, options })) as ModelInfo;
            this.setState({ kind: "ready", info });
            return info;
        } catch (error) {
            if (error instanceof EngineError && error.code !== "ENGINE_CRASHED" && this.lastLoad === options) {
                this.setState({ kind: "noModel", error });
            }
            throw error;
        }
    }

    complete(request: CompletionRequest, options: CompleteOptions = {}): Promise<CompletionResult> {
        return this.call({ type: "complete", id: 0, request }, options) as Promise<CompletionResult>;
    }

    countTokens(text: string): Promise<number> {
        return this.call({ type: "countTokens", id: 0, text }) as Promise<number>;
    }

    counters(): Promise<EngineCounters> {
        return this.call({ type: "stats", id: 0 }) as Promise<EngineCounters>;
    }

    /** After the engine was left stopped by repeated crashes: start it again, with the last model. */
    revive(): void {
        if (this.stateValue.kind !== "failed" || this.stopped) return;
        this.crashes = 0;
        this.spawn();
        if (this.lastLoad) void this.load(this.lastLoad).catch(() => undefined);
        else this.setState({ kind: "noModel" });
    }

    /** Test hook: makes the engine die of an uncaught exception once its current work is done. */
    crashForTest(): void {
        this.transport?.post({ type: "crashForTest" });
    }

    /** Graceful stop: the worker leaves its loop, disposes llama.cpp and exits by itself. */
    stop(): Promise<void> {
        if (this.stopped) return this.stopped;
        this.stopped = new Promise<void>((resolve) => (this.resolveStopped = resolve));
        const transport = this.transport;
        if (!transport) {
            this.finishStop();
        } else {
            transport.post({ type: "stop" });
            const timer = setTimeout(() => {
                this.log("warn", "The engine did not stop in time; terminating it.");
                transport.kill();
            }, this.options.stopTimeoutMs ?? 10_000);
            void this.stopped.then(() => clearTimeout(timer));
        }
        return this.stopped;
    }

    private async call(message: HostToWorker & { id: number }, options: CompleteOptions = {}): Promise<unknown> {
        if (this.stopped) throw new EngineError("STOPPED", "The Solar engine has been stopped.");
        if (this.restart) await this.restart;
        if (this.stateValue.kind === "failed") throw this.stateValue.error;
        const transport = this.transport;
        if (!transport) throw new EngineError("STOPPED", "The Solar engine is not running.");

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
        else pending.reject(EngineError.from(message.error));
    }

    private onExit(code: number, cause?: Error): void {
        this.transport = undefined;
        if (this.stopped) {
            this.rejectAll(new EngineError("STOPPED", "The Solar engine has been stopped."));
            this.finishStop();
            return;
        }
        const why = cause ? `: ${cause.message}` : ` (exit code ${code})`;
        const error = new EngineError("ENGINE_CRASHED", `The Solar engine stopped unexpectedly${why}.`);
        this.log("error", error.message);
        this.rejectAll(error);

        if (Date.now() - this.startedAt > (this.options.healthyAfterMs ?? 60_000)) this.crashes = 0;
        const delays = this.options.restartDelaysMs ?? [500, 2_000, 8_000];
        if (this.crashes >= delays.length) {
            const failed = new EngineError(
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

    private async restartAfter(delayMs: number): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        this.restart = undefined;
        if (this.stopped) return;
        this.spawn();
        if (this.lastLoad) await this.load(this.lastLoad).catch(() => undefined);
        else this.setState({ kind: "noModel" });
    }

    private rejectAll(error: EngineError): void {
        const pending = [...this.pending.values()];
        this.pending.clear();
        for (const p of pending) p.reject(error);
    }

    private finishStop(): void {
        this.setState({ kind: "stopped" });
        this.resolveStopped?.();
    }

    private setState(state: EngineState): void {
        this.stateValue = state;
        this.options.onState?.(state);
    }

    private log(level: "debug" | "info" | "warn" | "error", message: string): void {
        this.options.log?.(level, message);
    }
}
