// Pure: bench/REPORT.md from a results object. The prose says how each figure was measured; every
// number is taken from the results of the run.

import { shortfallNotes, threadNote } from "./notes";
import { projectionSection } from "./projection";
import { formatNumber, renderMarkdownTable, tableRows, type BenchResults, type TargetCheck } from "./report";

export const METHODS: Readonly<Record<string, string>> = {
    postprocess:
        "postprocess() alone, no model: 3,000 suggestions on generated TypeScript and YAML sliced as the ghost-text service slices them (64 KB before the cursor, 4 KB after), at line ends, on new blank lines and mid-line, half of them marked as cut by a limit. The raw text is eight lines from elsewhere in the document, so every rule reads every line. Shapes and languages interleaved after 300 warm-up calls; each call timed on its own.",
    retrieval:
        "Context from other files, no model: 50 generated TypeScript modules of 2,000 lines (each with words of its own domain, 40 shared ones, and calls to three other modules' functions) indexed by ContextIndex; then 2,000 keystrokes (after 200 warm-up ones) typed mid-file into one of them, each followed by one select() as the adapter asks (the 64 KB before the cursor, the cursor's line, a 1,024-token budget), timed by the clock and by this process's CPU time. The typed lines call functions of other modules: defining_module_found is the share of keystrokes whose snippets include the module defining the last function typed. Indexing is timed apart: each module once, then the typed module again after each of 200 keystrokes.",
    context_reuse:
        "Context from other files and the KV cache, through GhostTextService as the extension wires it (window anchors per document, the engine process with solarComplete.kvStates states), tiny model, 16 new tokens, no typing-through cache (every keystroke asks). Four generated TypeScript files; per cycle: 10 keystrokes in the long file A (~20,000 tokens), 10 in B, back to A (switch return), a jump near A's top with 10 keystrokes there (an edit above A's place), and back (jump return). The typed text is lines of the other files, so the best snippets shift. Arms on the same trace: off (no context), on (the product: a set per document, changed only at calm moments), naive (retrieval asked on every keystroke), and on with 1 KV state. The clock advances 150 ms per keystroke: no calm pause inside the trace. Tokens evaluated are the engine's own counts.",
    kv_states:
        "Several KV states on the medium model: a ~2,100-token prompt, then an unrelated 1,000-token one, then the first again plus a keystroke. One state: the first is evaluated again; 2 states in one context: the switch back; a state file: saveStateToFile after the first, loadStateFromFile before the return. Memory: the KV cache llama.cpp allocates for 1-4 states (and the process's RSS growth). Speed: one sequence's prompt and generation speed with 4 states against 1, alternating, 12 rounds.",
    keystroke_end:
        "Typing at the end of a 3,500-token document, one completion per keystroke (16 new tokens, greedy), through the worker. Baseline: raw node-llama-cpp in this process on the same prompt, its sequence cleared before each request (no reuse), alternating keystroke by keystroke. Speedup: median of per-keystroke baseline/ours.",
    keystroke_long:
        "Typing in the middle of a 20,000-token file. Ours: the anchored window through the worker. Naive: the last N tokens before the cursor (N = the same budget), evaluated by raw node-llama-cpp with a prefix cache (adaptStateToTokens). Alternating keystroke by keystroke. The naive start slides only on keystrokes that add a token, so its median keystroke is cheap and its p95 re-evaluates the whole window: speedup = ratio of mean latencies (total time over the trace).",
    overhead:
        "The same keystroke prompts (end of a 3,500-token document) through the worker RPC path and through raw node-llama-cpp in one process: same prompt tokens, prefix reuse, max tokens and greedy sampling; tokenizing counts on both sides. A third arm calls LlamaEngine directly in this thread, to split the engine's cost from the RPC's. Ratio: median of per-keystroke ours/raw, rotating which arm goes first. Texts can differ: on random weights, near-tied logits flip with how the prompt was split into batches.",
    event_loop:
        "monitorEventLoopDelay (1 ms resolution) on this thread while completions run back to back in the worker, streaming text (mid-file typing in a 20,000-token file). The same workload with the engine in this thread, then an idle period as long as the worker's, measured in turn. The histogram records whole sampling intervals, so an idle loop reads about 1.1 ms.",
    cancel:
        "Through the worker on the tiny model: time from abort() on the host until the aborted call has settled (the engine is free for the next request). Prompt: a 3,000-token prompt with nothing cached, aborted 40-300 ms in. Generation: aborted 20-200 ms after the first streamed text. Aborts that missed their phase are counted as missed.",
    window_build:
        "buildPromptWindow with the model's own tokenizer as counter (LlamaEngine.countTokens, as in the worker), Solar's budget for 64 new tokens. keystroke: one character typed with the previous anchor; fresh: no anchor. Compared with tokenizing everything before the cursor.",
    memory:
        "Two engine processes side by side, loaded with the same model: one started exactly as the product starts it (with its V8 flags), one without those flags. Each loads and answers its first completion at once (V8 collects an idle process's garbage by itself, which would hide what typing holds); then completions alternate between them (typing at the end of a document), rotating which goes first. Each engine's own counters give its RSS and anonymous resident memory (RssAnon) after the first completion (all weights touched) and every tenth of the completions. Overhead = that memory - model file - KV cache (F16); on the CPU the weights are loaded without mmap, so they are anonymous memory. The target counts anonymous memory only (the rest of RSS is the Node and llama.cpp libraries, file-backed and shared); both are reported. Growth = last sample - after the first completion; peak = the largest sample. MB = 2^20 bytes. Then the model is loaded once more in a fresh process (same context and batch size as the engine), with llama.cpp's info logs on, to read the buffer sizes llama.cpp reports.",
    peer:
        "The same model file, threads and typing trace for three arms, in the same run: ours (the engine process, `document` prompts, anchored window), and llama-server (built from node-llama-cpp's llama.cpp source, --parallel 1) driven llama.vscode-style (the last 256 lines before the cursor as the /completion prompt, cache_prompt, server started with --cache-reuse 256) and Continue-style (the text before the cursor with whole lines cut from the top to fit the same token budget as ours, on every request; cache_prompt). 16 new tokens, greedy, no stop strings, for all. The trace types in the middle of a 20,000-token file: at a line end, Enter, then code lines with their own Enters; halfway it jumps to a line a quarter into the file and does the same. Each round starts fresh servers and a fresh engine (a warm llama-server keeps earlier prompts in host memory) and gives each arm one request at the starting cursor before the trace. Keystroke by keystroke, rotating the order. Tokens evaluated: the server's timings.prompt_n, our engine's stats. Ratio = ours / peer mean latency; typing_only leaves out the keystroke after the jump.",
    remote:
        "keystroke_end's typing trace (end of a 3,500-token document, tiny model, 16 new tokens) through our worker and through RemoteBackend to a real llama-server on 127.0.0.1 serving the same file (built from node-llama-cpp's llama.cpp source, same threads, --parallel 1, cache_prompt), alternating keystroke by keystroke, rotating which goes first. Ratio: median of per-keystroke remote/local. Server-side tokens evaluated: llama-server's own timings.prompt_n.",
    generation:
        "Medium model, fresh 'text' prompt each repetition. Memory bandwidth (memcmp of two 256 MB buffers) is measured before each repetition in the same run; bound = bandwidth / bytes of weights read per token (all tensors, one row of the token embedding). llama.cpp itself = node-llama-cpp in this process with the same threads; with 2 threads for comparison.",
};

/** Scalars of an object as "a.b.c" lines; long arrays (the traces) are summarized, not listed. */
export function flattenForDisplay(value: unknown, prefix = ""): [string, string][] {
    if (value === null || value === undefined) return prefix ? [[prefix, "-"]] : [];
    if (Array.isArray(value)) {
        if (value.length > 12 || value.some((v) => typeof v === "object" && v !== null)) return [[prefix, `(${value.length} values in results.json)`]];
        return [[prefix, value.map((v) => (typeof v === "number" ? formatNumber(v) : String(v))).join(", ") || "(none)"]];
    }
    if (typeof value === "object") {
        return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => flattenForDisplay(v, prefix ? `${prefix}.${k}` : k));
    }
    return [[prefix, typeof value === "number" ? formatNumber(value) : String(value)]];
}

function loadavg(value: unknown): string {
    return Array.isArray(value) ? value.map((v) => formatNumber(v as number)).join(", ") : "-";
}

function targetLine(t: TargetCheck): string {
    const verdict = t.met === null ? "not measured" : t.met ? "met" : "**not met**";
    return `- ${t.scenario}.${t.metric} = ${formatNumber(t.value)} (target ${t.op} ${t.limit}): ${verdict}`;
}

export function renderReport(results: BenchResults, plotFile: string | undefined): string {
    const machine = results.machine;
    const targets = results.targets ?? [];
    const met = targets.filter((t) => t.met === true).length;
    const lines: string[] = [
        "# Solar Complete: engine benchmark",
        "",
        `Generated by \`npm run bench${results.mode === "quick" ? " -- --quick" : ""}\` on ${results.date} (${results.mode} run, ${formatNumber(results.duration_s)} s).`,
        results.added_later
            ? `Every figure below was measured in that run except those of ${Object.entries(results.added_later).map(([name, date]) => `${name} (${date})`).join(", ")}, measured later on the same machine with \`--only\`; each comparison was measured in the same run, alternating.`
            : "Every figure below was measured in that run; each comparison was measured in the same run, alternating.",
        "",
        "## Machine",
        "",
        `- CPU: ${String(machine.cpu_model)} x ${String(machine.cpu_count)} (os.cpus())`,
        `- RAM: ${formatNumber(machine.ram_gb as number)} GB; ${String(machine.platform)}; Node ${String(machine.node)}; node-llama-cpp ${String(machine.node_llama_cpp)}`,
        `- Backend: ${String(machine.backend)}; llama.cpp ${String(machine.cpu_features ?? "").replace(/\s*\|\s*$/, "").trim()}`,
        `- Load average (1, 5, 15 min) at start / end: ${loadavg(machine.loadavg_at_start)} / ${loadavg(machine.loadavg_at_end)} (a shared machine: other work competes for the cores)`,
        ...[threadNote(results.scenarios, Number(machine.threads))].filter((l) => l !== undefined).map((l) => `- ${l}`),
        "",
        "## Headline figures",
        "",
        renderMarkdownTable(tableRows(results)),
        "",
        `Targets met: ${met} of ${targets.length}.`,
        "",
        ...targets.map(targetLine),
        "",
    ];
    const notes = shortfallNotes(results, targets);
    if (notes.length) lines.push("### Targets not met: why, and what to change", "", ...notes, "");
    if (results.errors?.length) {
        lines.push("## Errors", "", ...results.errors.map((e) => `- ${e.scenario}: ${e.message}`), "");
    }
    if (plotFile) {
        lines.push("## Latency per keystroke", "", `![Latency per keystroke, anchored window against the naive sliding window](${plotFile})`, "");
    }
    lines.push(...projectionSection(results));
    lines.push("## Scenarios", "");
    for (const [name, data] of Object.entries(results.scenarios)) {
        lines.push(`### ${name}`, "", METHODS[name] ?? "", "", "| field | value |", "|---|---|");
        for (const [key, value] of flattenForDisplay(data)) lines.push(`| ${key} | ${value.replace(/\|/g, "\\|")} |`);
        lines.push("");
    }
    return lines.join("\n");
}
