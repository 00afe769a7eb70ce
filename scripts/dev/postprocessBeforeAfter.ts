// `npx tsx scripts/dev/postprocessBeforeAfter.ts [git-rev]`: runs the golden post-processing cases
// against post-processing as it was at `git-rev` (default HEAD) and as it is in the working tree, and
// counts per defect class (the golden `defect` field) how many fail before and pass now. The old
// sources come from `git show` into a temporary folder; nothing in the working tree or git changes.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { isDeepStrictEqual } from "node:util";

const ROOT = join(__dirname, "..", "..");
const GOLDEN_DIR = join(ROOT, "test", "golden", "postprocess");
// Post-processing lived in src/completion/postprocess/ before it moved to src/suggestion/ (issue 14).
const HOMES = ["src/suggestion", "src/completion/postprocess"];
const SOURCES = [...HOMES, "src/text/cutPoints.ts", "src/engine/protocol.ts"];
const CURSOR = "█";

type Text = string | readonly string[];
interface Golden {
    readonly name: string;
    readonly defect?: number;
    readonly languageId: string;
    readonly eol?: "\n" | "\r\n";
    readonly maxLines?: number;
    readonly truncated?: boolean;
    readonly document: Text;
    readonly completion: Text;
    readonly expected: Text | null;
    readonly replaceSuffixChars?: number;
}
type Postprocess = (input: object) => unknown;

const join_ = (text: Text, separator: string) => (typeof text === "string" ? text : text.join(separator));

function checkout(rev: string, into: string): void {
    for (const source of SOURCES) {
        const files = execFileSync("git", ["ls-tree", "-r", "--name-only", rev, source], { cwd: ROOT, encoding: "utf8" }).split("\n").filter(Boolean);
        for (const file of files) {
            const target = join(into, file);
            mkdirSync(dirname(target), { recursive: true });
            writeFileSync(target, execFileSync("git", ["show", `${rev}:${file}`], { cwd: ROOT }));
        }
    }
}

/** The post-processing of a source tree, wherever that revision kept it. */
async function postprocessIn(root: string): Promise<Postprocess> {
    const home = HOMES.find((h) => existsSync(join(root, h, "postprocess.ts")));
    if (home === undefined) throw new Error(`no post-processing in ${root} (looked in ${HOMES.join(", ")})`);
    return ((await import(join(root, home, "postprocess.ts"))) as { postprocess: Postprocess }).postprocess;
}

function passes(postprocess: Postprocess, golden: Golden): boolean {
    const eol = golden.eol ?? "\n";
    const document = join_(golden.document, eol);
    const at = document.indexOf(CURSOR);
    const actual = postprocess({
        prefix: document.slice(0, at),
        suffix: document.slice(at + CURSOR.length),
        completion: join_(golden.completion, "\n"),
        languageId: golden.languageId,
        eol,
        maxLines: golden.maxLines ?? 8,
        truncated: golden.truncated,
    });
    const expected = golden.expected === null ? undefined : { insertText: join_(golden.expected, eol), replaceSuffixChars: golden.replaceSuffixChars ?? 0 };
    return isDeepStrictEqual(actual, expected);
}

async function main(): Promise<void> {
    const rev = process.argv[2] ?? "HEAD";
    const dir = mkdtempSync(join(tmpdir(), "postprocess-before-"));
    try {
        checkout(rev, dir);
        const before = await postprocessIn(dir);
        const now = await postprocessIn(ROOT);
        const rows = new Map<string, { cases: number; failedBefore: number; passNow: number; languages: Set<string> }>();
        const surprises: string[] = [];
        for (const file of readdirSync(GOLDEN_DIR).filter((f) => f.endsWith(".json")).sort()) {
            const golden = JSON.parse(readFileSync(join(GOLDEN_DIR, file), "utf8")) as Golden;
            const key = golden.defect === undefined ? "existing" : `class ${golden.defect}`;
            const row = rows.get(key) ?? { cases: 0, failedBefore: 0, passNow: 0, languages: new Set<string>() };
            rows.set(key, row);
            const old = passes(before, golden);
            const current = passes(now, golden);
            row.cases++;
            row.languages.add(golden.languageId);
            if (!old) row.failedBefore++;
            if (current) row.passNow++;
            if (golden.defect !== undefined && old) surprises.push(`${file}: passes before the change too`);
            if (!current) surprises.push(`${file}: fails now`);
        }
        process.stdout.write(`against ${rev}\n`);
        for (const [key, row] of [...rows].sort()) {
            process.stdout.write(`${key.padEnd(9)} ${String(row.cases).padStart(3)} cases  failed before ${String(row.failedBefore).padStart(3)}  pass now ${String(row.passNow).padStart(3)}  ${[...row.languages].sort().join(", ")}\n`);
        }
        for (const line of surprises) process.stdout.write(`! ${line}\n`);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

void main();
