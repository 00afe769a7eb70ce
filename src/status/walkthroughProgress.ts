// The walkthrough's decisions as pure functions, so they are tested without a VS Code: which of the
// context keys its steps complete on hold for a backend state, and how the first start opens it.
// The adapter (src/ui/walkthrough.ts) sets the keys and runs the command; the steps themselves are
// package.json's contributes.walkthroughs, with their pages in media/walkthrough/.

import type { BackendState } from "../backend/backend";

/** `<publisher>.<name>#<walkthrough id>`, as workbench.action.openWalkthrough takes it. */
export const WALKTHROUGH_ID = "solar-complete.solar-complete#solarComplete.gettingStarted";

/** The context keys the steps' completionEvents (and the CUDA step's `when`) name. */
export const WALKTHROUGH_KEYS = {
    /** Something completes: the local model is loaded, or a server answers. */
    modelReady: "solarComplete.modelReady",
    /** The local model runs on a GPU (CUDA, Vulkan, Metal), not on the CPU. */
    gpuInUse: "solarComplete.gpuInUse",
    /** An NVIDIA GPU was found and the CUDA GPU pack is not installed: the CUDA step replaces the GPU step. */
    cudaPackOffered: "solarComplete.cudaPackOffered",
    /** Ghost text was offered in an editor (only ever set to true). */
    ghostTextShown: "solarComplete.ghostTextShown",
} as const;

/** The keys a backend state decides, by their context key. */
export function backendKeys(state: BackendState): Record<string, boolean> {
    const ready = state.kind === "ready";
    // A GPU build with no layers offloaded runs on the CPU: ModelInfo.backend then starts with "CPU".
    const onGpu = state.kind === "ready" && state.info.gpu !== false && !state.info.backend.startsWith("CPU");
    return { [WALKTHROUGH_KEYS.modelReady]: ready, [WALKTHROUGH_KEYS.gpuInUse]: onGpu };
}

export interface FirstRunInput {
    /** The walkthrough was opened (or deliberately not) at an earlier start: the globalState flag. */
    readonly alreadyDone: boolean;
    /** The extension runs an extension test suite (ExtensionMode.Test). */
    readonly testMode: boolean;
    /** VS Code's own `workbench.welcomePage.walkthroughs.openOnInstall`: the user's word on this. */
    readonly openOnInstall: boolean;
    /** A text editor is visible: opening must not take it away from the user. */
    readonly editorVisible: boolean;
}

/**
 * What the first start does: nothing after the first time or in a test run; otherwise it opens the
 * walkthrough (unless VS Code's setting says no) and remembers that it is done either way. Beside
 * an editor it opens the way VS Code opens an installed extension's walkthrough: as an inactive
 * tab, so neither focus nor the visible editor changes.
 */
export function firstRunAction(input: FirstRunInput): { readonly open: false; readonly remember: boolean } | { readonly open: true; readonly inactive: boolean; readonly remember: true } {
    if (input.alreadyDone || input.testMode) return { open: false, remember: false };
    if (!input.openOnInstall) return { open: false, remember: true };
    return { open: true, inactive: input.editorVisible, remember: true };
}
