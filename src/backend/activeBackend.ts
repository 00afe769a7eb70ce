// The backend that completes now: the local engine's worker client or a server. Everything
// downstream (ghost text, status bar, the command-palette features) holds this one object; the
// session switches what is behind it when the settings change, and between two backends there is
// a moment with none.

import type { Backend, BackendState, CompleteOptions } from "./backend";
import { BackendError } from "./backendError";
import type { CompletionRequest, CompletionResult } from "./types";

export class ActiveBackend implements Backend {
    constructor(private current?: Backend) {}

    get state(): BackendState {
        return this.current?.state ?? { kind: "starting" };
    }

    get active(): Backend | undefined {
        return this.current;
    }

    use(next: Backend | undefined): void {
        this.current = next;
    }

    async complete(request: CompletionRequest, options?: CompleteOptions): Promise<CompletionResult> {
        return this.require().complete(request, options);
    }

    async countTokens(text: string): Promise<number> {
        return this.require().countTokens(text);
    }

    private require(): Backend {
        if (!this.current) throw new BackendError("STOPPED", "No backend is running: Solar Complete is switching backends.");
        return this.current;
    }
}
