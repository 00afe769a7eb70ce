// Entry point: builds every object once, registers each for disposal, and returns. The model loads
// in the worker in the background, so activation never waits for it.

import * as path from "node:path";
import * as vscode from "vscode";
import { EngineClient } from "./engine/client";
import { workerTransport } from "./engine/transport";

let engine: EngineClient | undefined;

export function activate(context: vscode.ExtensionContext): { engine: EngineClient } {
    const log = vscode.window.createOutputChannel("Solar Complete", { log: true });
    context.subscriptions.push(log);
    engine = new EngineClient(workerTransport(path.join(context.extensionPath, "dist", "worker.js")), {
        log: (level, message) => log[level](message),
    });
    return { engine };
}

export function deactivate(): Promise<void> | undefined {
    return engine?.stop();
}
