// The status bar item: copies describeStatus() onto a StatusBarItem and refreshes it when anything
// it shows changes (engine state, activity, settings, active editor, snooze expiry).

import * as vscode from "vscode";
import { describeStatus, type StatusInput } from "../status/statusText";

export const MENU_COMMAND = "solarComplete.showMenu";

export class StatusBar implements vscode.Disposable {
    private readonly item = vscode.window.createStatusBarItem("solarComplete.status", vscode.StatusBarAlignment.Right, 100);
    private readonly timer: NodeJS.Timeout;
    private readonly refreshed = new vscode.EventEmitter<StatusInput>();
    /** Each state shown: the walkthrough's context keys follow it (src/ui/walkthrough.ts). */
    readonly onDidRefresh = this.refreshed.event;

    private shown = false;

    /** Shows nothing until show(): the input may read objects that are built after this one. */
    constructor(private readonly input: () => StatusInput) {
        this.item.name = vscode.l10n.t("Solar Complete");
        this.item.command = MENU_COMMAND;
        // A snooze counts down in minutes: refresh often enough to show it and to notice its end.
        this.timer = setInterval(() => this.refresh(), 15_000);
    }

    show(): void {
        this.shown = true;
        this.refresh();
        this.item.show();
    }

    refresh(): void {
        if (!this.shown) return;
        const input = this.input();
        const view = describeStatus(input, (m, ...args) => vscode.l10n.t(m, ...args));
        this.item.text = view.text;
        this.item.tooltip = view.tooltip;
        this.item.backgroundColor =
            view.severity === "error"
                ? new vscode.ThemeColor("statusBarItem.errorBackground")
                : view.severity === "warning"
                  ? new vscode.ThemeColor("statusBarItem.warningBackground")
                  : undefined;
        this.refreshed.fire(input);
    }

    dispose(): void {
        clearInterval(this.timer);
        this.item.dispose();
        this.refreshed.dispose();
    }
}
