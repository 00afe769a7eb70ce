// The engine's entry: hosts an WorkerServer on whichever channel it was started with, nothing more.
// As a child process (the default) it speaks over the IPC channel; as a worker thread, over the
// parent port. Either way model work runs off the extension host's thread.

import { parentPort } from "node:worker_threads";
import { WorkerServer } from "./workerServer";
import type { CrashMode, HostToWorker, WorkerToHost } from "./protocol";

/** What the test-only crash message does: each is how a real engine dies. */
function crash(mode: CrashMode): void {
    if (mode === "abort") process.abort(); // what GGML_ASSERT does
    setImmediate(() => {
        throw new Error(`Simulated engine crash (test hook, ${mode})`);
    });
}

function serve(post: (message: WorkerToHost) => void, onStopped: () => void): WorkerServer {
    return new WorkerServer({ post, onStopped, onCrashRequested: crash });
}

const port = parentPort;
if (port) {
    // Closing the port lets the thread exit on its own. Never terminate() it mid-generation: that
    // aborts the whole process (measured), which inside VS Code would kill the extension host.
    const service = serve((message) => port.postMessage(message), () => port.close());
    port.on("message", (message: HostToWorker) => service.handle(message));
} else if (process.send) {
    const send = process.send.bind(process);
    const service = serve(
        (message) => {
            if (process.connected) send(message);
        },
        // Queued messages are flushed before the channel closes; then nothing keeps the process up.
        () => process.disconnect(),
    );
    process.on("message", (message: HostToWorker) => service.handle(message));
    // The host went away without a stop (killed, or crashed for its own reasons): free the model's
    // memory at once rather than linger as an orphan holding gigabytes.
    process.on("disconnect", () => {
        service.handle({ type: "stop" });
        setTimeout(() => process.exit(0), 5_000).unref();
    });
} else {
    throw new Error("worker.js must run as a worker thread or a child process with an IPC channel");
}
