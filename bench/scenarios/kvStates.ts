// 17. Several KV states (LoadOptions.kvStates, src/engine/sequencePool.ts): what a switch to another
// prompt and back costs, three ways, in one run on the medium model:
// - one state: the first prompt is evaluated again (the re-evaluation);
// - (a) the product path: N sequences in one context; the first prompt's state is still in memory;
// - (b) one sequence whose state is saved to a file (saveStateToFile) and loaded back (loadStateFromFile).
// Then the memory each N costs (N = 1-4: the KV cache llama.cpp allocates, the process's RSS growth
// on creating the context, and context.stateSize, which counts only the cells in use), and whether a
// context with 4 states evaluates and generates one sequence as fast as a context with 1 (a ratio in
// the same run, alternating).

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { batchSizeFor, LlamaEngine } from "../../src/engine/llamaEngine";
import { kvCacheBytes } from "../../src/engine/sequencePool";
import { inspectGguf } from "../../src/model/ggufFile";
import { codeOfTokens } from "../documents";
import { QUICK_PLAN, withResources, type Bench } from "../harness";
import { median, pairedRatios, round } from "../stats";

const MB = 1024 * 1024;
/** Solar 10.7B's KV cache per token (F16): 48 layers x 1,024 key + 1,024 value values x 2 bytes. */
const SOLAR_KV_BYTES_PER_TOKEN = 196_608;

interface Size {
    /** Tokens of the state switched away from and back to. */
    readonly stateTokens: number;
    /** Tokens of the prompt in between. */
    readonly otherTokens: number;
    readonly reps: number;
    /** Alternating rounds of the speed check: with 5 the generation ratio still moved by 5% between runs. */
    readonly speedReps: number;
    readonly speedPromptTokens: number;
    readonly speedGenTokens: number;
}

const FULL: Size = { stateTokens: 2000, otherTokens: 1000, reps: 5, speedReps: 12, speedPromptTokens: 512, speedGenTokens: 48 };
const QUICK: Size = { stateTokens: 1000, otherTokens: 300, reps: 3, speedReps: 4, speedPromptTokens: 256, speedGenTokens: 16 };

type Open = (kvStates: number) => Promise<LlamaEngine>;
const MAX_TOKENS = 4;
const ask = (engine: LlamaEngine, text: string, maxTokens = MAX_TOKENS) => engine.complete({ prompt: { kind: "text", text }, maxTokens });

/** (a): A, B, then A and B again in turns with a few characters more each time, on two states. */
async function switchWithStates(open: Open, a: string, b: string, size: Size) {
    const engine = await open(2);
    const cold = await ask(engine, a);
    await ask(engine, b);
    const switchMs: number[] = [];
    const switchEvaluated: number[] = [];
    const keystrokeMs: number[] = [];
    for (let i = 1; i <= size.reps; i++) {
        for (const text of [a, b]) {
            const back = await ask(engine, `${text}${"x".repeat(i)}`);
            if (!back.stats.kvState?.restored) throw new Error(`kv_states: a switch back was not restored (${JSON.stringify(back.stats.kvState)})`);
            switchMs.push(back.stats.promptMs);
            switchEvaluated.push(back.stats.evaluatedTokens);
        }
        // The same state twice in a row: an ordinary keystroke, what a switch is compared with.
        keystrokeMs.push((await ask(engine, `${b}${"x".repeat(i)}y`)).stats.promptMs);
    }
    const lastA = await ask(engine, `${a}${"x".repeat(size.reps)}z`);
    return { coldMs: cold.stats.promptMs, coldTokens: cold.stats.promptTokens, switchMs, switchEvaluated, keystrokeMs, text: lastA.text };
}

/** One state: A, save it, B, load A's state, A again; then B and A once more without the file. */
async function switchWithFile(open: Open, a: string, b: string, size: Size, dir: string) {
    const engine = await open(1);
    const cold = await ask(engine, a);
    const file = path.join(dir, "state.bin");
    const saveMs: number[] = [];
    let fileBytes = 0;
    for (let i = 0; i < size.reps; i++) {
        const t0 = performance.now();
        fileBytes = (await engine.sequence.saveStateToFile(file)).fileSize;
        saveMs.push(performance.now() - t0);
    }
    await ask(engine, b);
    const loadMs: number[] = [];
    for (let i = 0; i < size.reps; i++) {
        const t0 = performance.now();
        await engine.sequence.loadStateFromFile(file, { acceptRisk: true });
        loadMs.push(performance.now() - t0);
    }
    const restored = await ask(engine, `${a}${"x".repeat(size.reps)}`);
    await ask(engine, b);
    const again = await ask(engine, `${a}${"x".repeat(size.reps)}`);
    const afterLoad = await ask(engine, `${a}${"x".repeat(size.reps)}z`);
    return {
        coldMs: cold.stats.promptMs,
        fileBytes,
        stateTokens: engine.sequence.contextTokens.length,
        saveMs,
        loadMs,
        restoredEvaluated: restored.stats.evaluatedTokens,
        restoredPromptMs: restored.stats.promptMs,
        reevaluatedTokens: again.stats.evaluatedTokens,
        reevaluateMs: again.stats.promptMs,
        text: afterLoad.text,
    };
}

/** Memory for N = 1-4: allocated KV cache, RSS growth on creating the context, stateSize (cells in use). */
async function memoryByStates(bench: Bench, modelPath: string) {
    const summary = await inspectGguf(modelPath);
    const model = await bench.llama.loadModel({ modelPath, gpuLayers: bench.gpu === "cpu" ? 0 : undefined, useMmap: false });
    const rows: Record<string, unknown>[] = [];
    try {
        for (const states of [1, 2, 3, 4]) {
            const rssBefore = process.memoryUsage().rss;
            const context = await model.createContext({ contextSize: 4096, sequences: states, threads: bench.threads, batchSize: batchSizeFor(bench.llama) });
            const rssGrowth = process.memoryUsage().rss - rssBefore;
            rows.push({
                states,
                allocated_cells: context.getAllocatedContextSize(),
                kv_cache_mb: round(kvCacheBytes(summary, context.contextSize * states) / MB),
                rss_growth_mb: round(rssGrowth / MB),
                state_size_bytes_empty: context.stateSize,
            });
            await context.dispose();
        }
    } finally {
        await model.dispose();
    }
    return { rows, kvBytesPerToken: kvCacheBytes(summary, 1) };
}

/** One sequence's prompt and generation speed in a context of 1 state and one of 4, alternating. */
async function speedByStates(open: Open, bench: Bench, size: Size) {
    const [one, four] = [await open(1), await open(4)];
    const arms = new Map([[one, { prompt: [] as number[], gen: [] as number[] }], [four, { prompt: [] as number[], gen: [] as number[] }]]);
    for (let i = 0; i < size.speedReps; i++) {
        // A new prompt each time: the 4-state context fills its other states as it goes.
        const text = codeOfTokens(size.speedPromptTokens, (t) => one.countTokens(t), 100 + i);
        for (const engine of i % 2 === 0 ? [one, four] : [four, one]) {
            const { stats } = await ask(engine, text, size.speedGenTokens);
            const arm = arms.get(engine)!;
            arm.prompt.push(stats.promptTokens / (stats.promptMs / 1000));
            arm.gen.push(stats.generatedTokens / Math.max(stats.genMs, 1e-3) * 1000);
        }
    }
    const [a, b] = [arms.get(one)!, arms.get(four)!];
    bench.progress(`kv_states: 4 states / 1, one sequence: prompt ${round(median(pairedRatios(b.prompt, a.prompt)))}, generation ${round(median(pairedRatios(b.gen, a.gen)))}`);
    return {
        rounds: size.speedReps,
        prompt_tokens: size.speedPromptTokens,
        gen_tokens: size.speedGenTokens,
        prompt_tok_s_1: round(median(a.prompt)),
        prompt_tok_s_4: round(median(b.prompt)),
        prompt_ratio_4_over_1: round(median(pairedRatios(b.prompt, a.prompt))),
        gen_tok_s_1: round(median(a.gen)),
        gen_tok_s_4: round(median(b.gen)),
        gen_ratio_4_over_1: round(median(pairedRatios(b.gen, a.gen))),
    };
}

export async function kvStates(bench: Bench) {
    const size = bench.plan === QUICK_PLAN ? QUICK : FULL;
    const modelPath = bench.models.medium;
    const quiet = () => undefined;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "solar-kv-states-"));
    try {
        return await withResources(async (keep) => {
            const open: Open = async (states) => keep(await LlamaEngine.load(async () => bench.llama, { modelPath, gpu: bench.gpu, threads: bench.threads, kvStates: states }, quiet));
            const counter = await open(1);
            const a = codeOfTokens(size.stateTokens, (t) => counter.countTokens(t), 41);
            const b = codeOfTokens(size.otherTokens, (t) => counter.countTokens(t), 43);
            const states = await switchWithStates(open, a, b, size);
            bench.progress(`kv_states: switch back with 2 states ${round(median(states.switchMs))} ms against ${states.coldMs} ms to evaluate ${states.coldTokens} tokens`);
            const file = await switchWithFile(open, a, b, size, dir);
            bench.progress(`kv_states: state file ${round(file.fileBytes / MB)} MB, save ${round(median(file.saveMs))} ms, load ${round(median(file.loadMs))} ms`);
            const memory = await memoryByStates(bench, modelPath);
            const speed = await speedByStates(open, bench, size);
            return describe(size, states, file, memory, speed);
        });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function describe(
    size: Size,
    states: Awaited<ReturnType<typeof switchWithStates>>,
    file: Awaited<ReturnType<typeof switchWithFile>>,
    memory: Awaited<ReturnType<typeof memoryByStates>>,
    speed: Awaited<ReturnType<typeof speedByStates>>,
) {
    const reevaluateMs = file.reevaluateMs;
    const switchMs = median(states.switchMs);
    const loadMs = median(file.loadMs);
    const saveMs = median(file.saveMs);
    // On paper: Solar's state of the same length (the file scales with the KV bytes per token), saved
    // and loaded at the speed measured here.
    const solarScale = SOLAR_KV_BYTES_PER_TOKEN / memory.kvBytesPerToken;
    return {
        model: "medium",
        state_tokens: file.stateTokens,
        other_prompt_tokens: size.otherTokens,
        reps: size.reps,
        one_state: { reevaluated_tokens: file.reevaluatedTokens, reevaluate_ms: reevaluateMs, cold_ms: file.coldMs },
        states_2: {
            switch_ms_p50: round(switchMs),
            switch_evaluated_tokens_max: Math.max(...states.switchEvaluated),
            same_state_keystroke_ms_p50: round(median(states.keystrokeMs)),
        },
        state_file: {
            file_mb: round(file.fileBytes / MB),
            bytes_per_token: round(file.fileBytes / file.stateTokens),
            save_ms_p50: round(saveMs),
            load_ms_p50: round(loadMs),
            restored_evaluated_tokens: file.restoredEvaluated,
            restored_prompt_ms: file.restoredPromptMs,
            load_plus_prompt_ms: round(loadMs + file.restoredPromptMs),
            same_text_as_states: file.text === states.text,
        },
        reevaluate_over_switch: round(reevaluateMs / Math.max(switchMs, 1e-3)),
        reevaluate_over_file_load: round(reevaluateMs / Math.max(loadMs + file.restoredPromptMs, 1e-3)),
        file_load_over_switch: round((loadMs + file.restoredPromptMs) / Math.max(switchMs, 1e-3)),
        memory_by_states: memory.rows,
        speed_one_sequence: speed,
        solar_on_paper: {
            state_file_mb: round((file.fileBytes * solarScale) / MB),
            save_ms: round(saveMs * solarScale),
            load_ms: round(loadMs * solarScale),
            kv_state_mb: round((SOLAR_KV_BYTES_PER_TOKEN * 4096) / MB),
        },
    };
}
