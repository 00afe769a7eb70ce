// One failure shows one notification, never one per keystroke: a notice is shown the first time a
// given problem (by key, e.g. an error code + path) appears, and again only after things recovered.

export class ErrorNotices {
    private readonly shown = new Set<string>();

    /** True when this problem should be shown now; later calls for the same key say false. */
    shouldShow(key: string): boolean {
        if (this.shown.has(key)) return false;
        this.shown.add(key);
        return true;
    }

    /** Things work again: the next failure of any kind deserves a notification. */
    recovered(): void {
        this.shown.clear();
    }
}
