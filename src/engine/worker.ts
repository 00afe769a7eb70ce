// The worker thread's entry: hosts an EngineService on the parent port, nothing more. Model work
// runs here so the extension host's thread never blocks on tokenizing or llama.cpp calls.

import { parentPort } from "node:worker_threads";
import { EngineService } from "./engineService";
import type { HostToWorker } from "./protocol";

const port = parentPort;
if (!port) throw new Error("worker.js must run as a worker thread");

const service = new EngineService({
    post: (message) => port.postMessage(message),
    // Closing the port lets the thread exit on its own. Never terminate() it mid-generation: that
    // aborts the whole process (measured), which inside VS Code would kill the extension host.
    onStopped: () => port.close(),
    onCrashRequested: () =>
        setImmediate(() => {
            throw new Error("Simulated engine crash (test hook)");
        }),
});
port.on("message", (message: HostToWorker) => service.handle(message));
