// Shows an error once (ErrorNotices decides) with actions, and logs every occurrence.

import * as vscode from "vscode";
import type { ErrorNotices } from "../status/errorNotices";
import { SECTION } from "../config";

export interface ReportDeps {
    readonly log: vscode.LogOutputChannel;
    readonly notices: ErrorNotices;
    readonly showLog: () => void;
    /** Every notification shown, for the extension's API (tests read it). */
    readonly shown: string[];
}

export function reportError(error: unknown, deps: ReportDeps): void {
    const message = error instanceof Error ? error.message : String(error);
    // No abort reaches this: an abort ends a request with stopReason "abort", not an error, and the provider drops errors after aborting.
    const code = (error as { code?: unknown })?.code;
    deps.log.error(`${typeof code === "string" ? `[${code}] ` : ""}${message}`);
    if (!deps.notices.shouldShow(typeof code === "string" ? code : message)) return;
    const showLog = vscode.l10n.t("Show Log");
    const openSettings = vscode.l10n.t("Open Settings");
    const actions = [showLog, openSettings];
    deps.shown.push(message);
    void vscode.window.showErrorMessage(vscode.l10n.t("Solar Complete: {0}", message), ...actions).then((picked) => {
        if (picked === showLog) deps.showLog();
        const setting = typeof code === "string" && code.startsWith("REMOTE_") ? "remote" : "modelPath";
        if (picked === openSettings) void vscode.commands.executeCommand("workbench.action.openSettings", `${SECTION}.${setting}`);
    });
}
