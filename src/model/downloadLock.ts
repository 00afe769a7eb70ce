// A lock file next to the download, so two VS Code windows (two extension hosts), or a window and the
// CLI, never download the same file at once: the second waits, then finds the finished file.
// `open(…, "wx")` is atomic on local file systems. A lock whose process is gone (same host), or, from
// another host, that its holder stopped touching, is stale and taken over.

import { randomUUID } from "node:crypto";
import { link, open, readFile, rename, rm, stat, utimes } from "node:fs/promises";
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
        const stale = await staleLock(lockPath, owner, staleMs);
        if (stale !== undefined) {
            await removeStale(lockPath, stale);
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

/** The stale lock's inode; undefined when the lock is held (or gone). */
async function staleLock(lockPath: string, owner: LockOwner | undefined, staleMs: number): Promise<number | undefined> {
    let file: { mtimeMs: number; ino: number };
    try {
        file = await stat(lockPath);
    } catch {
        return undefined; // released meanwhile: the next attempt takes it
    }
    // On this host the process table is the truth: a live holder may be slow to touch the file
    // (a loaded machine), a dead one never releases. Other hosts (a shared folder): the heartbeat.
    const stale = owner && owner.hostname === os.hostname() ? !processAlive(owner.pid) : Date.now() - file.mtimeMs > staleMs;
    return stale ? file.ino : undefined;
}

/**
 * Removes the lock judged stale, and only it: two waiters may judge the same lock stale, and the
 * first may already have made a fresh one by the time the second acts. Moving the lock aside is
 * atomic; if what was moved is not the judged file, it goes back.
 */
async function removeStale(lockPath: string, judgedIno: number): Promise<void> {
    const aside = `${lockPath}.stale-${process.pid}-${randomUUID()}`;
    try {
        await rename(lockPath, aside);
    } catch {
        return; // gone already: another waiter took it over
    }
    if ((await stat(aside)).ino !== judgedIno) await link(aside, lockPath).catch(() => undefined);
    await rm(aside, { force: true });
}

function processAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}
