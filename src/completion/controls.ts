// User controls over ghost text that are not settings: a snooze that survives a window reload, and
// pauses while something else holds ghost text back (a command-palette prompt has the engine, the
// machine runs on battery). Pauses stack: each lifts only its own, so a prompt that ends on battery
// leaves the battery's pause in place.

import type { Memento } from "../util/memento";

const SNOOZE_KEY = "solarComplete.snoozedUntil";

export class GhostTextControls {
    private readonly pauses: { readonly reason: string }[] = [];

    constructor(
        private readonly state: Memento,
        private readonly now: () => number,
        private readonly onChange: () => void = () => undefined,
    ) {}

    get snoozedUntil(): number | undefined {
        const until = this.state.get<number>(SNOOZE_KEY);
        return until !== undefined && until > this.now() ? until : undefined;
    }

    /** The latest pause's reason while any holds. */
    get pausedBy(): string | undefined {
        return this.pauses.at(-1)?.reason;
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
        const pause = { reason };
        this.pauses.push(pause);
        this.onChange();
        return () => {
            const index = this.pauses.indexOf(pause);
            if (index >= 0) this.pauses.splice(index, 1);
            this.onChange();
        };
    }
}
