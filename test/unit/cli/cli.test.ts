// The headless CLI as users and benchmarks run it: the built bundle in a child process.

import * as assert from "node:assert/strict";
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { postprocess } from "../../../src/suggestion/postprocess";
import { expectedCompletion } from "../../fixtures/copy-table";
import { copyFixture, type CopyFixture } from "../../fixtures/models";
import { writeCorruptModels, type CorruptModelCase } from "../../fixtures/corrupt-models";

const CLI = path.resolve(__dirname, "../../../dist/cli/complete.js");

function run(args: string[], options: SpawnSyncOptions = {}) {
    const result = spawnSync(process.execPath, [options.cwd ? path.basename(CLI) : CLI, ...args], { encoding: "utf8", timeout: 120_000, ...options });
    return { code: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

describe("CLI: npm run complete", () => {
    let fixture: CopyFixture;
    let folder: string;
    let cases: CorruptModelCase[];

    before(async () => {
        assert.ok(fs.existsSync(CLI), `${CLI} is missing: run "npm run build" first (npm test does).`);
        fixture = await copyFixture("copy");
        folder = fs.mkdtempSync(path.join(os.tmpdir(), "solar-cli-"));
        ({ cases } = await writeCorruptModels(path.join(folder, "bad")));
    });
    after(() => fs.rmSync(folder, { recursive: true, force: true }));

    it("prints the completion at --offset, exactly", () => {
        const cut = fixture.cutPoints[1];
        const file = path.join(folder, "doc.txt");
        fs.writeFileSync(file, fixture.text);
        const { code, stdout, stderr } = run(["--model", fixture.path, "--file", file, "--offset", String(cut.offset), "--max-tokens", "6", "--gpu", "cpu"]);
        assert.equal(code, 0, stderr);
        const prompt = fixture.text.slice(0, cut.offset);
        const expected = expectedCompletion(fixture.vocab, fixture.table, [1, ...fixture.vocab.encode(prompt, { bos: false })], 6).text;
        assert.equal(stdout, `${expected}\n`);
    });

    it("replays a trace through one engine and prints one JSON object per step", () => {
        const cut = fixture.cutPoints[2];
        const file = path.join(folder, "trace-doc.txt");
        fs.writeFileSync(file, fixture.text.slice(0, cut.offset));
        const rest = fixture.text.slice(cut.offset, cut.offset + 5);
        const trace = [...rest].map((ch, i) => ({ offset: cut.offset + i, insert: ch, delete: 0 }));
        const traceFile = path.join(folder, "trace.json");
        fs.writeFileSync(traceFile, JSON.stringify(trace));
        const { code, stdout, stderr } = run(["--model", fixture.path, "--file", file, "--trace", traceFile, "--json", "--max-tokens", "4", "--gpu", "cpu"]);
        assert.equal(code, 0, stderr);
        const steps = stdout.trim().split("\n").map((line) => JSON.parse(line));
        assert.equal(steps.length, trace.length);
        for (const [i, step] of steps.entries()) {
            assert.deepEqual(Object.keys(step), ["step", "completion", "suggestion", "replaceSuffixChars", "promptTokens", "reusedTokens", "evaluatedTokens", "promptMs", "genMs", "generatedTokens", "stopReason"]);
            assert.equal(step.step, i);
            if (i > 0) assert.ok(step.evaluatedTokens <= 4, `step ${i} evaluated ${step.evaluatedTokens}`);
        }
    });

    it("--json gives each row the ghost text the extension would show; --ghost gets it with the streaming stop", () => {
        // Mid-line, text after the cursor: a single-line place. The copy model would write on for 40 tokens.
        const file = path.join(folder, "inventory.ts");
        const at = fixture.text.indexOf("stockBySku.set(") + "stockBySku.set(".length;
        const document = `${fixture.text.slice(0, at)}  // keep${fixture.text.slice(fixture.text.indexOf("\n", at))}`;
        fs.writeFileSync(file, document);
        const rows = (extra: string[]) => {
            const { code, stdout, stderr } = run(["--model", fixture.path, "--file", file, "--offset", String(at), "--max-tokens", "40", "--gpu", "cpu", "--json", ...extra]);
            assert.equal(code, 0, stderr);
            return JSON.parse(stdout) as { completion: string; suggestion: string | null; generatedTokens: number; stopReason: string };
        };
        const plain = rows([]);
        const ghost = rows(["--ghost"]);
        const prefix = document.slice(0, at);
        const raw = expectedCompletion(fixture.vocab, fixture.table, [1, ...fixture.vocab.encode(prefix, { bos: false })], 40);
        const shown = postprocess({ prefix, suffix: document.slice(at), completion: raw.text, truncated: true, languageId: "typescript", eol: "\n", maxLines: 8 });
        assert.ok(shown, "the copy model's line is a suggestion here");
        assert.equal(plain.completion, raw.text);
        assert.equal(plain.generatedTokens, 40);
        assert.equal(plain.suggestion, shown.insertText);
        assert.equal(ghost.suggestion, shown.insertText, "the early stop shows the same text");
        assert.equal(ghost.stopReason, "suggestionFinal");
        assert.equal(ghost.completion, raw.text.slice(0, raw.text.indexOf("\n") + 1));
        const throughBreak = raw.tokens.findIndex((_, k) => fixture.vocab.decodeAfter([1, ...fixture.vocab.encode(prefix, { bos: false })], raw.tokens.slice(0, k + 1)).includes("\n")) + 1;
        assert.equal(ghost.generatedTokens, throughBreak, "counts the tokens actually generated: up to the line break");
    });

    it("explains bad arguments in one line plus usage, exit code 2", () => {
        for (const args of [[], ["--model", "m.gguf"], ["--model", "m.gguf", "--file", "f", "--max-tokens", "0"], ["--model", "m.gguf", "--file", "f", "--max-lines", "x"], ["--bogus"]]) {
            const { code, stderr } = run(args);
            assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
            assert.match(stderr.split("\n")[0], /^error: /);
            assert.match(stderr, /usage: npm run complete/);
        }
    });

    it("reports a bad model in one line, exit code 1", () => {
        const file = path.join(folder, "doc.txt");
        for (const bad of cases.filter((c) => ["TRUNCATED", "NOT_GGUF", "NOT_FOUND"].includes(c.expectedCode))) {
            const { code, stderr } = run(["--model", bad.path, "--file", file, "--gpu", "cpu"]);
            assert.equal(code, 1, `${bad.name}: ${stderr}`);
            assert.equal(stderr.trim().split("\n").length, 1, stderr);
            assert.match(stderr, new RegExp(`^error: .*${path.basename(bad.path)}`));
        }
    });

    it("reports a model file it may not read, as an unprivileged user", () => {
        // Root reads any file whatever its mode, so as root the check runs the bundle as "nobody".
        const sandbox = fs.mkdtempSync(path.join(os.tmpdir(), "solar-perm-"));
        fs.chmodSync(sandbox, 0o755);
        fs.copyFileSync(CLI, path.join(sandbox, path.basename(CLI)));
        const model = path.join(sandbox, "secret.gguf");
        fs.copyFileSync(fixture.path, model);
        fs.chmodSync(model, 0o000);
        fs.writeFileSync(path.join(sandbox, "doc.txt"), "hello", { mode: 0o644 });
        const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
        try {
            const { code, stderr } = run(["--model", model, "--file", path.join(sandbox, "doc.txt"), "--gpu", "cpu"], { cwd: sandbox, ...asNobody });
            assert.equal(code, 1, stderr);
            assert.match(stderr, /^error: No permission to read the model file: .*secret\.gguf/);
        } finally {
            fs.rmSync(sandbox, { recursive: true, force: true });
        }
    });
});
