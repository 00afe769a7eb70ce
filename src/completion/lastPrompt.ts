// What the model saw for the last suggestion, kept cheaply (the slice, the window's cut, the context
// the request carried and how much of it the backend kept) and put together only when asked: Solar:
// Show Last Prompt opens exactly this text, and the status tooltip lists the snippets in it.

import { promptTextOf } from "../backend/promptLayout";
import type { ContextUsed, PromptContext, WindowInfo } from "../backend/types";

/** The blocks for a prompt, and a label for each ("src/money.ts:12-51") for the status tooltip. */
export interface SelectedContext extends PromptContext {
    readonly labels: readonly string[];
}

export class LastPrompt {
    constructor(
        private readonly slice: string,
        private readonly window: WindowInfo,
        private readonly context: SelectedContext | undefined,
        private readonly used: ContextUsed | undefined,
    ) {}

    /** The exact prompt text the backend evaluated. */
    text(): string {
        return promptTextOf(this.context, this.used, this.slice.slice(this.window.start, this.window.end));
    }

    /** Labels of the snippets the prompt kept, in prompt order. */
    snippets(): readonly string[] {
        if (!this.context || !this.used) return [];
        return this.context.labels.slice(this.context.labels.length - this.used.blocks);
    }

    /** Tokens the kept snippets took. */
    contextTokens(): number {
        return this.used?.tokens ?? 0;
    }
}
