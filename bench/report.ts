// Pure: turns a results object into the targets check, the printed table and bench/REPORT.md.
// Every number comes from the results; the only constants here are the targets from the issue.

export type Scenarios = Record<string, Record<string, unknown>>;

export interface BenchResults {
    readonly date: string;
    readonly mode: "quick" | "full";
    readonly duration_s: number;
    readonly machine: Record<string, unknown>;
    readonly scenarios: Scenarios;
    readonly errors?: readonly { readonly scenario: string; readonly message: string }[];
    targets?: readonly TargetCheck[];
    /** Scenarios run later with --only and merged in, with the date of that run. */
    readonly added_later?: Readonly<Record<string, string>>;
}

export interface Target {
    readonly scenario: string;
    readonly metric: string;
    readonly op: "<=" | ">=";
    readonly limit: number;
}

export interface TargetCheck extends Target {
    readonly value: number | null;
    /** null when the figure is missing (the scenario failed or did not run). */
    readonly met: boolean | null;
}

export const TARGETS: readonly Target[] = [
    { scenario: "keystroke_end", metric: "evaluated_tokens_p95", op: "<=", limit: 8 },
    { scenario: "keystroke_long", metric: "evaluated_fraction_mean", op: "<=", limit: 0.05 },
    { scenario: "overhead", metric: "ratio_p50", op: "<=", limit: 1.1 },
    { scenario: "event_loop", metric: "p99_ms", op: "<=", limit: 10 },
    { scenario: "cancel", metric: "prompt_p95_ms", op: "<=", limit: 50 },
    { scenario: "window_build", metric: "10MB_ms", op: "<=", limit: 5 },
    // Anonymous memory only: the file-backed rest of RSS is shared libraries (both are reported).
    { scenario: "memory", metric: "anon_overhead_mb", op: "<=", limit: 150 },
    { scenario: "memory", metric: "growth_mb", op: "<=", limit: 10 },
    { scenario: "generation", metric: "fraction_of_bound", op: ">=", limit: 0.8 },
    { scenario: "postprocess", metric: "p95_ms", op: "<=", limit: 1 },
    { scenario: "retrieval", metric: "select_p95_ms", op: "<=", limit: 2 },
    // Issue 16: context on, typing and coming back each cost at most 8 tokens at p95.
    { scenario: "context_reuse", metric: "arms.on.typing_evaluated.p95", op: "<=", limit: 8 },
    { scenario: "context_reuse", metric: "arms.on.switch_return_evaluated.p95", op: "<=", limit: 8 },
    { scenario: "context_reuse", metric: "arms.on.jump_return_evaluated.p95", op: "<=", limit: 8 },
    { scenario: "waste", metric: "single_line.waste_p95", op: "<=", limit: 1 },
    // Waste minus the tokens of the model's line after the suggestion: "one line + 2".
    { scenario: "waste", metric: "multi_line.excess_over_next_line_p95", op: "<=", limit: 2 },
    { scenario: "peer", metric: "ours_over_best_peer_mean", op: "<=", limit: 0.5 },
];

/** A value at a dotted path ("in_process.p99_ms"), or undefined. */
export function lookup(scenarios: Scenarios, scenario: string, path: string): unknown {
    let value: unknown = scenarios[scenario];
    for (const key of path.split(".")) {
        if (value === null || typeof value !== "object") return undefined;
        value = (value as Record<string, unknown>)[key];
    }
    return value;
}

function numberAt(scenarios: Scenarios, scenario: string, path: string | undefined): number | null {
    if (path === undefined) return null;
    const value = lookup(scenarios, scenario, path);
    return typeof value === "number" && Number.isFinite(value) ? value : null;
}

export function checkTargets(scenarios: Scenarios): TargetCheck[] {
    return TARGETS.map((t) => {
        const value = numberAt(scenarios, t.scenario, t.metric);
        const met = value === null ? null : t.op === "<=" ? value <= t.limit : value >= t.limit;
        return { ...t, value, met };
    });
}

interface RowSpec {
    readonly scenario: string;
    readonly figure: string;
    readonly ours: string;
    readonly against: string;
    readonly base?: string;
    readonly ratio?: string;
    readonly target?: string;
}

const ROWS: readonly RowSpec[] = [
    { scenario: "keystroke_end", figure: "evaluated tokens/keystroke p95", ours: "evaluated_tokens_p95", against: "fresh sequence", base: "baseline_evaluated_tokens_p95", target: "evaluated_tokens_p95" },
    { scenario: "keystroke_end", figure: "latency/keystroke p50 (ms)", ours: "latency_ms_p50", against: "fresh sequence", base: "baseline_latency_ms_p50", ratio: "speedup" },
    { scenario: "keystroke_long", figure: "evaluated fraction mean", ours: "evaluated_fraction_mean", against: "naive sliding window", base: "naive_evaluated_fraction_mean", target: "evaluated_fraction_mean" },
    { scenario: "keystroke_long", figure: "latency/keystroke p50 (ms)", ours: "latency_ms_p50", against: "naive sliding window", base: "naive_latency_ms_p50", ratio: "speedup" },
    { scenario: "overhead", figure: "latency p50 (ms), tiny", ours: "latency_ms_p50", against: "raw node-llama-cpp", base: "raw_latency_ms_p50", ratio: "ratio_p50", target: "ratio_p50" },
    { scenario: "overhead", figure: "latency p50 (ms), medium", ours: "medium.latency_ms_p50", against: "raw node-llama-cpp", base: "medium.raw_latency_ms_p50", ratio: "medium.ratio_p50" },
    { scenario: "overhead", figure: "engine in a thread, ratio to raw p50", ours: "thread_ratio_p50", against: "engine process (the default)", base: "ratio_p50" },
    { scenario: "overhead", figure: "engine process memory (MB anon)", ours: "engine_process_anon_mb", against: "RSS", base: "engine_process_rss_mb" },
    { scenario: "stop_time", figure: "stop during a model load (ms)", ours: "process_during_load_ms.max", against: "engine in a thread", base: "thread_during_load_ms.max" },
    { scenario: "stop_time", figure: "stop during generation (ms)", ours: "process_during_generation_ms.max", against: "engine in a thread", base: "thread_during_generation_ms.max" },
    { scenario: "speculative", figure: "drafting: tokens per step, copy-code", ours: "tokens_per_step", against: "acceptance rate", base: "acceptance_rate" },
    { scenario: "speculative", figure: "drafting: generation speedup on this CPU", ours: "speedup_on_this_cpu", against: "medium model", base: "medium.speedup_on_this_cpu" },
    { scenario: "event_loop", figure: "delay p99 (ms)", ours: "p99_ms", against: "engine in this thread", base: "in_process.p99_ms", ratio: "in_process_over_worker_p99", target: "p99_ms" },
    { scenario: "event_loop", figure: "delay max (ms)", ours: "max_ms", against: "engine in this thread", base: "in_process.max_ms" },
    { scenario: "cancel", figure: "abort to idle, prompt p95 (ms)", ours: "prompt_p95_ms", against: "p50", base: "prompt_p50_ms", target: "prompt_p95_ms" },
    { scenario: "cancel", figure: "abort to idle, generation p95 (ms)", ours: "generation_p95_ms", against: "p50", base: "generation_p50_ms" },
    { scenario: "window_build", figure: "10 MB, keystroke p50 (ms)", ours: "10MB_ms", against: "tokenize whole prefix", base: "10MB.whole_prefix_tokenize_ms", ratio: "10MB.speedup_vs_whole_tokenize", target: "10MB_ms" },
    { scenario: "window_build", figure: "5 MB one line, keystroke p50 (ms)", ours: "minified_5MB_ms", against: "tokenize whole prefix", base: "minified_5MB.whole_prefix_tokenize_ms", ratio: "minified_5MB.speedup_vs_whole_tokenize" },
    { scenario: "memory", figure: "engine process overhead, anonymous (MB)", ours: "anon_overhead_mb", against: "by RSS", base: "rss_overhead_mb", target: "anon_overhead_mb" },
    { scenario: "memory", figure: "engine overhead, anonymous (MB), V8 flags", ours: "anon_overhead_mb", against: "without the V8 flags", base: "without_v8_flags.anon_overhead_mb" },
    { scenario: "memory", figure: "V8 flags: latency per completion p50 (ms)", ours: "latency_ms_p50", against: "without the V8 flags", base: "without_v8_flags_latency_ms_p50", ratio: "v8_flags_latency_ratio_p50" },
    { scenario: "memory", figure: "growth over the completions (MB anon)", ours: "growth_mb", against: "second half only", base: "growth_second_half_mb", target: "growth_mb" },
    { scenario: "generation", figure: "generation tok/s, medium", ours: "gen_tok_s", against: "bandwidth bound", base: "bound_tok_s", ratio: "fraction_of_bound", target: "fraction_of_bound" },
    { scenario: "generation", figure: "generation tok/s, llama.cpp itself", ours: "llama_cpp_gen_tok_s", against: "bandwidth bound", base: "bound_tok_s", ratio: "llama_cpp_fraction_of_bound" },
    { scenario: "remote", figure: "latency/keystroke p50 (ms), remote", ours: "remote_latency_ms_p50", against: "local worker", base: "latency_ms_p50", ratio: "remote_over_local_p50" },
    { scenario: "remote", figure: "server-side evaluated tokens/keystroke p95", ours: "server_evaluated_tokens_p95", against: "local worker (p50)", base: "local_evaluated_tokens_p50" },
    { scenario: "download", figure: "model download over loopback (MB/s)", ours: "ours_mb_s", against: "curl -o, same server", base: "curl_mb_s", ratio: "ours_over_curl" },
    { scenario: "postprocess", figure: "post-processing per suggestion p95 (ms), 64 KB + 4 KB", ours: "p95_ms", against: "p50", base: "p50_ms", target: "p95_ms" },
    { scenario: "retrieval", figure: "snippet selection per keystroke p95 (ms), 50 files x 2,000 lines", ours: "select_p95_ms", against: "p50", base: "select_p50_ms", target: "select_p95_ms" },
    { scenario: "waste", figure: "tokens not shown/suggestion p95, single-line", ours: "single_line.waste_p95", against: "no early stop, same run", base: "single_line.baseline_waste_p95", target: "single_line.waste_p95" },
    { scenario: "waste", figure: "tokens not shown/suggestion p95, multi-line", ours: "multi_line.waste_p95", against: "no early stop, same run", base: "multi_line.baseline_waste_p95" },
    { scenario: "waste", figure: "multi-line: not shown beyond one line, p95", ours: "multi_line.excess_over_next_line_p95", against: "no early stop, same run", base: "multi_line.baseline_excess_over_next_line_p95", target: "multi_line.excess_over_next_line_p95" },
    { scenario: "waste", figure: "tokens generated along the typing trace", ours: "trace.generated_tokens", against: "no early stop, same run", base: "trace.baseline_generated_tokens", ratio: "trace.generated_fraction_of_baseline" },
    { scenario: "first_line", figure: "keystroke to first line shown p50 (ms)", ours: "shown_ms_p50", against: "no early stop, same run", base: "baseline_shown_ms_p50", ratio: "speedup_p50" },
    { scenario: "first_line", figure: "keystroke to first line shown p95 (ms)", ours: "shown_ms_p95", against: "no early stop, same run", base: "baseline_shown_ms_p95", ratio: "speedup_p95" },
    { scenario: "first_line", figure: "tokens generated to the first line p50", ours: "tokens_to_first_line_p50", against: "generated without the stop p50", base: "baseline_generated_tokens_p50" },
    { scenario: "peer", figure: "latency/keystroke mean (ms), tiny", ours: "tiny.ours.latency_ms_mean", against: "llama-server, llama.vscode-style", base: "tiny.vscode.latency_ms_mean", ratio: "tiny.ours_over_vscode_mean" },
    { scenario: "peer", figure: "latency/keystroke mean (ms), tiny", ours: "tiny.ours.latency_ms_mean", against: "llama-server, Continue-style", base: "tiny.continue.latency_ms_mean", ratio: "tiny.ours_over_continue_mean" },
    { scenario: "peer", figure: "latency/keystroke p95 (ms), tiny", ours: "tiny.ours.latency_ms_p95", against: "llama-server, llama.vscode-style", base: "tiny.vscode.latency_ms_p95", ratio: "tiny.ours_over_vscode_p95" },
    { scenario: "peer", figure: "tokens evaluated/keystroke mean, tiny", ours: "tiny.ours.evaluated_tokens_mean", against: "llama-server, llama.vscode-style", base: "tiny.vscode.evaluated_tokens_mean" },
    { scenario: "peer", figure: "tokens evaluated/keystroke mean, tiny", ours: "tiny.ours.evaluated_tokens_mean", against: "llama-server, Continue-style", base: "tiny.continue.evaluated_tokens_mean" },
    { scenario: "peer", figure: "latency/keystroke mean (ms), medium", ours: "medium.ours.latency_ms_mean", against: "llama-server, llama.vscode-style", base: "medium.vscode.latency_ms_mean", ratio: "medium.ours_over_vscode_mean" },
    { scenario: "peer", figure: "latency/keystroke mean (ms), medium", ours: "medium.ours.latency_ms_mean", against: "llama-server, Continue-style", base: "medium.continue.latency_ms_mean", ratio: "medium.ours_over_continue_mean" },
    { scenario: "peer", figure: "ours / better peer, mean latency", ours: "ours_over_best_peer_mean", against: "", target: "ours_over_best_peer_mean" },
    { scenario: "context_reuse", figure: "tokens evaluated per keystroke p95, context on", ours: "arms.on.typing_evaluated.p95", against: "context off", base: "arms.off.typing_evaluated.p95", target: "arms.on.typing_evaluated.p95" },
    { scenario: "context_reuse", figure: "tokens evaluated back in a file after another, p95, context on", ours: "arms.on.switch_return_evaluated.p95", against: "1 KV state", base: "arms.on_1_state.switch_return_evaluated.p95", target: "arms.on.switch_return_evaluated.p95" },
    { scenario: "context_reuse", figure: "tokens evaluated back at a place after a jump in a long file, p95", ours: "arms.on.jump_return_evaluated.p95", against: "1 KV state", base: "arms.on_1_state.jump_return_evaluated.p95", target: "arms.on.jump_return_evaluated.p95" },
    { scenario: "context_reuse", figure: "tokens evaluated on visiting a place again, p50", ours: "arms.on.visit_evaluated.p50", against: "context rebuilt per keystroke", base: "arms.naive.visit_evaluated.p50" },
    { scenario: "kv_states", figure: "switch back to an earlier prompt (ms), 2 KV states", ours: "states_2.switch_ms_p50", against: "one state: evaluate it again", base: "one_state.reevaluate_ms", ratio: "reevaluate_over_switch" },
    { scenario: "kv_states", figure: "switch back through a state file: load + prompt (ms)", ours: "state_file.load_plus_prompt_ms", against: "2 KV states in one context", base: "states_2.switch_ms_p50", ratio: "file_load_over_switch" },
    { scenario: "kv_states", figure: "one sequence's generation (tok/s), 4 KV states", ours: "speed_one_sequence.gen_tok_s_4", against: "1 KV state", base: "speed_one_sequence.gen_tok_s_1", ratio: "speed_one_sequence.gen_ratio_4_over_1" },
];

export function formatNumber(value: number | null | undefined): string {
    if (value === null || value === undefined || !Number.isFinite(value)) return "-";
    if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString("en-US");
    if (Number.isInteger(value)) return String(value);
    return String(Number(value.toPrecision(3)));
}

function targetText(check: TargetCheck | undefined): [string, string] {
    if (!check) return ["", ""];
    return [`${check.op === "<=" ? "<=" : ">="} ${check.limit}`, check.met === null ? "?" : check.met ? "yes" : "NO"];
}

export const HEADERS = ["scenario", "figure", "ours", "compared with", "theirs", "ratio", "target", "met"];

/** The headline table as rows of cells, targets checked. */
export function tableRows(results: BenchResults): string[][] {
    const checks = results.targets ?? checkTargets(results.scenarios);
    return ROWS.filter((r) => results.scenarios[r.scenario] !== undefined).map((r) => {
        const check = r.target ? checks.find((c) => c.scenario === r.scenario && c.metric === r.target) : undefined;
        const s = results.scenarios;
        return [
            r.scenario,
            r.figure,
            formatNumber(numberAt(s, r.scenario, r.ours)),
            r.against,
            formatNumber(numberAt(s, r.scenario, r.base)),
            r.ratio ? formatNumber(numberAt(s, r.scenario, r.ratio)) : "",
            ...targetText(check),
        ];
    });
}

/** Plain text, columns padded: what the terminal shows. */
export function renderTextTable(rows: readonly (readonly string[])[], headers: readonly string[] = HEADERS): string {
    const all = [headers, ...rows];
    const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
    const line = (r: readonly string[]) => r.map((c, i) => (c ?? "").padEnd(widths[i])).join("  ").trimEnd();
    return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export function renderMarkdownTable(rows: readonly (readonly string[])[], headers: readonly string[] = HEADERS): string {
    const esc = (c: string) => c.replace(/\|/g, "\\|");
    return [`| ${headers.join(" | ")} |`, `|${headers.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`)].join("\n");
}
