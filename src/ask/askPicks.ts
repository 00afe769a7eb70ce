// What the "Solar: Prompt..." quick pick lists, as plain data: the typed text with both places the
// answer can go (the configured one first), the recent questions, and a way to clear them.

export type AnswerOutput = "untitled" | "cursor";

export type AskPick =
    | { readonly kind: "ask"; readonly label: string; readonly description: string; readonly prompt: string; readonly output: AnswerOutput }
    | { readonly kind: "recent"; readonly label: string; readonly description: string; readonly prompt: string; readonly output: AnswerOutput }
    | { readonly kind: "clear"; readonly label: string; readonly description: string };

export const OUTPUT_DESCRIPTIONS: Readonly<Record<AnswerOutput, string>> = {
    untitled: "answer in a new document",
    cursor: "answer at the cursor",
};

/**
 * `canInsert` is false without an editor to insert into: only the new document is offered then.
 * Recent prompts answer where the setting says (item buttons offer the other place).
 */
export function askPicks(value: string, recent: readonly string[], preferred: AnswerOutput, canInsert: boolean): AskPick[] {
    const first: AnswerOutput = canInsert ? preferred : "untitled";
    const outputs: AnswerOutput[] = canInsert ? [first, first === "untitled" ? "cursor" : "untitled"] : ["untitled"];
    const typed = value.trim();
    const picks: AskPick[] = typed
        ? outputs.map((output) => ({ kind: "ask", label: typed, description: OUTPUT_DESCRIPTIONS[output], prompt: typed, output }))
        : [];
    for (const prompt of recent) {
        if (prompt === typed) continue;
        picks.push({ kind: "recent", label: prompt, description: `recent, ${OUTPUT_DESCRIPTIONS[first]}`, prompt, output: first });
    }
    if (!typed && recent.length > 0) picks.push({ kind: "clear", label: "Clear recent prompts", description: `${recent.length} stored` });
    return picks;
}
