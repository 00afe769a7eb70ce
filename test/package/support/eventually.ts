// Waiting for something written asynchronously (a log file VS Code flushes later, a DOM update): poll
// with a deadline, never assert on the first look. The error names what was awaited and the last value seen.

export async function eventually<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
        try {
            const value = await probe();
            if (value !== undefined) return value;
            last = undefined;
        } catch (error) {
            last = error;
        }
        if (Date.now() > deadline) {
            const why = last instanceof Error ? `: ${last.message}` : "";
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
        }
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
}
