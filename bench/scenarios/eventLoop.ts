// 4. How late this thread's timers fire (the extension host's event loop: typing, rendering, other
// extensions) while completions run back to back, streaming text. Three conditions measured in turn:
// the worker (the product), the same WorkerServer in this thread, and idle. The histogram samples
// every 1 ms and records whole intervals, so an idle loop reads ~1.1 ms. One fresh histogram per
// condition: re-enabling a disabled one records the whole pause as one huge delay.

import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import { codeOfTokens, lineStartBefore, TYPED_CODE, typing } from "../documents";
import { elapsed, KEYSTROKE_MAX_TOKENS, openClient, openRaw, sleep, withResources, type Bench } from "../harness";
import { round } from "../stats";
import { LONG_DOCUMENT_TOKENS } from "./keystrokeLong";

type Condition = "worker" | "inProcess" | "idle";

const ms = (ns: number) => round(ns / 1e6);

function describe(h: IntervalHistogram) {
    return { p50_ms: ms(h.percentile(50)), p99_ms: ms(h.percentile(99)), max_ms: ms(h.max), samples: h.count };
}

async function typeThrough(bench: Bench, where: "worker" | "inProcess", document: string, histogram: IntervalHistogram): Promise<number> {
    const { keys } = bench.plan.eventLoop;
    return withResources(async (keep) => {
        const { client } = await openClient(bench, "tiny", where);
        keep(client);
        const cursor = lineStartBefore(document, Math.floor(document.length / 3));
        const warm = await client.complete({ prompt: { kind: "document", text: document, cursor }, maxTokens: KEYSTROKE_MAX_TOKENS });
        let anchor = warm.window?.anchor;
        let streamed = 0;
        const started = performance.now();
        histogram.enable();
        for (const step of typing(document, cursor, TYPED_CODE, keys)) {
            const result = await client.complete(
                { prompt: { kind: "document", text: step.text, cursor: step.cursor, previous: anchor }, maxTokens: KEYSTROKE_MAX_TOKENS },
                { onText: (chunk) => (streamed += chunk.length) },
            );
            anchor = result.window?.anchor;
        }
        histogram.disable();
        return elapsed(started);
    });
}

export async function eventLoop(bench: Bench) {
    const { keys } = bench.plan.eventLoop;
    const document = await withResources(async (keep) => {
        const raw = keep(await openRaw(bench, "tiny"));
        return codeOfTokens(LONG_DOCUMENT_TOKENS, (t) => raw.tokenize(t).length, 3);
    });
    const histograms: Record<Condition, IntervalHistogram> = {
        worker: monitorEventLoopDelay({ resolution: 1 }),
        inProcess: monitorEventLoopDelay({ resolution: 1 }),
        idle: monitorEventLoopDelay({ resolution: 1 }),
    };
    const busyMs = await typeThrough(bench, "worker", document, histograms.worker);
    await typeThrough(bench, "inProcess", document, histograms.inProcess);
    histograms.idle.enable();
    await sleep(busyMs);
    histograms.idle.disable();

    const worker = describe(histograms.worker);
    const inProcess = describe(histograms.inProcess);
    bench.progress(`event_loop: worker p99 ${worker.p99_ms} ms, in-process p99 ${inProcess.p99_ms} ms`);
    return {
        model: "tiny",
        document_tokens: LONG_DOCUMENT_TOKENS,
        completions: keys,
        p99_ms: worker.p99_ms,
        max_ms: worker.max_ms,
        p50_ms: worker.p50_ms,
        samples: worker.samples,
        in_process: inProcess,
        idle: describe(histograms.idle),
        in_process_over_worker_p99: round(inProcess.p99_ms / worker.p99_ms),
    };
}
