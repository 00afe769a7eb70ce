// 11. How long a graceful stop takes (window close, a model switch, deactivation), at the worst
// moments, with the engine in its own process and in a worker thread:
// - idle, a model loaded;
// - in the middle of a model load (the stop waits for the load, then disposes it);
// - in the middle of a long prompt's evaluation (a chunk at a time: the stop lands between chunks);
// - in the middle of a generation.
// A thread is never terminated (that aborts the host), so its stop is the worst case the user waits
// for; a process that overran stopTimeoutMs would be killed instead (never seen here).

import { codeOfTokens } from "../documents";
import { elapsed, openRaw, sleep, withResources, type Bench } from "../harness";
import { WorkerClient } from "../../src/engine/workerClient";
import { processTransport, workerTransport } from "../../src/engine/transport";
import { round, summarize } from "../stats";

type Moment = "idle" | "during_load" | "during_prompt" | "during_generation";
const MOMENTS: readonly Moment[] = ["idle", "during_load", "during_prompt", "during_generation"];

async function stopAt(bench: Bench, where: "process" | "worker", moment: Moment, document: string): Promise<number> {
    const client = new WorkerClient(where === "process" ? processTransport(bench.workerScript) : workerTransport(bench.workerScript));
    const load = { modelPath: bench.models.medium, gpu: bench.gpu, threads: bench.threads };
    if (moment === "during_load") {
        const loading = client.load(load).catch(() => undefined);
        await sleep(100); // the engine has started and is inside llama.cpp's loader
        const t0 = performance.now();
        await client.stop();
        await loading;
        return elapsed(t0);
    }
    await client.load(load);
    let pending: Promise<unknown> = Promise.resolve();
    if (moment === "during_prompt") {
        pending = client.complete({ prompt: { kind: "text", text: document }, maxTokens: 1 }).catch(() => undefined);
        await sleep(300);
    } else if (moment === "during_generation") {
        let streaming: () => void = () => undefined;
        const started = new Promise<void>((resolve) => (streaming = resolve));
        pending = client.complete({ prompt: { kind: "text", text: "Once upon a time" }, maxTokens: 2000 }, { onText: () => streaming() }).catch(() => undefined);
        await started;
    }
    const t0 = performance.now();
    await client.stop();
    const ms = elapsed(t0);
    await pending;
    return ms;
}

export async function stopTime(bench: Bench) {
    const { reps } = bench.plan.stopTime;
    const document = await withResources(async (keep) => {
        const raw = keep(await openRaw(bench, "tiny"));
        return codeOfTokens(2000, (t) => raw.tokenize(t).length, 11);
    });
    const result: Record<string, Record<string, number>> = {};
    for (const where of ["process", "worker"] as const) {
        for (const moment of MOMENTS) {
            const samples: number[] = [];
            for (let rep = 0; rep < reps; rep++) samples.push(await stopAt(bench, where, moment, document));
            const stats = summarize(samples);
            result[`${where === "worker" ? "thread" : "process"}_${moment}_ms`] = { p50: round(stats.p50), max: round(stats.max) };
        }
    }
    const worst = Math.max(...Object.values(result).map((r) => r.max));
    bench.progress(`stop: worst ${round(worst)} ms over ${reps} rounds of ${MOMENTS.length} moments x 2 hosts (medium model)`);
    return { model: "medium", reps, worst_ms: round(worst), ...result };
}
