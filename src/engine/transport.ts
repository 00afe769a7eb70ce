// How the client reaches an engine: a real worker thread (the product) or the same EngineService
// in this thread (unit tests, CLI). The client can't tell them apart.

import { Worker } from "node:worker_threads";
import { EngineService } from "./engineService";
import type { HostToWorker, WorkerToHost } from "./protocol";

export interface EngineTransport {
    post(message: HostToWorker): void;
    /** Last resort when a graceful stop did not finish; never used while a generation runs. */
    kill(): void;
}

export interface TransportEvents {
    readonly onMessage: (message: WorkerToHost) => void;
    /** The engine went away; `error` is set when it died of an uncaught exception. */
    readonly onExit: (code: number, error?: Error) => void;
}

export type TransportFactory = (events: TransportEvents) => EngineTransport;

export function workerTransport(workerScript: string): TransportFactory {
    return (events) => {
        const worker = new Worker(workerScript);
        let crash: Error | undefined;
        worker.on("message", events.onMessage);
        worker.on("error", (error) => (crash = error));
        worker.on("exit", (code) => events.onExit(code, crash));
        return {
            post: (message) => worker.postMessage(message),
            kill: () => void worker.terminate(),
        };
    };
}

export function inProcessTransport(): TransportFactory {
    return (events) => {
        let alive = true;
        const exit = (code: number, error?: Error) => {
            if (!alive) return;
            alive = false;
            events.onExit(code, error);
        };
        const service = new EngineService({
            // Asynchronous like a port, so callers see the same ordering as with a worker.
            post: (message) => queueMicrotask(() => alive && events.onMessage(message)),
            onStopped: () => setImmediate(() => exit(0)),
            onCrashRequested: () => exit(1, new Error("Simulated engine crash (test hook)")),
        });
        return {
            post: (message) => queueMicrotask(() => alive && service.handle(message)),
            kill: () => exit(1),
        };
    };
}
