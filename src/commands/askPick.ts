// The "Solar: Prompt..." quick pick: type a question or take a recent one, and choose where the
// answer goes (Enter: the configured place; an item button: the other one). What it lists is plain
// data from src/ask/askPicks.ts; this file only shows it.

import * as vscode from "vscode";
import { OUTPUT_DESCRIPTIONS, askPicks, type AnswerOutput, type AskPick } from "../ask/askPicks";
import type { RecentQuestions } from "../ask/recentQuestions";

export interface PickedQuestion {
    readonly question: string;
    readonly output: AnswerOutput;
}

/** Resolves undefined when the user dismisses the pick. */
export function pickQuestion(recent: RecentQuestions, preferred: AnswerOutput, canInsert: boolean): Promise<PickedQuestion | undefined> {
    type Item = vscode.QuickPickItem & { readonly pick: AskPick };
    const other: AnswerOutput = preferred === "untitled" ? "cursor" : "untitled";
    const otherButton = { iconPath: new vscode.ThemeIcon(other === "cursor" ? "insert" : "new-file"), tooltip: `Ask, ${OUTPUT_DESCRIPTIONS[other]}` };
    const removeButton = { iconPath: new vscode.ThemeIcon("close"), tooltip: "Remove from recent prompts" };
    const icons: Record<AskPick["kind"], string> = { ask: "", recent: "$(history) ", clear: "$(clear-all) " };
    const quickPick = vscode.window.createQuickPick<Item>();
    quickPick.title = "Solar: Prompt";
    quickPick.placeholder = `Ask Solar${canInsert ? " (about the selection, if any)" : ""}; Enter: ${OUTPUT_DESCRIPTIONS[canInsert ? preferred : "untitled"]}`;
    const refresh = () => {
        quickPick.items = askPicks(quickPick.value, recent.list(), preferred, canInsert).map((pick) => ({
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
