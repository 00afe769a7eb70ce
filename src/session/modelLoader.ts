// Keeps the worker's model in line with the settings: loads on start, reloads when a model-level
// setting changes (path, GPU, threads), and does nothing for the others. Errors go to one reporter,
// which decides how loudly to show them.

import { MODEL_KEYS, type Settings } from "../config";
import type { WorkerClient } from "../engine/workerClient";
import type { LoadOptions } from "../engine/protocol";

export const NO_MODEL_MESSAGE = "No model is configured: set solarComplete.modelPath to a local GGUF file of Solar 10.7B.";

/** Settings → the GGUF file to load (the model manager may download it first); undefined = none. */
export type ModelPathResolver = (settings: Settings) => Promise<string | undefined>;

export class ModelLoader {
    private applied: string | undefined;

    constructor(
        private readonly engine: Pick<WorkerClient, "load">,
        private readonly report: (error: unknown) => void,
        private readonly resolvePath: ModelPathResolver = async (settings) => settings.modelPath || undefined,
    ) {}

    /** Loads the model the settings name, unless that exact model is already loaded or loading. */
    async apply(settings: Settings, force = false): Promise<void> {
        const key = JSON.stringify(MODEL_KEYS.map((k) => settings[k]));
        if (!force && key === this.applied) return;
        this.applied = key;
        let modelPath: string | undefined;
        try {
            modelPath = await this.resolvePath(settings);
        } catch (error) {
            if (this.applied === key) this.report(error);
            return;
        }
        if (this.applied !== key) return; // a newer apply() took over while this one downloaded
        const options = loadOptions({ ...settings, modelPath: modelPath ?? "" });
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
    return { modelPath: settings.modelPath, gpu: settings.gpu, threads: settings.threads || undefined, kvStates: settings.kvStates };
}
