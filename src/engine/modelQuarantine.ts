// Model files that crashed the engine: remembered by path, size and modification time, so a restart
// doesn't load the same file into the same crash (and a crash loop), while a re-downloaded or
// replaced file (new size or time) is tried again. The user can always ask for another try.

import * as fs from "node:fs";

export type CrashPhase = "load" | "first evaluation";

export interface QuarantinedModel {
    readonly path: string;
    readonly size: number;
    readonly mtimeMs: number;
    readonly phase: CrashPhase;
    /** llama.cpp's last words, e.g. "llama-vocab.cpp:2501: GGML_ASSERT(…) failed". */
    readonly reason: string;
}

/** Where the list lives: VS Code's globalState in the product (it survives a restart), memory in tests. */
export interface QuarantineStore {
    read(): readonly QuarantinedModel[];
    write(list: readonly QuarantinedModel[]): void;
}

export function memoryQuarantineStore(): QuarantineStore {
    let list: readonly QuarantinedModel[] = [];
    return { read: () => list, write: (next) => (list = next) };
}

type StatFile = (path: string) => { readonly size: number; readonly mtimeMs: number } | undefined;

const statFile: StatFile = (path) => {
    try {
        return fs.statSync(path);
    } catch {
        return undefined;
    }
};

export class ModelQuarantine {
    constructor(
        private readonly store: QuarantineStore = memoryQuarantineStore(),
        private readonly stat: StatFile = statFile,
    ) {}

    /** The entry when this exact file (same size and time) crashed the engine before. */
    blocked(path: string): QuarantinedModel | undefined {
        const entry = this.store.read().find((e) => e.path === path);
        const now = entry && this.stat(path);
        return entry && now && now.size === entry.size && now.mtimeMs === entry.mtimeMs ? entry : undefined;
    }

    add(path: string, phase: CrashPhase, reason: string): QuarantinedModel | undefined {
        const now = this.stat(path);
        if (!now) return undefined;
        const entry: QuarantinedModel = { path, size: now.size, mtimeMs: now.mtimeMs, phase, reason };
        this.store.write([...this.store.read().filter((e) => e.path !== path), entry]);
        return entry;
    }

    clear(): void {
        this.store.write([]);
    }
}

/** One line: what crashed, llama.cpp's reason, and what the user can do. */
export function modelCrashedMessage(entry: Pick<QuarantinedModel, "path" | "phase" | "reason">): string {
    const when = entry.phase === "load" ? "while loading" : "on the first suggestion from";
    return `The engine crashed ${when} ${entry.path} (${entry.reason}). The file is damaged or not a model this llama.cpp can run: download it again or choose another one. It is not loaded again until the file changes; "Solar: Restart Engine" tries it anyway.`;
}
