// The engine in this very thread, behind the same transport as a process or a worker thread: for
// unit tests and benchmarks that want the protocol without a second thread. Never used by the
// extension (it would load llama.cpp into the extension host).

import type { TransportFactory } from "./transport";
import { WorkerServer } from "./workerServer";

export function inProcessTransport(): TransportFactory {
    return (events) => {
        let alive = true;
        const exit = (code: number, error?: Error) => {
            if (!alive) return;
            alive = false;
            events.onExit(code, error);
        };
        const service = new WorkerServer({
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
