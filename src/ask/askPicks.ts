// What the "Solar: Prompt..." quick pick lists, as plain data: the typed text with both places the
// answer can go (the configured one first), the recent questions, and a way to clear them.

import { english, type Translate } from "../util/translate";

export type AnswerOutput = "untitled" | "cursor";

export type AskPick =
    | { readonly kind: "ask"; readonly label: string; readonly description: string; readonly prompt: string; readonly output: AnswerOutput }
    | { readonly kind: "recent"; readonly label: string; readonly description: string; readonly prompt: string; readonly output: AnswerOutput }
    | { readonly kind: "clear"; readonly label: string; readonly description: string };

/** Where the answer goes, as the pick says it. */
export function outputDescription(output: AnswerOutput, t: Translate = english): string {
    return output === "untitled" ? t("answer in a new document") : t("answer at the cursor");
}

/**
 * `canInsert` is false without an editor to insert into: only the new document is offered then.
 * Recent prompts answer where the setting says (item buttons offer the other place). `t`: vscode.l10n.t from the adapter.
 */
export function askPicks(value: string, recent: readonly string[], preferred: AnswerOutput, canInsert: boolean, t: Translate = english): AskPick[] {
    const first: AnswerOutput = canInsert ? preferred : "untitled";
    const outputs: AnswerOutput[] = canInsert ? [first, first === "untitled" ? "cursor" : "untitled"] : ["untitled"];
    const typed = value.trim();
    const picks: AskPick[] = typed
        ? outputs.map((output) => ({ kind: "ask", label: typed, description: outputDescription(output, t), prompt: typed, output }))
        : [];
    for (const prompt of recent) {
        if (prompt === typed) continue;
        picks.push({ kind: "recent", label: prompt, description: t("recent, {0}", outputDescription(first, t)), prompt, output: first });
    }
    if (!typed && recent.length > 0) picks.push({ kind: "clear", label: t("Clear recent prompts"), description: t("{0} stored", recent.length) });
    return picks;
}
