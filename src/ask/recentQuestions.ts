// The questions asked lately, newest first, kept in the extension's global state (a Memento), so the
// quick pick offers them again after a reload. Clearable, capped, no duplicates.

import type { Memento } from "../util/memento";

/** The feature's old name, kept: users' stored lists are under it. */
export const RECENT_QUESTIONS_KEY = "solarComplete.recentPrompts";
const DEFAULT_LIMIT = 20;

export class RecentQuestions {
    constructor(
        private readonly state: Memento,
        private readonly limit = DEFAULT_LIMIT,
    ) {}

    list(): string[] {
        const stored = this.state.get<unknown>(RECENT_QUESTIONS_KEY);
        return Array.isArray(stored) ? stored.filter((p): p is string => typeof p === "string" && p.trim() !== "") : [];
    }

    /** Puts the prompt first (moving it if it was there already). */
    async add(prompt: string): Promise<void> {
        const trimmed = prompt.trim();
        if (!trimmed) return;
        const next = [trimmed, ...this.list().filter((p) => p !== trimmed)].slice(0, this.limit);
        await this.state.update(RECENT_QUESTIONS_KEY, next);
    }

    async remove(prompt: string): Promise<void> {
        await this.state.update(RECENT_QUESTIONS_KEY, this.list().filter((p) => p !== prompt));
    }

    async clear(): Promise<void> {
        await this.state.update(RECENT_QUESTIONS_KEY, undefined);
    }
}
