// A GhostTextService wired as the extension wires it (typing-through cache, adaptive debounce from the
// settings, real clock and sleep) around whichever backend a test drives.

import type { Settings } from "../../../src/config";
import { AdaptiveDebounce } from "../../../src/completion/adaptiveDebounce";
import { CompletionCache } from "../../../src/completion/completionCache";
import { GhostTextService, type GhostTextDeps } from "../../../src/completion/ghostTextService";
import type { CompletionBackend } from "../../../src/backend/backend";
import { abortableSleep } from "../../../src/util/abortableSleep";

export function ghostTextService(
    backend: CompletionBackend,
    settings: () => Settings,
    controls: GhostTextDeps["controls"] = () => ({}),
    context?: GhostTextDeps["context"],
): GhostTextService {
    return new GhostTextService({
        backend,
        settings,
        cache: new CompletionCache(),
        debounce: new AdaptiveDebounce(() => ({ minMs: settings().debounceMinMs, maxMs: settings().debounceMaxMs })),
        now: Date.now,
        sleep: abortableSleep,
        controls,
        ...(context ? { context } : {}),
    });
}
