// The "Solar: Prompt..." quick pick: type a question or take a recent one, and choose where the
// answer goes (Enter: the configured place; an item button: the other one). What it lists is plain
// data from src/ask/askPicks.ts; this file only shows it.

import * as vscode from "vscode";
import { askPicks, outputDescription, type AnswerOutput, type AskPick } from "../ask/askPicks";
import type { RecentQuestions } from "../ask/recentQuestions";
import type { Translate } from "../util/translate";

export interface PickedQuestion {
    readonly question: string;
    readonly output: AnswerOutput;
}

/** Resolves undefined when the user dismisses the pick. */
export function pickQuestion(recent: RecentQuestions, preferred: AnswerOutput, canInsert: boolean): Promise<PickedQuestion | undefined> {
    type Item = vscode.QuickPickItem & { readonly pick: AskPick };
    const t: Translate = (message, ...args) => vscode.l10n.t(message, ...args);
    const other: AnswerOutput = preferred === "untitled" ? "cursor" : "untitled";
    const otherButton = { iconPath: new vscode.ThemeIcon(other === "cursor" ? "insert" : "new-file"), tooltip: vscode.l10n.t("Ask, {0}", outputDescription(other, t)) };
    const removeButton = { iconPath: new vscode.ThemeIcon("close"), tooltip: vscode.l10n.t("Remove from recent prompts") };
    const icons: Record<AskPick["kind"], string> = { ask: "", recent: "$(history) ", clear: "$(clear-all) " };
    const quickPick = vscode.window.createQuickPick<Item>();
    quickPick.title = vscode.l10n.t("Solar: Prompt");
    quickPick.placeholder = canInsert
        ? vscode.l10n.t("Ask Solar (about the selection, if any); Enter: {0}", outputDescription(preferred, t))
        : vscode.l10n.t("Ask Solar; Enter: {0}", outputDescription("untitled", t));
    const refresh = () => {
        quickPick.items = askPicks(quickPick.value, recent.list(), preferred, canInsert, t).map((pick) => ({
            pick,
            label: `${pick.kind === "ask" ? (pick.output === "cursor" ? "$(insert) " : "$(new-file) ") : icons[pick.kind]}${pick.label}`,
            description: pick.description,
            alwaysShow: pick.kind === "ask",
            buttons: pick.kind === "recent" ? [...(canInsert ? [otherButton] : []), removeButton] : [],
        }));
    };
    return new Promise((resolve) => {
        let settled = false;
        const done = (value: PickedQuestion | undefined) => {
            if (settled) return;
            settled = true;
            resolve(value);
            quickPick.hide();
        };
        quickPick.onDidChangeValue(refresh);
        quickPick.onDidAccept(() => {
            const pick = quickPick.selectedItems[0]?.pick;
            if (pick?.kind === "clear") {
                void recent.clear().then(refresh);
            } else if (pick) {
                done({ question: pick.prompt, output: pick.output });
            }
        });
        quickPick.onDidTriggerItemButton(({ item, button }) => {
            if (item.pick.kind !== "recent") return;
            if (button === removeButton) void recent.remove(item.pick.prompt).then(refresh);
            else done({ question: item.pick.prompt, output: other });
        });
        quickPick.onDidHide(() => {
            done(undefined);
            quickPick.dispose();
        });
        refresh();
        quickPick.show();
    });
}
