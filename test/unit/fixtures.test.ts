// The generated test models, checked against the real engine (node-llama-cpp, CPU, one thread):
// they load, generate, tokenize exactly like the reference Llama tokenizer, and the copy models'
// greedy output is the one copy-table.ts predicts.
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Llama, LlamaContext, LlamaModel, Token } from "node-llama-cpp";
import { copyTable, expectedCompletion, findCutPoints, greedyContinuation, predictNext } from "../fixtures/copy-table";
import { encodeQ4_0, encodeQ8_0, fromHalfBits, GGML_TYPE, tensorFromRows, toHalfBits, writeGguf } from "../fixtures/gguf-writer";
import { buildModelFile, copyFixture, ensureModel, type CopyFixture, type CopyModelName } from "../fixtures/models";
import { BOS_ID, EOS_ID, loadVocabulary, type Vocabulary } from "../fixtures/vocabulary";

const TOKENIZER_SNIPPETS = [
    "grabbed", " grabbed", "           grabbed", "Hello, world!", "The llama (/ˈlɑːmə/) is a domesticated camelid.",
    "function add(a, b) {\n    return a + b;\n}\n", "const x = arr.map((v) => v * 2).filter(Boolean);",
    "def fib(n):\n\tif n < 2:\n\t\treturn n\n\treturn fib(n - 1) + fib(n - 2)\n", "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", 42); }",
    "SELECT id, name FROM users WHERE age >= 18 ORDER BY name;", "<div class=\"card\"><span>€ 3,50</span></div>",
    "{\"key\": [1, 2.5, -3e10, null, true]}", "    \n\n    \t  \r\n", "a  b   c    d     e", "\n", " \n", "",
    "镇 中文字符 日本語のテキスト 한국어", "🦙Ꙋ🦙", "emoji 👍🏽 family 👨‍👩‍👧 flag 🇫🇷", "Ünïcödé naïve café façade", "e\u0301 (combining accent)",
    "Zero\u200bwidth", "ＦＵＬＬ ｗｉｄｔｈ", "x".repeat(300), "ax\n####\nboo", "=> !== === ?? ?. ||= &&=",
    "fn main() -> Result<(), Box<dyn Error>> { Ok(()) }", "<s> and </s> as plain text", "1234567890 3.14159 0xFF 1e-9",
];

describe("test model fixtures", () => {
    describe("GGUF encoding", () => {
        it("rounds fp16 to nearest even and keeps out-of-range values at the edges", () => {
            assert.equal(toHalfBits(1), 0x3c00);
            assert.equal(toHalfBits(-2), 0xc000);
            assert.equal(toHalfBits(0.1), 0x2e66);
            assert.equal(toHalfBits(65504), 0x7bff);
            assert.equal(toHalfBits(1e6), 0x7c00);
            assert.equal(fromHalfBits(toHalfBits(2 ** -24)), 2 ** -24);
            assert.equal(fromHalfBits(toHalfBits(1 + 2 ** -11)), 1); // a tie rounds to the even mantissa
        });

        it("lays out Q4_0 like ggml: low nibbles are elements 0-15, high nibbles 16-31", () => {
            const values = new Float32Array(32).map((_, i) => (i === 3 ? -2 : i === 20 ? 1.75 : 0));
            const block = encodeQ4_0(values);
            const d = fromHalfBits(block[0] | (block[1] << 8));
            assert.equal(d, 0.25); // the largest magnitude (-2) maps to q = 0
            const dequantized = Array.from({ length: 32 }, (_, i) => {
                const byte = block[2 + (i % 16)];
                return (((i < 16 ? byte : byte >> 4) & 15) - 8) * d;
            });
            assert.deepEqual(dequantized, Array.from(values));
        });

        it("keeps Q8_0 within half a step and its scale finite for huge values", () => {
            const values = new Float32Array(32).map((_, i) => Math.sin(i) * 3);
            const block = encodeQ8_0(values);
            const d = fromHalfBits(block[0] | (block[1] << 8));
            values.forEach((v, i) => assert.ok(Math.abs(((block[2 + i] << 24) >> 24) * d - v) <= d / 2 + 1e-3));
            const huge = encodeQ8_0(new Float32Array(32).fill(1e12));
            assert.ok(Number.isFinite(fromHalfBits(huge[0] | (huge[1] << 8))));
        });

        it("writes a v3 header and aligns tensor data to 32 bytes", () => {
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gguf-")), "small.gguf");
            const size = writeGguf(file, {
                metadata: [["general.name", { kind: "string", value: "small" }]],
                tensors: [tensorFromRows("a", [3], GGML_TYPE.F32, (_, out) => out.fill(1)), tensorFromRows("b", [32, 2], GGML_TYPE.Q4_0, (_, out) => out.fill(0.5))],
            });
            const bytes = fs.readFileSync(file);
            assert.equal(bytes.length, size);
            assert.equal(bytes.subarray(0, 4).toString(), "GGUF");
            assert.equal(bytes.readUInt32LE(4), 3);
            // Tensor a (12 bytes) is padded to 32, so b's block (scale 0.5 / -8) starts 64 bytes from the end.
            assert.equal(size % 32, 0);
            assert.equal(fromHalfBits(bytes.readUInt16LE(size - 64)), -0.0625);
            fs.rmSync(path.dirname(file), { recursive: true });
        });
    });

    describe("copy table", () => {
        const table = copyTable([10, 11, 12, 10, 13, 12, 10, 14], 1);

        it("follows the first occurrence of the longest matching context", () => {
            assert.deepEqual(predictNext(table, [BOS_ID, 10]), { order: 1, token: 11 });
            assert.deepEqual(predictNext(table, [BOS_ID, 99, 12, 10]), { order: 2, token: 13 });
            assert.deepEqual(predictNext(table, [BOS_ID, 99, 12]), { order: 1, token: 10 });
            assert.deepEqual(predictNext(table, [BOS_ID]), { order: 0, token: 10 });
            assert.deepEqual(predictNext(table, [BOS_ID, 10, 14]), { order: 2, token: EOS_ID });
        });

        it("stops the greedy chain before EOS, or after maxTokens when it loops", () => {
            assert.deepEqual(greedyContinuation(table, [BOS_ID, 12, 10, 14], 20), []);
            assert.deepEqual(greedyContinuation(copyTable([10, 11, 12, 13]), [BOS_ID, 11], 20), [12, 13]);
            assert.deepEqual(greedyContinuation(table, [BOS_ID, 13], 7), [12, 10, 13, 12, 10, 13, 12]);
        });
    });

    describe("with node-llama-cpp", () => {
        let llama: Llama;
        let vocab: Vocabulary;
        const loaded: Array<{ dispose(): unknown }> = [];

        before(async () => {
            const { getLlama } = await import("node-llama-cpp");
            [llama, vocab] = await Promise.all([getLlama({ gpu: false, build: "never" }), loadVocabulary()]);
        });

        after(async () => {
            for (const item of loaded.reverse()) await item.dispose();
            await llama?.dispose();
        });

        async function load(modelPath: string): Promise<{ model: LlamaModel; context: LlamaContext }> {
            const model = await llama.loadModel({ modelPath });
            loaded.push(model);
            const context = await model.createContext({ contextSize: 1024, threads: 1 });
            loaded.push(context);
            return { model, context };
        }

        async function generate(context: LlamaContext, prompt: readonly number[], maxTokens: number): Promise<number[]> {
            const sequence = context.getSequence();
            const tokens: number[] = [];
            try {
                for await (const token of sequence.evaluate(prompt as Token[], { temperature: 0 })) {
                    if (token === EOS_ID || tokens.push(token) >= maxTokens) break;
                }
            } finally {
                sequence.dispose();
            }
            return tokens;
        }

        it("tokenizes exactly like the reference Llama tokenizer", async () => {
            const { model } = await load(await ensureModel("tiny"));
            assert.equal(model.tokens.bos, BOS_ID);
            assert.equal(model.tokens.eos, EOS_ID);
            for (const snippet of TOKENIZER_SNIPPETS) {
                assert.deepEqual(Array.from(model.tokenize(snippet)), vocab.encode(snippet, { bos: false }), JSON.stringify(snippet));
            }
        });

        it("builds byte-identical files", async () => {
            const directory = fs.mkdtempSync(path.join(os.tmpdir(), "models-"));
            const digest = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");
            await buildModelFile("tiny", path.join(directory, "tiny.gguf"), vocab);
            assert.equal(digest(path.join(directory, "tiny.gguf")), digest(await ensureModel("tiny")));
            fs.rmSync(directory, { recursive: true });
        });

        for (const name of ["tiny", "medium"] as const) {
            it(`loads and generates with the ${name} random model`, async () => {
                const { model, context } = await load(await ensureModel(name));
                assert.equal(model.trainContextSize, 4096);
                const tokens = await generate(context, vocab.encode("function add(a, b) {"), 8);
                assert.ok(tokens.length > 0 && tokens.every((t) => t >= 0 && t < vocab.pieces.length));
            });
        }

        // LlamaCompletion tokenizes its input without SentencePiece's dummy-prefix space and decodes its
        // response without context, so a response that starts with a word loses its space.
        it("pins LlamaCompletion's tokenization and decoding quirks", async () => {
            const { LlamaCompletion } = await import("node-llama-cpp");
            const fixture = await copyFixture("copy");
            const { model, context } = await load(fixture.path);
            const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
            loaded.push(completion);
            const prefix = "The quick brown fox";
            const prompt = [BOS_ID, ...model.tokenize(prefix, false, "trimLeadingSpace")];
            assert.notDeepEqual(prompt.slice(1), vocab.encode(prefix, { bos: false }));
            const expected = expectedCompletion(vocab, fixture.table, prompt, 6);
            const response = await completion.generateCompletion(prefix, { temperature: 0, maxTokens: 6 });
            assert.equal(" " + response, expected.text);
            assert.equal(expected.text, " jumps over a lazy dog");
        });

        for (const name of ["copy", "copy-code"] as const satisfies readonly CopyModelName[]) {
            describe(`${name} model`, () => {
                let fixture: CopyFixture;
                let context: LlamaContext;
                let model: LlamaModel;

                before(async () => {
                    fixture = await copyFixture(name);
                    ({ model, context } = await load(fixture.path));
                });

                it("has cut points spread over the text", () => {
                    assert.ok(fixture.cutPoints.length >= fixture.table.textTokens.length / 2, `${fixture.cutPoints.length} cut points`);
                    assert.deepEqual(fixture.cutPoints, findCutPoints(vocab, fixture.text, fixture.table));
                });

                it("continues the text greedily, exactly as predicted, at every cut point", async () => {
                    for (const cut of fixture.cutPoints) {
                        const prefix = fixture.text.slice(0, cut.offset);
                        const prompt = [BOS_ID, ...model.tokenize(prefix)];
                        const expected = expectedCompletion(vocab, fixture.table, prompt, 8);
                        const tokens = await generate(context, prompt, 8);
                        assert.deepEqual(tokens, expected.tokens, `after ${JSON.stringify(prefix.slice(-40))}`);
                        assert.equal(model.detokenize(tokens as Token[], false, prompt as Token[]), expected.text);
                        assert.ok(fixture.text.slice(cut.offset).startsWith(expected.text));
                    }
                });

                it("reproduces the whole rest of the text from its first line break", async () => {
                    const cut = fixture.cutPoints.find((c) => fixture.text[c.offset - 1] === "\n")!;
                    const prompt = [BOS_ID, ...model.tokenize(fixture.text.slice(0, cut.offset))];
                    const tokens = await generate(context, prompt, 400);
                    assert.equal(model.detokenize(tokens as Token[], false, prompt as Token[]), fixture.text.slice(cut.offset));
                });

                it("stops with EOS after the end of the text", async () => {
                    const prompt = vocab.encode(fixture.text);
                    assert.deepEqual(greedyContinuation(fixture.table, prompt, 4), []);
                    assert.deepEqual(await generate(context, prompt, 4), []);
                });

                it("restarts the text after a token it never saw", async () => {
                    const prompt = vocab.encode("zebra xylophone 🦓");
                    const expected = expectedCompletion(vocab, fixture.table, prompt, 6);
                    assert.deepEqual(await generate(context, prompt, 6), expected.tokens);
                    assert.ok(fixture.text.startsWith(expected.text.trimStart()));
                });
            });
        }
    });
});
