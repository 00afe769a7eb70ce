// The seam between the completion path and whoever completes: the in-process engine (EngineClient)
// or a server (RemoteBackend). Everything downstream (ghost text, status bar) holds this one object;
// the entry point switches what is behind it when the settings change.

import type { CompleteOptions, EngineState } from "../engine/client";
import type { CompletionRequest, CompletionResult } from "../engine/protocol";
import type { CompletionBackend } from "./ghostTextService";

export interface Backend extends CompletionBackend {
    readonly state: EngineState;
    countTokens(text: string): Promise<number>;
}

export class ActiveBackend implements Backend {
    constructor(private current: Backend) {}

    get state(): EngineState {
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
