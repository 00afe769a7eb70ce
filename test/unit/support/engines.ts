// Shared setup for engine tests: the built worker bundle and clients that clean up after themselves.

import * as fs from "node:fs";
import * as path from "node:path";
import { WorkerClient, type WorkerClientOptions } from "../../../src/engine/workerClient";
import type { BackendState } from "../../../src/backend/backend";
import { inProcessTransport } from "../../../src/engine/inProcessTransport";
import { processTransport, workerTransport } from "../../../src/engine/transport";

export const WORKER_SCRIPT = path.resolve(__dirname, "../../../dist/worker.js");

export function workerClient(options: WorkerClientOptions = {}): WorkerClient {
    if (!fs.existsSync(WORKER_SCRIPT)) throw new Error(`${WORKER_SCRIPT} is missing: run "npm run build" first (npm test does).`);
    return new WorkerClient(workerTransport(WORKER_SCRIPT), options);
}

/** The product's default: the engine in a child process of this one. */
export function processClient(options: WorkerClientOptions = {}): WorkerClient {
    if (!fs.existsSync(WORKER_SCRIPT)) throw new Error(`${WORKER_SCRIPT} is missing: run "npm run build" first (npm test does).`);
    return new WorkerClient(processTransport(WORKER_SCRIPT), options);
}

export function inProcessClient(options: WorkerClientOptions = {}): WorkerClient {
    return new WorkerClient(inProcessTransport(), options);
}

/** Resolves when the client reaches a state of the given kind. */
export function waitForState(client: WorkerClient, kind: BackendState["kind"], timeoutMs = 30_000): Promise<BackendState> {
    return new Promise((resolve, reject) => {
        const started = Date.now();
        const poll = () => {
            if (client.state.kind === kind) resolve(client.state);
            else if (Date.now() - started > timeoutMs) reject(new Error(`state stayed ${client.state.kind}, expected ${kind}`));
            else setTimeout(poll, 5);
        };
        poll();
    });
}
