// Keeps the worker's model in line with the settings: loads on start, reloads when a model-level
// setting changes (path, GPU, threads), and does nothing for the others. Errors go to one reporter,
// which decides how loudly to show them.

import type { Settings } from "../config";
import type { EngineClient } from "./client";
import type { LoadOptions } from "./protocol";

export const NO_MODEL_MESSAGE = "No model is configured: set solarComplete.modelPath to a local GGUF file of Solar 10.7B.";

export class ModelLoader {
    private applied: string | undefined;

    constructor(
        private readonly engine: Pick<EngineClient, "load">,
        private readonly report: (error: unknown) => void,
    ) {}

    /** Loads the model the settings name, unless that exact model is already loaded or loading. */
    async apply(settings: Settings, force = false): Promise<void> {
        const options = loadOptions(settings);
        const key = JSON.stringify(options ?? null);
        if (!force && key === this.applied) return;
        this.applied = key;
        if (!options) {
            this.report(Object.assign(new Error(NO_MODEL_MESSAGE), { code: "NO_MODEL" }));
            return;
        }
        try {
            await this.engine.load(options);
        } catch (error) {
            // A newer apply() superseded this load: its outcome no longer matters.
            if (this.applied === key) this.report(error);
        }
    }
}

export function loadOptions(settings: Settings): LoadOptions | undefined {
    if (!settings.modelPath) return undefined;
    return { modelPath: settings.modelPath, gpu: settings.gpu, threads: settings.threads || undefined };
}
