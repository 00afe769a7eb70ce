// Post-processing time per suggestion (issue 13: below 1 ms at p95 with a 4 KB suffix). No model:
// the documents are the generated TypeScript and YAML, sliced as the ghost-text service slices them
// (64 KB before the cursor, 4 KB after), and the raw "model output" is eight lines taken from
// another place in the same document, so every stop rule reads every line instead of stopping at
// the first. Three shapes, in turn: the end of a line (multi-line, the bracket and loop rules), a
// blank line inside a block (the first line's indentation), and mid-line (the word diff). Each call
// is timed by the clock (the target) and by this process's CPU time, which other processes taking
// the cores do not inflate.

import { postprocess, type PostprocessInput } from "../../src/suggestion/postprocess";
import { PREFIX_SLICE_CHARS, SUFFIX_SLICE_CHARS } from "../../src/backend/limits";
import { mulberry32 } from "../../test/fixtures/prng";
import { codeOfLength } from "../documents";
import { elapsed, type Bench } from "../harness";
import { rounded, summarize } from "../stats";

const SUGGESTIONS = 3000;
const WARMUP = 300;
const ANSWER_LINES = 8;

type Shape = "line_end" | "blank_line" | "mid_line";
const SHAPES: readonly Shape[] = ["line_end", "blank_line", "mid_line"];

function yamlOfLength(chars: number): string {
    const out: string[] = [];
    for (let i = 0, length = 0; length < chars; i++) {
        const lines = [`service${i}:`, `  image: "registry.example.com/app${i % 7}:1.${i % 13}"`, "  ports:", `    - "${8000 + (i % 90)}:80"`, `  restart: always`, `  environment:`, `    LEVEL: debug${i % 3}`];
        out.push(...lines);
        length += lines.join("\n").length + 1;
    }
    return out.join("\n") + "\n";
}

/** Line starts of `text`, for picking cursors at line boundaries. */
function lineStarts(text: string): number[] {
    const starts = [0];
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    return starts;
}

function inputs(document: string, languageId: string, count: number, seed: number): { input: PostprocessInput; shape: Shape }[] {
    const next = mulberry32(seed);
    const starts = lineStarts(document);
    // Cursors where a whole prefix slice fits before and a whole suffix slice after.
    const first = starts.findIndex((s) => s >= PREFIX_SLICE_CHARS);
    const last = starts.findIndex((s) => s >= document.length - SUFFIX_SLICE_CHARS - 1) - ANSWER_LINES - 1;
    const result: { input: PostprocessInput; shape: Shape }[] = [];
    for (let k = 0; k < count; k++) {
        const shape = SHAPES[k % SHAPES.length];
        const line = first + Math.floor(next() * (last - first));
        const lineText = document.slice(starts[line], starts[line + 1] - 1);
        const indent = lineText.length - lineText.trimStart().length;
        const other = first + Math.floor(next() * (last - first));
        const answer = document.slice(starts[other], starts[other + ANSWER_LINES]).split("\n");
        let prefix: string;
        let suffix: string;
        let completion: string;
        if (shape === "mid_line") {
            // The model re-types the rest of the line with a change, then goes on.
            const cursor = starts[line] + indent + Math.floor((lineText.length - indent) / 2);
            [prefix, suffix] = [document.slice(cursor - PREFIX_SLICE_CHARS, cursor), document.slice(cursor, cursor + SUFFIX_SLICE_CHARS)];
            completion = [`x + ${document.slice(cursor, starts[line + 1] - 1).replace(/\w+/, "value")}`, ...answer.slice(1)].join("\n");
        } else if (shape === "blank_line") {
            // A new line above `line`, at its indentation; the answer starts one space too deep.
            const at = starts[line];
            prefix = document.slice(at - PREFIX_SLICE_CHARS, at) + " ".repeat(indent);
            suffix = "\n" + document.slice(at, at + SUFFIX_SLICE_CHARS - 1);
            completion = " " + answer.join("\n").trimStart();
        } else {
            const cursor = starts[line + 1] - 1;
            [prefix, suffix] = [document.slice(cursor - PREFIX_SLICE_CHARS, cursor), document.slice(cursor, cursor + SUFFIX_SLICE_CHARS)];
            completion = "\n" + answer.join("\n");
        }
        result.push({
            shape,
            input: { prefix, suffix, completion, languageId, eol: "\n", maxLines: ANSWER_LINES, truncated: k % 2 === 0 },
        });
    }
    return result;
}

export async function postprocessTime(bench: Bench) {
    const documents = [
        { languageId: "typescript", text: codeOfLength(PREFIX_SLICE_CHARS + 4 * SUFFIX_SLICE_CHARS + 20_000, 21) },
        { languageId: "yaml", text: yamlOfLength(PREFIX_SLICE_CHARS + 4 * SUFFIX_SLICE_CHARS + 20_000) },
    ];
    const cases = documents.flatMap((d, i) => inputs(d.text, d.languageId, SUGGESTIONS / documents.length, 31 + i));
    for (const { input } of cases.slice(0, WARMUP)) postprocess(input);
    const all: number[] = [];
    const cpu: number[] = [];
    const byShape: Record<string, number[]> = {};
    const byLanguage: Record<string, number[]> = {};
    let shown = 0;
    // Interleaved: shapes and languages alternate, so neither gets the warmer JIT or the quieter moment.
    const order = cases.map((_, i) => i).sort((a, b) => (a % 1000) - (b % 1000) || a - b);
    for (const i of order) {
        const { input, shape } = cases[i];
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const suggestion = postprocess(input);
        const ms = elapsed(t0);
        const used = process.cpuUsage(c0);
        cpu.push((used.user + used.system) / 1000);
        if (suggestion !== undefined) shown++;
        all.push(ms);
        (byShape[shape] ??= []).push(ms);
        (byLanguage[input.languageId] ??= []).push(ms);
    }
    const total = summarize(all);
    const cpuTotal = summarize(cpu);
    bench.progress(`postprocess: ${all.length} suggestions, p50 ${total.p50.toFixed(3)} ms, p95 ${total.p95.toFixed(3)} ms (CPU p95 ${cpuTotal.p95.toFixed(3)} ms)`);
    return {
        suggestions: all.length,
        prefix_chars: PREFIX_SLICE_CHARS,
        suffix_chars: SUFFIX_SLICE_CHARS,
        shown_fraction: Number((shown / all.length).toFixed(3)),
        p50_ms: rounded(total).p50,
        p95_ms: rounded(total).p95,
        max_ms: rounded(total).max,
        // CPU time of this process per call: what a busy machine's preemption does not inflate.
        cpu_p50_ms: rounded(cpuTotal).p50,
        cpu_p95_ms: rounded(cpuTotal).p95,
        by_shape_ms: Object.fromEntries(Object.entries(byShape).map(([k, v]) => [k, rounded(summarize(v))])),
        by_language_ms: Object.fromEntries(Object.entries(byLanguage).map(([k, v]) => [k, rounded(summarize(v))])),
    };
}
