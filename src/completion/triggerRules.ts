// Whether a keystroke (or an explicit request) should ask the model at all. Most keystrokes should
// not: every request costs CPU or GPU time that the editor competes for, and a suggestion nobody can
// use is pure waste. Plain data in, a decision with a reason out, so the status bar and logs can say
// why nothing was shown.
//
// What an explicit trigger (editor.action.inlineSuggest.trigger) bypasses:
// - snooze: a snooze means "stop interrupting my typing"; asking for one suggestion is the user
//   choosing the interruption.
// - the mid-line rule: it only guesses that automatic ghost text would be noise there; a user who
//   asks mid-line wants a completion anyway.
// - manual mode (solarComplete.trigger "manual"): the explicit trigger is the only way in there.
// What it does not bypass:
// - the global switch (`enabled`): "off" means the model does no work. Callers also fold engine
//   pauses (a prompt that holds the engine) into it.
// - a language switched off: a standing choice for that file type, with its own command to undo.
// - an empty document: a base model given nothing but BOS produces arbitrary text.
// - a non-empty selection: ghost text would be inserted while typing replaces the selection.

import { isClosersOnly } from "../suggestion/closers";

export interface TriggerContext {
    /** The current line before the cursor. */
    readonly lineBefore: string;
    /** The current line after the cursor, without the line break. */
    readonly lineAfter: string;
    readonly documentEmpty: boolean;
    readonly languageId: string;
    /** Like Copilot's `github.copilot.enable`: language id -> on/off, `"*"` for the rest. */
    readonly enableLanguages: Readonly<Record<string, boolean>>;
    /** The global switch, false also while something else holds the engine. */
    readonly enabled: boolean;
    /** Epoch ms until which automatic ghost text is snoozed. */
    readonly snoozedUntil?: number;
    readonly now: number;
    /** The user asked for a suggestion rather than typed. */
    readonly explicit: boolean;
    readonly selectionEmpty: boolean;
    /** solarComplete.trigger is "manual": typing alone never asks the model. */
    readonly manual?: boolean;
}

export type TriggerBlock = "disabled" | "language-disabled" | "empty-document" | "selection" | "manual" | "snoozed" | "mid-line";

export type TriggerDecision = { readonly trigger: true } | { readonly trigger: false; readonly reason: TriggerBlock };


/** Whether ghost text is on for a language: its own entry, else `"*"`, else on. */
export function isLanguageEnabled(enableLanguages: Readonly<Record<string, boolean>>, languageId: string): boolean {
    // hasOwn, not `in` or indexing: a language id like "constructor" must not hit Object.prototype.
    if (Object.hasOwn(enableLanguages, languageId)) return enableLanguages[languageId] !== false;
    if (Object.hasOwn(enableLanguages, "*")) return enableLanguages["*"] !== false;
    return true;
}

/**
 * Whether the text after the cursor allows a mid-line suggestion (always true at the line end).
 * Copilot's rule: only when what follows is closers and at most one trailing separator, e.g.
 * `foo(|)`, `"|";`, `{|},`. Anything else after the cursor (a word, an operator) means the user is
 * editing existing code, where a prefix-only model's guess is rarely right.
 */
export function restOfLineAllowsSuggestion(lineAfter: string): boolean {
    return isClosersOnly(lineAfter);
}

export function shouldTrigger(ctx: TriggerContext): TriggerDecision {
    // Cheapest and most final reasons first, so the reason reported is the one the user can act on.
    if (!ctx.enabled) return block("disabled");
    if (!isLanguageEnabled(ctx.enableLanguages, ctx.languageId)) return block("language-disabled");
    if (ctx.documentEmpty) return block("empty-document");
    if (!ctx.selectionEmpty) return block("selection");
    if (ctx.explicit) return { trigger: true };
    if (ctx.manual) return block("manual");
    if (ctx.snoozedUntil !== undefined && ctx.now < ctx.snoozedUntil) return block("snoozed");
    if (!restOfLineAllowsSuggestion(ctx.lineAfter)) return block("mid-line");
    return { trigger: true };
}

function block(reason: TriggerBlock): TriggerDecision {
    return { trigger: false, reason };
}
