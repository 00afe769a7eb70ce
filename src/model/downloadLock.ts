// A lock file next to the download, so two VS Code windows (two extension hosts), or a window and the
// CLI, never download the same file at once: the second waits, then finds the finished file.
// `open(…, "wx")` is atomic on local file systems. A lock whose process is gone (same host), or, from
// another host, that its holder stopped touching, is stale and taken over.

import { open, readFile, rm, stat, utimes } from "node:fs/promises";
import * as os from "node:os";
import { abortableSleep } from "../util/abortableSleep";

export interface LockOwner {
    readonly pid: number;
    readonly hostname: string;
    readonly since: number;
}

export interface LockOptions {
    readonly signal?: AbortSignal;
    /** A lock not touched for this long is stale (the holder touches it every third of it). */
    readonly staleMs?: number;
    readonly pollMs?: number;
    /** Called on every poll while another holder has the lock. */
    readonly onWait?: (owner: LockOwner | undefined) => void;
}

export interface FileLock {
    release(): Promise<void>;
}

const NEVER = new AbortController().signal;

export async function acquireLock(lockPath: string, options: LockOptions = {}): Promise<FileLock> {
    const staleMs = options.staleMs ?? 30_000;
    const pollMs = options.pollMs ?? 250;
    for (;;) {
        options.signal?.throwIfAborted();
        const mine: LockOwner = { pid: process.pid, hostname: os.hostname(), since: Date.now() };
        try {
            const handle = await open(lockPath, "wx");
            try {
                await handle.writeFile(JSON.stringify(mine));
            } finally {
                await handle.close();
            }
            return held(lockPath, staleMs);
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        }
        const owner = await readOwner(lockPath);
        if (await isStale(lockPath, owner, staleMs)) {
            await rm(lockPath, { force: true });
            continue;
        }
        options.onWait?.(owner);
        await abortableSleep(pollMs, options.signal ?? NEVER);
    }
}

function held(lockPath: string, staleMs: number): FileLock {
    const heartbeat = setInterval(() => {
        const now = new Date();
        utimes(lockPath, now, now).catch(() => undefined);
    }, Math.max(50, staleMs / 3));
    heartbeat.unref();
    let released = false;
    return {
        async release() {
            if (released) return;
            released = true;
            clearInterval(heartbeat);
            await rm(lockPath, { force: true });
        },
    };
}

async function readOwner(lockPath: string): Promise<LockOwner | undefined> {
    try {
        const owner = JSON.parse(await readFile(lockPath, "utf8")) as LockOwner;
        return typeof owner.pid === "number" ? owner : undefined;
    } catch {
        return undefined; // being written right now, or gone
    }
}

async function isStale(lockPath: string, owner: LockOwner | undefined, staleMs: number): Promise<boolean> {
    let mtimeMs: number;
    try {
        mtimeMs = (await stat(lockPath)).mtimeMs;
    } catch {
        return false; // released meanwhile: the next attempt takes it
    }
    // On this host the process table is the truth: a live holder may be slow to touch the file
    // (a loaded machine), a dead one never releases. Other hosts (a shared folder): the heartbeat.
    if (owner && owner.hostname === os.hostname()) return !processAlive(owner.pid);
    return Date.now() - mtimeMs > staleMs;
}

function processAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}
