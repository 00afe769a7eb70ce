// One ask at a time (Continue Here or Prompt...), and ghost text out of its way. The engine serves
// one completion at a time and a new one aborts the old, so while an ask runs ghost text is paused
// (the status bar says so) and sends nothing; the engine also refuses, rather than serves, any
// preemptible request that still arrives (see WorkerServer). A second ask asks before aborting the
// first and then takes the engine over without resuming ghost text in between. When the last ask
// ends, `windDown` runs (the base model comes back if Instruct replaced it), then ghost text
// resumes.

export interface AskLease {
    readonly signal: AbortSignal;
    /** Stops this ask (the notification's Cancel); no effect on an ask that took over. */
    cancel(): void;
    /** The ask is done (finished, cancelled or failed). Idempotent. */
    release(): void;
}

export interface AskGateDeps {
    /** Pauses ghost text until the returned function is called. */
    readonly pause: (reason: string) => () => void;
    /** Runs after the last ask ends, before ghost text resumes. Errors are the callee's to report. */
    readonly windDown?: () => Promise<void>;
    readonly onChange?: (busy: boolean) => void;
}

/** What the status bar shows; the feature's old name, as users know it. */
export const ASK_PAUSE_REASON = "a Solar prompt is running";

interface Running {
    readonly controller: AbortController;
    readonly done: Promise<void>;
}

export class AskGate {
    private running: Running | undefined;
    private takeovers = 0;
    private resume: (() => void) | undefined;
    private idle: Promise<void> = Promise.resolve();

    constructor(private readonly deps: AskGateDeps) {}

    get busy(): boolean {
        return this.running !== undefined;
    }

    /**
     * Waits for the engine. With an ask running, asks `confirmAbort` first: false leaves the
     * running ask alone and resolves undefined.
     */
    async acquire(confirmAbort: () => Promise<boolean>): Promise<AskLease | undefined> {
        for (;;) {
            const running = this.running;
            if (running) {
                if (!(await confirmAbort())) return undefined;
                if (this.running !== running) continue;
                this.takeovers++;
                running.controller.abort();
                await running.done;
                this.takeovers--;
                continue;
            }
            await this.idle;
            if (this.running) continue;
            return this.start();
        }
    }

    /** Cancels the running ask (Escape, the notification's Cancel). False when none runs. */
    cancel(): boolean {
        if (!this.running) return false;
        this.running.controller.abort();
        return true;
    }

    private start(): AskLease {
        const controller = new AbortController();
        let finish = () => undefined as void;
        const entry: Running = { controller, done: new Promise<void>((resolve) => (finish = resolve)) };
        this.running = entry;
        this.resume ??= this.deps.pause(ASK_PAUSE_REASON);
        this.deps.onChange?.(true);
        return {
            signal: controller.signal,
            cancel: () => controller.abort(),
            release: () => {
                if (this.running !== entry) return;
                this.running = undefined;
                // Someone waits to take over: keep ghost text paused and the model as it is.
                if (this.takeovers === 0) this.idle = this.windDown();
                finish();
            },
        };
    }

    private async windDown(): Promise<void> {
        try {
            await this.deps.windDown?.();
        } catch {
            // The callee reports its own errors; ghost text must resume regardless.
        }
        if (this.running) return;
        this.resume?.();
        this.resume = undefined;
        this.deps.onChange?.(false);
    }
}
