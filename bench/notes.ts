// Pure: for each target a run did not meet, what the run's own figures say about why, and what to
// change. Only printed for targets not met, with this run's numbers; nothing here is a measurement.

import { DEFAULT_CHUNK_SIZER } from "../src/engine/chunkSizer";
import { formatNumber, lookup, type BenchResults, type Scenarios, type TargetCheck } from "./report";

type Note = (get: (scenario: string, path: string) => string) => string;

const NOTES: Readonly<Record<string, Note>> = {
    // The streaming stop (issue 14): what the run says about requests that cost more than the rule allows.
    "waste.single_line.waste_p95": (get) =>
        `Single-line requests stopped by the streaming stop: ${get("waste", "single_line.stop_reasons.suggestionFinal")}, by the token limit: ${get("waste", "single_line.stop_reasons.maxTokens")} (no line break within ${get("waste", "max_tokens")} tokens), by EOS: ${get("waste", "single_line.stop_reasons.eos")}. A request that meets the line break wastes only that token; the others ran to the limit.`,
    "waste.multi_line.excess_over_next_line_p95": (get) =>
        `Multi-line requests stopped by the streaming stop: ${get("waste", "multi_line.stop_reasons.suggestionFinal")}, by the token limit: ${get("waste", "multi_line.stop_reasons.maxTokens")}. The stop judges whole lines: a suggestion the bracket rule cuts inside a line wastes the rest of that line too (shown tokens p50 ${get("waste", "multi_line.shown_tokens_p50")}).`,
    "postprocess.p95_ms": (get) =>
        `TypeScript p95 ${get("postprocess", "by_language_ms.typescript.p95")} ms against YAML ${get("postprocess", "by_language_ms.yaml.p95")} ms: the difference is the bracket scan of the 64 KB prefix, which only languages whose brackets balance pay. Its CPU time per call was p95 ${get("postprocess", "cpu_p95_ms")} ms and the max ${get("postprocess", "max_ms")} ms: where the clock's p95 is far above the CPU's, other processes took the cores. Proposal: scan only the last 16 KB of the prefix, counting the suffix's closers that find no opener as openers before the window.`,
    "retrieval.select_p95_ms": (get) =>
        `Per select() call this process used ${get("retrieval", "select_cpu_ms.p50")} ms of CPU at p50 and ${get("retrieval", "select_cpu_ms.p95")} ms at p95 (clock: ${get("retrieval", "select_p50_ms")} and ${get("retrieval", "select_p95_ms")} ms): where the clock's p95 is far above the CPU's, other processes took the cores. Otherwise the window's identifiers have long postings (words in most chunks); proposal: leave identifiers found in more than half of all chunks out of the window's probe.`,
    "keystroke_end.evaluated_tokens_p95": (get) =>
        `The window moved or the cache missed on some keystrokes (p95 ${get("keystroke_end", "evaluated_tokens_p95")}, max ${get("keystroke_end", "evaluated_tokens_max")} tokens). Check that each request passes the previous result's window.anchor.`,
    "keystroke_long.evaluated_fraction_mean": (get) =>
        `The anchored window moved at keystrokes [${get("keystroke_long", "window_moves")}]; each move re-evaluates the whole window. Proposal: leave more headroom when placing the start (a lower fill target).`,
    "overhead.ratio_p50": (get) => {
        const engine = Number(get("overhead", "engine_in_process_ratio_p50"));
        const medium = get("overhead", "medium.ratio_p50");
        return (
            `On the tiny model a whole raw request takes ${get("overhead", "raw_latency_ms_p50")} ms, so fixed per-request costs weigh. ` +
            `Our engine called in this thread (no RPC) runs at ${get("overhead", "engine_in_process_ratio_p50")}x raw (one tokenization of this prompt takes ${get("overhead", "tokenize_ms_p50")} ms), ` +
            `and the worker hop adds ${get("overhead", "rpc_ms_p50")} ms per request (p50): a message wakes the worker and the answer wakes this thread, on 2 busy cores.` +
            (medium === "-" ? "" : ` On the medium model, where the model's work dominates as it will for Solar, the ratio is ${medium}.`) +
            (engine > 1.05
                ? " Proposal: the engine's own share is the larger: profile LlamaEngine.complete (window count, chunked prompt, detokenizer) on a keystroke."
                : " Proposal: the worker hop is the larger share: send fewer messages per completion (the text streams a message per token; a few larger pieces would cut the thread wake-ups).")
        );
    },
    "event_loop.p99_ms": (get) =>
        `An idle event loop on this machine read p99 ${get("event_loop", "idle.p99_ms")} ms / max ${get("event_loop", "idle.max_ms")} ms in the same run: other processes preempt this thread. With the engine in this thread the p99 was ${get("event_loop", "in_process.p99_ms")} ms.`,
    "cancel.prompt_p95_ms": (get) =>
        `A cancel during the prompt waits for the chunk in flight. The aborted requests' longest chunks took p50 ${get("cancel", "prompt_max_chunk_ms.p50")} ms / p95 ${get("cancel", "prompt_max_chunk_ms.p95")} ms against the chunk sizer's ${DEFAULT_CHUNK_SIZER.targetMs} ms target. The sizer learns one smoothed tokens/ms, but the same 256-token chunk took ${get("cancel", "chunk_256_tokens_ms.at_position_0")} ms at position 0 and ${get("cancel", "chunk_256_tokens_ms.at_position_2816")} ms at position 2,816 (attention grows with the position, and dominates in a model this small), so late chunks overrun; and other processes on the 2 cores (1-minute load average ${get("cancel", "loadavg_1min")} before / after) stretch any chunk. Proposal: size each chunk from the last chunk's speed (not a smoothed average) with a margin for the growing position, or an abort callback inside llama.cpp's graph compute (llama.cpp has one; node-llama-cpp 3.22 does not expose it).`,
    "window_build.10MB_ms": (get) =>
        `A keystroke recounts the whole window (${get("window_build", "10MB.window_tokens")} tokens): p50 ${get("window_build", "10MB.keystroke_ms.p50")} ms, p95 ${get("window_build", "10MB.keystroke_ms.p95")} ms. Proposal: cache the count of the text from the anchor to the previous cursor and count only the edited tail.`,
    "memory.anon_overhead_mb": (get) =>
        `Anonymous memory of the engine process after the first completion: ${get("memory", "anon_after_first_completion_mb")} MB, of which llama.cpp's own buffers are the weights ${get("memory", "llama_cpp_weights_mb")} MB, the KV cache ${get("memory", "kv_cache_mb")} MB and the compute buffer ${get("memory", "llama_cpp_compute_buffer_mb")} MB (batch size ${get("memory", "llama_cpp_batch_size")}); the rest, ${get("memory", "anon_beyond_llama_cpp_buffers_mb")} MB, is Node, its V8 heap, the engine and allocator slack. The V8 flags (${get("memory", "engine_v8_flags")}) saved ${get("memory", "v8_flags_saving_anon_mb")} MB against an engine without them in the same run. Proposal: MALLOC_ARENA_MAX=2 in the engine's environment (one malloc arena per llama.cpp thread otherwise), or a smaller compute buffer (batch size).`,
    "memory.growth_mb": (get) =>
        `Of the growth (anonymous memory), ${get("memory", "growth_first_tenth_mb")} MB came in the first tenth of the completions (the engine process's V8 heap and the allocator warming up) and ${get("memory", "growth_second_half_mb")} MB in the second half; samples in samples_mb. Without the V8 flags: ${get("memory", "without_v8_flags.growth_mb")} MB, ${get("memory", "without_v8_flags.growth_second_half_mb")} MB in the second half. A leak would keep growing in the second half.`,
    "peer.ours_over_best_peer_mean": (get) => {
        const best = get("peer", "tiny.best_peer");
        return (
            `Tokens evaluated per keystroke while typing (tiny, mean): ours ${get("peer", "tiny.ours.typing_only.evaluated_tokens_mean")}, llama.vscode-style ${get("peer", "tiny.vscode.typing_only.evaluated_tokens_mean")}, Continue-style ${get("peer", "tiny.continue.typing_only.evaluated_tokens_mean")}; every arm generates the same ${get("peer", "max_tokens")} tokens. ` +
            `On most keystrokes the llama.vscode-style server evaluates as few tokens as ours (p50 ${get("peer", "tiny.vscode.typing_only.evaluated_tokens_p50")} against ${get("peer", "tiny.ours.typing_only.evaluated_tokens_p50")}): its 256-line window slides by a line on each Enter, and --cache-reuse shifts the cached KV of the lines that stayed instead of evaluating them again; on ${get("peer", "tiny.vscode.typing_reevaluations")} typing keystrokes (of ${get("peer", "tiny.keystrokes_per_round")} x ${get("peer", "tiny.rounds")}) it found nothing to reuse and evaluated the whole prompt again (ours: ${get("peer", "tiny.ours.typing_reevaluations")}). So while typing both sides sit near the generation floor, and ours took ${get("peer", "tiny.ours.typing_only.latency_ms_mean")} ms against ${get("peer", `tiny.${best}.typing_only.latency_ms_mean`)} ms; beyond the model's own prompt and generation time, a keystroke spent ${get("peer", "tiny.ours.outside_model_ms_p50")} ms in ours and ${get("peer", `tiny.${best}.outside_model_ms_p50`)} ms with the server (p50: HTTP, tokenizing the whole prompt, JSON). ` +
            `The gap is in the keystrokes where a window has to start afresh: after the jump ours evaluated ${get("peer", "tiny.ours.evaluated_tokens_max")} tokens (its window is filled to ~72% of the budget) against ${get("peer", "tiny.vscode.evaluated_tokens_max")} (256 lines) and ${get("peer", "tiny.continue.evaluated_tokens_max")} (the whole budget, which Continue-style also pays whenever its cut moves: ours is ${get("peer", "tiny.ours_over_continue_mean")}x its mean). ${get("peer", "medium.ours_over_vscode_mean") === "-" ? "" : `On the medium model: ${get("peer", "medium.ours_over_vscode_mean")}x llama.vscode-style, ${get("peer", "medium.ours_over_continue_mean")}x Continue-style; there the jump dominates the mean, and ours evaluated its fresh window at ${get("peer", "medium.ours.jump_prompt_tok_s")} tok/s against the server's ${get("peer", "medium.vscode.jump_prompt_tok_s")} tok/s: the engine feeds a prompt in chunks sized to take ${DEFAULT_CHUNK_SIZER.targetMs} ms each, so that a cancel settles fast (at least ${DEFAULT_CHUNK_SIZER.min} tokens, which is about what 25 ms holds on this model and core), where llama-server evaluates 512-token batches. `}` +
            `0.5x the llama.vscode-style server would need ours to generate fewer tokens than it (the streaming stop does that in ghost text; this scenario keeps the generated work equal) or a peer that re-evaluates. Proposal: evaluate a window that starts afresh in larger chunks (the cancel latency matters less there than the throughput), which narrows the jump.`
        );
    },
    "generation.fraction_of_bound": (get) =>
        `llama.cpp itself, in this process with the same threads (${get("generation", "threads")}), reached ${get("generation", "llama_cpp_gen_tok_s")} tok/s = ${get("generation", "llama_cpp_fraction_of_bound")} of the bound, and our engine ran at ${get("generation", "ours_over_llama_cpp_gen")}x llama.cpp's speed${Number(get("generation", "ours_over_llama_cpp_gen")) >= 0.9 ? ": the gap is in llama.cpp's kernels, not in the engine" : ""}. One core dequantizing Q4_0 and doing the dot products is compute-bound below what the same core can stream (${get("generation", "bandwidth_gb_s")} GB/s) for a ${get("generation", "weights_read_per_token_mb")} MB model; more threads would raise it only on a quiet machine (with 2 threads here: ${get("generation", "two_threads.llama_cpp_gen_tok_s")} tok/s). Proposal: judge this target with the real Solar model (6.4 GB per token, truly bandwidth-bound) and 2 threads on a quiet machine.`,
};

export function shortfallNotes(results: BenchResults, checks: readonly TargetCheck[]): string[] {
    const get = (scenario: string, path: string) => display(lookup(results.scenarios, scenario, path));
    return checks
        .filter((c) => c.met === false)
        .map((c) => {
            const key = `${c.scenario}.${c.metric}`;
            const note = NOTES[key];
            return `- **${key}** = ${formatNumber(c.value)} (target ${c.op} ${c.limit}).${note ? ` ${note(get)}` : ""}`;
        });
}

function display(value: unknown): string {
    if (typeof value === "number") return formatNumber(value);
    if (Array.isArray(value)) return value.map((v) => display(v)).join(", ");
    return value === undefined || value === null ? "-" : String(value);
}

/** One line on the thread count, from the generation scenario's 1- and 2-thread figures. */
export function threadNote(scenarios: Scenarios, threads: number): string | undefined {
    const one = lookup(scenarios, "generation", "llama_cpp_gen_tok_s");
    const two = lookup(scenarios, "generation", "two_threads.llama_cpp_gen_tok_s");
    if (typeof one !== "number" || typeof two !== "number") return undefined;
    const prompt1 = display(lookup(scenarios, "generation", "llama_cpp_prompt_tok_s"));
    const prompt2 = display(lookup(scenarios, "generation", "two_threads.llama_cpp_prompt_tok_s"));
    const plural = threads === 1 ? "thread" : "threads";
    return `Threads: ${threads}. In this run llama.cpp generated ${formatNumber(one)} tok/s with ${threads} ${plural} and ${formatNumber(two)} tok/s with 2 on the medium model (prompt: ${prompt1} against ${prompt2} tok/s).`;
}
