// The backend that completes now: the local engine's worker client or a server. Everything
// downstream (ghost text, status bar, the command-palette features) holds this one object; the
// session switches what is behind it when the settings change.

import type { Backend, BackendState, CompleteOptions } from "./backend";
import type { CompletionRequest, CompletionResult } from "./types";

export class ActiveBackend implements Backend {
    constructor(private current: Backend) {}

    get state(): BackendState {
        return this.current.state;
    }

    get active(): Backend {
        return this.current;
    }

    use(next: Backend): void {
        this.current = next;
    }

    complete(request: CompletionRequest, options?: CompleteOptions): Promise<CompletionResult> {
        return this.current.complete(request, options);
    }

    countTokens(text: string): Promise<number> {
        return this.current.countTokens(text);
    }
}
