// Which model answers a question, and the swap that puts Solar Instruct in the worker for it. One
// worker holds one model (two Solar-sized models rarely fit in memory side by side), so Instruct is
// loaded in place of the base model, and the base model is loaded back once the last question is
// done, before ghost text resumes. Pure: loading and the state of whoever completes arrive as
// functions, so this runs in plain Node tests.

import type { BackendState } from "../backend/backend";
import type { ModelInfo } from "../backend/types";
import type { PromptStyle } from "./askPrompt";

export interface ModelSwapDeps {
    /** Loads the Instruct GGUF file at `path` in place of the model in the worker. */
    readonly loadInstruct: (path: string) => Promise<ModelInfo>;
    /** Loads the base model the settings name again (after Instruct replaced it). */
    readonly reloadBase: () => Promise<void>;
    /** The state of whoever completes now (the local worker, or a server). */
    readonly state: () => BackendState;
}

/**
 * Locally, Instruct's template when solarComplete.instructModelPath names a file; with a server,
 * when the served model's name says Instruct (a server serves the model it has).
 */
export function answerStyle(input: { readonly remote: boolean; readonly servedModel: string; readonly instructModelPath: string }): PromptStyle {
    const instruct = input.remote ? /instruct/i.test(input.servedModel) : input.instructModelPath !== "";
    return instruct ? "instruct" : "base";
}

export class ModelSwap {
    /** Instruct replaced the base model in the worker: load the base model back when done. */
    private swapped = false;

    constructor(private readonly deps: ModelSwapDeps) {}

    /** Solar Instruct in the worker (evicting the base model until restoreBase). `onLoading` runs only when a load starts. */
    async useInstruct(path: string, onLoading: () => void): Promise<ModelInfo> {
        const state = this.deps.state();
        if (state.kind === "ready" && state.info.modelPath === path) return state.info;
        if (!path) throw new Error("solarComplete.instructModelPath is empty.");
        onLoading();
        this.swapped = true;
        try {
            return await this.deps.loadInstruct(path);
        } catch (error) {
            throw new Error(`Solar Instruct could not be loaded from ${path}: ${error instanceof Error ? error.message : String(error)}`);
        }
    }

    /** The base model (brought back first if Instruct replaced it), or why there is none to answer with. */
    async useBase(): Promise<ModelInfo> {
        await this.restoreBase();
        const state = this.deps.state();
        if (state.kind === "ready") return state.info;
        throw new Error(state.kind === "loading" || state.kind === "starting" ? "The model is still loading; try again in a moment." : "No model is loaded (see the status bar).");
    }

    /** Loads the base model back if Instruct replaced it; nothing otherwise. */
    async restoreBase(): Promise<void> {
        if (!this.swapped) return;
        this.swapped = false;
        await this.deps.reloadBase();
    }
}
