// User controls over ghost text that are not settings: a snooze that survives a window reload, and
// a pause while something else (a command-palette prompt) has the engine.

import type { Memento } from "../util/memento";

const SNOOZE_KEY = "solarComplete.snoozedUntil";

export class GhostTextControls {
    private pause: string | undefined;

    constructor(
        private readonly state: Memento,
        private readonly now: () => number,
        private readonly onChange: () => void = () => undefined,
    ) {}

    get snoozedUntil(): number | undefined {
        const until = this.state.get<number>(SNOOZE_KEY);
        return until !== undefined && until > this.now() ? until : undefined;
    }

    get pausedBy(): string | undefined {
        return this.pause;
    }

    async snooze(minutes: number): Promise<void> {
        await this.state.update(SNOOZE_KEY, this.now() + minutes * 60_000);
        this.onChange();
    }

    async resume(): Promise<void> {
        await this.state.update(SNOOZE_KEY, undefined);
        this.onChange();
    }

    /** Pauses ghost text until the returned function is called. */
    pauseFor(reason: string): () => void {
        this.pause = reason;
        this.onChange();
        return () => {
            if (this.pause === reason) this.pause = undefined;
            this.onChange();
        };
    }
}
