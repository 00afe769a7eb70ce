// Context from other files (issue 16: selectSnippets at most 2 ms at p95 with 50 open documents of
// 2,000 lines). No model: 50 generated TypeScript modules, each with words of its own domain, a few
// shared ones, and calls to functions of three other modules, as a project's files have. One of them
// is typed in, mid-file, one character per keystroke, and each keystroke asks the index for snippets
// the way the adapter does (the text before the cursor, the cursor's line, a 1,024-token budget).
// Indexing is timed apart, as the adapter does it at calm moments only, never per keystroke (the typed
// document's index stays at its first version during the trace): each document once from nothing, then
// the typed document again after each of 200 keystrokes (its unchanged lines' identifiers reused).
// The typed lines call functions defined in other modules: how often the defining module's chunk is
// among the snippets says whether the ranking finds what a person would paste.

import { mulberry32 } from "../../test/fixtures/prng";
import { ContextIndex } from "../../src/context/contextIndex";
import { CHARS_PER_TOKEN_ESTIMATE } from "../../src/context/retrieval";
import { PREFIX_SLICE_CHARS } from "../../src/backend/limits";
import { typing } from "../documents";
import { elapsed, type Bench } from "../harness";
import { round, rounded, summarize } from "../stats";

const DOCUMENTS = 50;
const LINES = 2_000;
const KEYSTROKES = 2_000;
const WARMUP = 200;
const BUDGET_TOKENS = 1_024;
const TYPED_DOCUMENT = 7;
const REINDEXES = 200;

interface Module {
    readonly path: string;
    readonly text: string;
    /** Functions it exports, which other modules call. */
    readonly exports: readonly string[];
    /** Its own identifiers (types, fields, locals). */
    readonly names: readonly string[];
}

/** A call typed into the document: the module that defines the callee, and where its name is typed. */
interface TypedCall {
    readonly definedIn: string;
    /** Characters of the typed text up to the end of the callee's name. */
    readonly typedBy: number;
}

/** Pseudo-words from syllables, each new: every module's domain words are its own, as in a real project. */
function wordMaker(next: () => number): () => string {
    const syllables = ["ka", "lo", "mi", "ter", "pro", "cess", "val", "den", "sor", "qui", "ra", "ble", "ton", "fi", "gu", "mer", "sta", "vor", "pa", "nu", "sel", "dra", "op", "wen"];
    const seen = new Set<string>();
    return () => {
        for (;;) {
            const word = Array.from({ length: 2 + Math.floor(next() * 2) }, () => syllables[Math.floor(next() * syllables.length)]).join("");
            if (!seen.has(word)) return seen.add(word), word;
        }
    };
}

function camel(words: readonly string[]): string {
    return words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join("");
}

/** The words and exported names of every module, before any text: modules call each other's exports. */
function plans(seed: number) {
    const next = mulberry32(seed);
    const word = wordMaker(next);
    const shared = Array.from({ length: 40 }, word);
    return Array.from({ length: DOCUMENTS }, (_, m) => {
        const domain = Array.from({ length: 70 }, word);
        // A module's own names: a few hundred distinct identifiers, each used many times.
        const names = Array.from({ length: 200 }, () => camel([domain[Math.floor(next() * domain.length)], next() < 0.8 ? domain[Math.floor(next() * domain.length)] : shared[Math.floor(next() * shared.length)]]));
        const exports = Array.from({ length: 12 }, (_, i) => `${camel([domain[i], domain[(i * 7 + 3) % domain.length]])}${m}`);
        return { path: `src/${domain[0]}/${domain[1]}${m}.ts`, domain, shared, names, exports };
    });
}

type ModulePlan = ReturnType<typeof plans>[number];

function moduleLines(plan: ModulePlan, imported: readonly string[], next: () => number): string[] {
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
    const local = () => (next() < 0.92 ? pick(plan.domain) : pick(plan.shared));
    const name = () => pick(plan.names);
    const lines = [`import { ${imported.join(", ")} } from "../shared";`, ""];
    for (let block = 0; lines.length < LINES; block++) {
        const fn = block < plan.exports.length ? plan.exports[block] : `${name()}${block}`;
        lines.push(`/** ${local()[0].toUpperCase()}${local().slice(1)}s the ${local()} of each ${local()}. */`);
        lines.push(`export function ${fn}(${local()}: ${camel([local(), "type"])}, ${local()}s: readonly string[]): number {`);
        for (let s = 3 + Math.floor(next() * 10); s > 0; s--) {
            const roll = next();
            if (roll < 0.3) lines.push(`    const ${name()} = ${local()}.${name()}(${Math.floor(next() * 1000)}, "${local()} ${local()}");`);
            else if (roll < 0.5) lines.push(`    if (${local()}.${local()} > ${Math.floor(next() * 100)}) return ${pick(imported)}(${local()}, ${local()});`);
            else if (roll < 0.65) lines.push(`    // ${local()} ${local()} before the ${local()} is ready`);
            else lines.push(`    for (const ${local()} of ${local()}s) ${name()}(${local()}, ${local()});`);
        }
        lines.push(`    return ${Math.floor(next() * 100)};`, "}", "");
    }
    return lines.slice(0, LINES);
}

function makeModules(seed: number): Module[] {
    const all = plans(seed);
    const next = mulberry32(seed + 1);
    return all.map((plan, m) => {
        const imported = [1, 2, 3].flatMap((k) => all[(m + k * 11) % all.length].exports.slice(0, 4));
        return { path: plan.path, text: moduleLines(plan, imported, next).join("\n") + "\n", exports: plan.exports, names: plan.names };
    });
}

/**
 * Lines typed into the module: each calls a function another module defines (and this one does not
 * import) with two of that module's names, as code that uses a module uses its types and fields.
 */
function typedLines(modules: readonly Module[]): { text: string; calls: TypedCall[] } {
    let text = "";
    const calls: TypedCall[] = [];
    [20, 33, 41].forEach((m, i) => {
        const { exports, names, path } = modules[m];
        const line = `    const checked${i} = ${exports[5]}(${names[0]}, ${names[1]}.length);\n`;
        calls.push({ definedIn: path, typedBy: text.length + line.indexOf("(") });
        text += line;
    });
    return { text, calls };
}

/** The module whose function was typed last when `key` keystrokes (0-based) into the cycling text are done. */
function expectedModule(key: number, typedLength: number, calls: readonly TypedCall[]): string | undefined {
    const [cycle, typed] = [Math.floor(key / typedLength), (key % typedLength) + 1];
    const done = calls.filter((call) => call.typedBy <= typed);
    if (done.length > 0) return done[done.length - 1].definedIn;
    return cycle > 0 ? calls[calls.length - 1].definedIn : undefined;
}

function indexAll(index: ContextIndex, modules: readonly Module[]): number[] {
    return modules.map((m) => {
        const t0 = performance.now();
        index.upsertDocument({ path: m.path, languageId: "typescript", text: m.text, version: 1 });
        return elapsed(t0);
    });
}

/** The typed document indexed again after each of REINDEXES keystrokes, as a calm moment after typing would. */
function reindexTimes(index: ContextIndex, doc: Module): number[] {
    const start = doc.text.indexOf("\n", doc.text.length >> 2) + 1;
    const times: number[] = [];
    let version = 1_000_000;
    for (const { text } of typing(doc.text, start, "    const subtotal = items.length;\n", REINDEXES)) {
        const t0 = performance.now();
        index.upsertDocument({ path: doc.path, languageId: "typescript", text, version: version++ });
        times.push(elapsed(t0));
    }
    return times;
}

interface TraceResult {
    readonly selectMs: number[];
    readonly cpuMs: number[];
    readonly snippets: number[];
    /** Keystrokes after a call to another module was typed, and of them those with a snippet from it. */
    readonly withCall: number;
    readonly definingFound: number;
}

function runTrace(index: ContextIndex, modules: readonly Module[]): TraceResult {
    const doc = modules[TYPED_DOCUMENT];
    const start = doc.text.indexOf("\n", doc.text.length >> 1) + 1;
    const { text: typed, calls } = typedLines(modules);
    const result = { selectMs: [] as number[], cpuMs: [] as number[], snippets: [] as number[] };
    let cursorLine = doc.text.slice(0, start).split("\n").length - 1;
    let [key, found, withCall] = [0, 0, 0];
    for (const { text, cursor } of typing(doc.text, start, typed, KEYSTROKES + WARMUP)) {
        if (text[cursor - 1] === "\n") cursorLine++;
        const windowText = text.slice(Math.max(0, cursor - PREFIX_SLICE_CHARS), cursor);
        const request = { current: { path: doc.path, languageId: "typescript", windowText, cursorLine }, maxChars: BUDGET_TOKENS * CHARS_PER_TOKEN_ESTIMATE };
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const snippets = index.select(request);
        const ms = elapsed(t0);
        const used = process.cpuUsage(c0);
        if (key++ < WARMUP) continue;
        result.selectMs.push(ms);
        result.cpuMs.push((used.user + used.system) / 1000);
        result.snippets.push(snippets.length);
        const expected = expectedModule(key - 1, typed.length, calls);
        if (expected !== undefined) withCall++;
        if (expected !== undefined && snippets.some((s) => s.path === expected)) found++;
    }
    return { ...result, withCall, definingFound: found / Math.max(1, withCall) };
}

export async function retrieval(bench: Bench) {
    const modules = makeModules(161);
    const index = new ContextIndex({ clock: () => 0 });
    const indexMs = indexAll(index, modules);
    const stats = index.stats();
    const trace = runTrace(index, modules);
    const reindexMs = reindexTimes(index, modules[TYPED_DOCUMENT]);
    const select = summarize(trace.selectMs);
    const cpu = summarize(trace.cpuMs);
    bench.progress(`retrieval: ${stats.chunks} chunks, select p50 ${select.p50.toFixed(3)} ms, p95 ${select.p95.toFixed(3)} ms (CPU p95 ${cpu.p95.toFixed(3)} ms)`);
    return {
        documents: DOCUMENTS,
        lines_per_document: LINES,
        keystrokes: trace.selectMs.length,
        budget_tokens: BUDGET_TOKENS,
        candidate_chunks: stats.chunks,
        vocabulary_words: stats.vocabulary,
        select_p50_ms: round(select.p50),
        select_p95_ms: round(select.p95),
        select_ms: rounded(select),
        select_cpu_ms: rounded(cpu),
        index_ms_per_document: rounded(summarize(indexMs)),
        reindex_after_keystroke_ms: rounded(summarize(reindexMs)),
        snippets_per_select: rounded(summarize(trace.snippets)),
        // Of the keystrokes after a call to another module's function, the share with a snippet from that module.
        keystrokes_after_a_call: trace.withCall,
        defining_module_found: round(trace.definingFound),
    };
}
