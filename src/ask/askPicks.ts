// What the "Solar: Prompt..." quick pick lists, as plain data: the typed text with both places the
// answer can go (the configured one first), the recent prompts, and a way to clear them.

export type PromptOutput = "untitled" | "cursor";

export type PromptPick =
    | { readonly kind: "ask"; readonly label: string; readonly description: string; readonly prompt: string; readonly output: PromptOutput }
    | { readonly kind: "recent"; readonly label: string; readonly description: string; readonly prompt: string; readonly output: PromptOutput }
    | { readonly kind: "clear"; readonly label: string; readonly description: string };

export const OUTPUT_DESCRIPTIONS: Readonly<Record<PromptOutput, string>> = {
    untitled: "answer in a new document",
    cursor: "answer at the cursor",
};

/**
 * `canInsert` is false without an editor to insert into: only the new document is offered then.
 * Recent prompts answer where the setting says (item buttons offer the other place).
 */
export function promptPicks(value: string, recent: readonly string[], preferred: PromptOutput, canInsert: boolean): PromptPick[] {
    const first: PromptOutput = canInsert ? preferred : "untitled";
    const outputs: PromptOutput[] = canInsert ? [first, first === "untitled" ? "cursor" : "untitled"] : ["untitled"];
    const typed = value.trim();
    const picks: PromptPick[] = typed
        ? outputs.map((output) => ({ kind: "ask", label: typed, description: OUTPUT_DESCRIPTIONS[output], prompt: typed, output }))
        : [];
    for (const prompt of recent) {
        if (prompt === typed) continue;
        picks.push({ kind: "recent", label: prompt, description: `recent, ${OUTPUT_DESCRIPTIONS[first]}`, prompt, output: first });
    }
    if (!typed && recent.length > 0) picks.push({ kind: "clear", label: "Clear recent prompts", description: `${recent.length} stored` });
    return picks;
}
