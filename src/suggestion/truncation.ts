// A generation the token or time limit stopped ends wherever the limit fell, often inside a line
// (`stockBySku.set(`). Such a line is unfinished: it is dropped, unless it is the only line with
// content, where a part of a line is still better than nothing.

import type { StopReason } from "../backend/types";
import { isBlank } from "./lines";

/** Whether the generation stopped because of a limit rather than because the model was done. */
export function stoppedByLimit(reason: StopReason): boolean {
    return reason === "maxTokens" || reason === "timeLimit" || reason === "contextFull";
}

/** The text without its last, unfinished line, unless nothing with content would be left. */
export function withoutUnfinishedLine(text: string): string {
    const end = text.lastIndexOf("\n");
    if (end < 0) return text;
    const finished = text.slice(0, end);
    return isBlank(finished) ? text : finished;
}

/**
 * The model's text as post-processing should see it. Callers that keep raw text for later (the
 * typing cache re-shapes it on every keystroke) apply this once, before keeping it, since the stop
 * reason is not kept with the text.
 */
export function finishedText(text: string, reason: StopReason): string {
    return stoppedByLimit(reason) ? withoutUnfinishedLine(text) : text;
}
