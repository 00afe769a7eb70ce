// What the status bar item says, as a pure function of the state, so every state's text is tested
// without a VS Code. The adapter (src/ui/statusBar.ts) only copies these fields onto the item.

import type { BackendState } from "../backend/backend";
import { english, type Translate } from "../util/translate";

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
    /** Snippets from other files in the last suggestion's prompt, as "path:lines (source)", and their tokens. */
    readonly lastContext?: { readonly snippets: readonly string[]; readonly tokens: number };
}

export interface StatusView {
    readonly text: string;
    readonly tooltip: string;
    readonly severity: "normal" | "warning" | "error";
}

/** `t`: the adapter passes vscode.l10n.t; English by default. */
export function describeStatus(input: StatusInput, t: Translate = english): StatusView {
    const { engine } = input;
    const backend = engine.kind === "ready" ? engine.info.backend : undefined;
    const details = [
        backend && t("Backend: {0}", backend),
        engine.kind === "ready" && t("Model: {0} ({1}, context {2})", engine.info.modelPath, engine.info.fileType ?? "GGUF", engine.info.contextSize),
        input.manual && t("Manual mode: ghost text only when you ask (Alt+\\ or \"Solar: Suggest Here\")."),
        input.last &&
            (input.last.tokensPerSecond
                ? t("Last suggestion: {0} ms, {1} tok/s", Math.round(input.last.latencyMs), input.last.tokensPerSecond.toFixed(1))
                : t("Last suggestion: {0} ms", Math.round(input.last.latencyMs))),
        contextLine(input.lastContext, t),
        t("Click for options."),
    ].filter(Boolean);
    const tooltip = (headline: string) => [headline, ...details].join("\n");

    switch (engine.kind) {
        case "failed":
            return { text: "$(error) Solar", tooltip: tooltip(t("Engine stopped: {0}", engine.error.message)), severity: "error" };
        case "noModel":
            return engine.error
                ? { text: "$(error) Solar", tooltip: tooltip(t("No model: {0}", engine.error.message)), severity: "error" }
                : { text: "$(circle-slash) Solar", tooltip: tooltip(t("No model configured.")), severity: "warning" };
        case "restarting":
            return { text: "$(sync~spin) Solar", tooltip: tooltip(t("Engine crashed, restarting (attempt {0}): {1}", engine.attempt, engine.error.message)), severity: "warning" };
        case "starting":
        case "loading":
            return { text: "$(loading~spin) Solar", tooltip: tooltip(engine.kind === "loading" ? t("Loading {0}…", engine.modelPath) : t("Starting the engine…")), severity: "normal" };
        case "stopped":
            return { text: "$(circle-slash) Solar", tooltip: tooltip(t("Engine stopped.")), severity: "warning" };
        case "unavailable":
            return engine.retryInMs === undefined
                ? { text: "$(error) Solar", tooltip: tooltip(t("Server unavailable: {0}", engine.error.message)), severity: "error" }
                : {
                      text: "$(cloud-offline) Solar",
                      tooltip: tooltip(t("Server unavailable, trying again in {0} s: {1}", Math.ceil(engine.retryInMs / 1000), engine.error.message)),
                      severity: "warning",
                  };
        case "ready":
            break;
    }
    if (!input.enabled) return { text: "$(circle-slash) Solar", tooltip: tooltip(t("Ghost text is disabled.")), severity: "normal" };
    // Before snooze and pauses: even an explicit request is refused here, and nothing is sent.
    if (input.excludedBy !== undefined) {
        return { text: "$(lock) Solar", tooltip: tooltip(t("No ghost text for this file: {0}. Its text is never sent to the model.", exclusionReason(input.excludedBy, t))), severity: "normal" };
    }
    if (input.snoozedUntil !== undefined && input.snoozedUntil > input.now) {
        const minutes = Math.ceil((input.snoozedUntil - input.now) / 60_000);
        return { text: `$(debug-pause) Solar ${minutes}m`, tooltip: tooltip(minutes === 1 ? t("Snoozed for {0} more minute.", minutes) : t("Snoozed for {0} more minutes.", minutes)), severity: "normal" };
    }
    if (input.pausedBy) return { text: "$(debug-pause) Solar", tooltip: tooltip(t("Ghost text paused: {0}.", input.pausedBy)), severity: "normal" };
    if (input.languageDisabled) {
        return { text: "$(circle-slash) Solar", tooltip: tooltip(t("Ghost text is disabled for {0}.", input.languageDisabled)), severity: "normal" };
    }
    if (input.generating) return { text: "$(loading~spin) Solar", tooltip: tooltip(t("Generating…")), severity: "normal" };
    const latency = input.last ? ` ${Math.round(input.last.latencyMs)}ms` : "";
    const mode = input.manual ? ` ${t("manual")}` : "";
    return { text: `$(sparkle) Solar${mode}${latency}`, tooltip: tooltip(t("Ready.")), severity: "normal" };
}

/** The snippets the last prompt held, one per line, or nothing when it held none. */
function contextLine(context: StatusInput["lastContext"], t: Translate): string | undefined {
    if (!context || context.snippets.length === 0) return undefined;
    const count = context.snippets.length;
    const headline = count === 1 ? t("Context: {0} snippet, {1} tokens (\"Solar: Show Last Prompt\")", count, context.tokens) : t("Context: {0} snippets, {1} tokens (\"Solar: Show Last Prompt\")", count, context.tokens);
    return [headline, ...context.snippets.map((s) => `  ${s}`)].join("\n");
}

/** What the status bar and refusals say: which setting, and which of its patterns. */
export function exclusionReason(pattern: string, t: Translate = english): string {
    return t("excluded by solarComplete.exclude: {0}", pattern);
}
