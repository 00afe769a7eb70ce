// What the status bar item says, as a pure function of the state, so every state's text is tested
// without a VS Code. The adapter (src/ui/statusBar.ts) only copies these fields onto the item.

import type { BackendState } from "../backend/backend";

export interface StatusInput {
    readonly engine: BackendState;
    readonly enabled: boolean;
    readonly snoozedUntil?: number;
    readonly now: number;
    /** Ghost text is off for the active editor's language. */
    readonly languageDisabled?: string;
    /** The solarComplete.exclude pattern the active editor's file matches. */
    readonly excludedBy?: string;
    /** solarComplete.trigger is "manual": ghost text only when asked. */
    readonly manual?: boolean;
    readonly generating: boolean;
    /** Why ghost text is paused, e.g. a command-palette prompt is running. */
    readonly pausedBy?: string;
    readonly last?: { readonly latencyMs: number; readonly tokensPerSecond?: number };
}

export interface StatusView {
    readonly text: string;
    readonly tooltip: string;
    readonly severity: "normal" | "warning" | "error";
}

export function describeStatus(input: StatusInput): StatusView {
    const { engine } = input;
    const backend = engine.kind === "ready" ? engine.info.backend : undefined;
    const details = [
        backend && `Backend: ${backend}`,
        engine.kind === "ready" && `Model: ${engine.info.modelPath} (${engine.info.fileType ?? "GGUF"}, context ${engine.info.contextSize})`,
        input.manual && "Manual mode: ghost text only when you ask (Alt+\\ or \"Solar: Suggest Here\").",
        input.last && `Last suggestion: ${Math.round(input.last.latencyMs)} ms${input.last.tokensPerSecond ? `, ${input.last.tokensPerSecond.toFixed(1)} tok/s` : ""}`,
        "Click for options.",
    ].filter(Boolean);
    const tooltip = (headline: string) => [headline, ...details].join("\n");

    switch (engine.kind) {
        case "failed":
            return { text: "$(error) Solar", tooltip: tooltip(`Engine stopped: ${engine.error.message}`), severity: "error" };
        case "noModel":
            return engine.error
                ? { text: "$(error) Solar", tooltip: tooltip(`No model: ${engine.error.message}`), severity: "error" }
                : { text: "$(circle-slash) Solar", tooltip: tooltip("No model configured."), severity: "warning" };
        case "restarting":
            return { text: "$(sync~spin) Solar", tooltip: tooltip(`Engine crashed, restarting (attempt ${engine.attempt}): ${engine.error.message}`), severity: "warning" };
        case "starting":
        case "loading":
            return { text: "$(loading~spin) Solar", tooltip: tooltip(engine.kind === "loading" ? `Loading ${engine.modelPath}…` : "Starting the engine…"), severity: "normal" };
        case "stopped":
            return { text: "$(circle-slash) Solar", tooltip: tooltip("Engine stopped."), severity: "warning" };
        case "unavailable":
            return engine.retryInMs === undefined
                ? { text: "$(error) Solar", tooltip: tooltip(`Server unavailable: ${engine.error.message}`), severity: "error" }
                : {
                      text: "$(cloud-offline) Solar",
                      tooltip: tooltip(`Server unavailable, trying again in ${Math.ceil(engine.retryInMs / 1000)} s: ${engine.error.message}`),
                      severity: "warning",
                  };
        case "ready":
            break;
    }
    if (!input.enabled) return { text: "$(circle-slash) Solar", tooltip: tooltip("Ghost text is disabled."), severity: "normal" };
    // Before snooze and pauses: even an explicit request is refused here, and nothing is sent.
    if (input.excludedBy !== undefined) {
        return { text: "$(lock) Solar", tooltip: tooltip(`No ghost text for this file: ${exclusionReason(input.excludedBy)}. Its text is never sent to the model.`), severity: "normal" };
    }
    if (input.snoozedUntil !== undefined && input.snoozedUntil > input.now) {
        const minutes = Math.ceil((input.snoozedUntil - input.now) / 60_000);
        return { text: `$(debug-pause) Solar ${minutes}m`, tooltip: tooltip(`Snoozed for ${minutes} more minute${minutes === 1 ? "" : "s"}.`), severity: "normal" };
    }
    if (input.pausedBy) return { text: "$(debug-pause) Solar", tooltip: tooltip(`Ghost text paused: ${input.pausedBy}.`), severity: "normal" };
    if (input.languageDisabled) {
        return { text: "$(circle-slash) Solar", tooltip: tooltip(`Ghost text is disabled for ${input.languageDisabled}.`), severity: "normal" };
    }
    if (input.generating) return { text: "$(loading~spin) Solar", tooltip: tooltip("Generating…"), severity: "normal" };
    const latency = input.last ? ` ${Math.round(input.last.latencyMs)}ms` : "";
    const mode = input.manual ? " manual" : "";
    return { text: `$(sparkle) Solar${mode}${latency}`, tooltip: tooltip("Ready."), severity: "normal" };
}

/** What the status bar and refusals say: which setting, and which of its patterns. */
export function exclusionReason(pattern: string): string {
    return `excluded by solarComplete.exclude: ${pattern}`;
}
