// The plain data of one command-palette run: the arguments a command takes (keybindings, tests) and
// what a run did, which the extension's API hands to tests and timing measurements.

import type { CompletionStats } from "../backend/types";
import type { AnswerOutput } from "./askPicks";
import type { MiddleCut, PromptStyle } from "./askPrompt";

/** Arguments of solarComplete.prompt, for keybindings and tests; without `prompt` the quick pick asks. */
export interface AskArgs {
    readonly prompt?: string;
    readonly output?: AnswerOutput;
    /** Stop a running prompt without asking. */
    readonly replaceRunning?: boolean;
}

/** What one run did, for the extension's API: tests read it, and so do timing measurements. */
export interface AskRun {
    readonly command: "continueHere" | "prompt";
    readonly style: PromptStyle | "continue";
    readonly modelPath?: string;
    readonly output: AnswerOutput;
    readonly documentUri: string;
    /** The text prompt sent ("prompt" only: Continue Here sends the document and the engine cuts the window). */
    readonly promptText?: string;
    readonly cut?: MiddleCut;
    /** The information message offering Solar Instruct was shown for this run. */
    readonly offeredInstruct: boolean;
    /** What the engine generated, and what went into the document (an answer's leading blank space is dropped). */
    readonly generated: string;
    readonly inserted: string;
    readonly stats?: CompletionStats;
    /** Milliseconds from the command to the first character in the document. */
    readonly firstCharMs?: number;
    /** Milliseconds from the first to the last character in the document. */
    readonly streamMs?: number;
    readonly totalMs: number;
    /** Edits that inserted text. */
    readonly batches: number;
    readonly outcome: "done" | "cancelled" | "error";
    readonly error?: string;
}
