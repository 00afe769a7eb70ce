import assert from "node:assert/strict";
import { chmod, mkdtemp, open, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { ggmlType, llamaFileTypeName, tensorByteSize } from "../../../src/model/ggmlTypes";
import { inspectGguf, ModelFileError, type GgufSummary } from "../../../src/model/ggufFile";
import { buildGguf, buildGgufHeader, validModelSpec, ValueType, writeCorruptModels, type CorruptModelCase, type GgufKv, type GgufSpec } from "../../fixtures/corrupt-models";

async function failure(path: string, options?: Parameters<typeof inspectGguf>[1]): Promise<ModelFileError> {
    try {
        await inspectGguf(path, options);
    } catch (error) {
        if (error instanceof ModelFileError) return error;
        throw error;
    }
    assert.fail(`expected ${path} to be rejected`);
}

function withKvs(spec: GgufSpec, edit: (kvs: GgufKv[]) => GgufKv[]): GgufSpec {
    return { ...spec, kvs: edit([...spec.kvs]) };
}

function setValue(key: string, value: unknown) {
    return (kvs: GgufKv[]) => kvs.map((kv) => (kv.key === key ? { ...kv, value } : kv));
}

describe("inspectGguf", () => {
    let folder: string;
    let validPath: string;
    let cases: CorruptModelCase[];

    before(async () => {
        folder = await mkdtemp(join(tmpdir(), "gguf-file-"));
        await chmod(folder, 0o755); // so the no-permission check can run as another user
        ({ validPath, cases } = await writeCorruptModels(folder));
    });

    after(async () => {
        await rm(folder, { recursive: true, force: true });
    });

    const write = async (name: string, bytes: Buffer) => {
        const path = join(folder, name);
        await writeFile(path, bytes);
        return path;
    };

    it("summarizes a valid model", async () => {
        const built = buildGguf(validModelSpec());
        const expected: GgufSummary = {
            path: validPath,
            fileSize: built.dataOffset + 4096,
            version: 3,
            architecture: "llama",
            name: "tiny-solar-fixture",
            fileType: "Q4_K_M",
            contextLength: 4096,
            blockCount: 1,
            embeddingLength: 256,
            headCount: 4,
            headCountKv: 2,
            vocabSize: 8,
            tensorCount: 5,
            dataOffset: built.dataOffset,
            dataSize: 4096, // 1152 + 1024 + 1680 (+16 padding) + 136 (+24 padding) + 64, worked out by hand
        };
        assert.deepEqual(await inspectGguf(validPath), expected);
    });

    it("writes at least 12 distinct bad cases", () => {
        assert.ok(cases.length >= 12, `only ${cases.length} cases`);
        assert.equal(new Set(cases.map((c) => c.name)).size, cases.length);
    });

    it("rejects every bad case with its code and a message naming the path", async () => {
        const mismatches: string[] = [];
        for (const c of cases.filter((c) => !c.skipReason)) {
            const error = await failure(c.path);
            if (error.code !== c.expectedCode) mismatches.push(`${c.name}: ${error.code} (${error.message})`);
            if (!error.message.includes(c.path) || error.path !== c.path) mismatches.push(`${c.name}: path missing from "${error.message}"`);
            if (error.message.includes("\n")) mismatches.push(`${c.name}: message spans lines`);
        }
        assert.deepEqual(mismatches, []);
    });

    it("reports NO_PERMISSION for a file the user can't read", async () => {
        const c = cases.find((c) => c.name === "no-permission");
        assert.ok(c);
        // Root reads any file whatever its mode: then the fixture says so, and cli.test.ts checks this
        // case for real by running the bundled validator as the unprivileged user "nobody".
        if (process.getuid?.() === 0) return assert.ok(c.skipReason);
        assert.equal((await failure(c.path)).code, "NO_PERMISSION");
    });

    it("words the common failures clearly", async () => {
        const message = async (name: string) => (await failure(cases.find((c) => c.name === name)?.path ?? name)).message;
        const missing = join(folder, "does-not-exist.gguf");
        assert.equal(await message("not-found"), `Model file not found: ${missing}. Check the path in the solarComplete.modelPath setting.`);
        assert.match(await message("wrong-magic"), /^Not a GGUF model file \(bad magic "PK\\x03\\x04"; it is a ZIP archive/);
        assert.match(await message("git-lfs-pointer"), /Git LFS pointer/);
        assert.match(await message("html-error-page"), /web page/);
        assert.match(await message("gpt2-architecture"), /^Unsupported model architecture "gpt2" in .*: Solar Complete runs Llama-architecture models \(Solar 10\.7B\)\.$/);
        assert.match(await message("version-1"), /GGUF v1/);
        assert.match(await message("truncated-header"), /^Model file is truncated: it stops after .*, inside the GGUF header \(.*tokenizer\.ggml\.tokens.*download it again\.$/);
        assert.match(await message("absurd-tensor-count"), /^Model file is corrupt \(the tensor count declares 1099511627776 items, more than/);
        assert.match(await message("truncated-tensor-data"), /^Model file is truncated: \d\.\d KB of \d\.\d KB present \(1000 bytes missing\) in /);
    });

    it("reads GGUF v2, a custom alignment, and a missing head_count_kv", async () => {
        const spec = withKvs({ ...validModelSpec(), version: 2, alignment: 64 }, (kvs) => [
            ...kvs.filter((kv) => kv.key !== "llama.attention.head_count_kv"),
            { key: "general.alignment", type: ValueType.UINT32, value: 64 },
        ]);
        const built = buildGguf(spec);
        const summary = await inspectGguf(await write("v2.gguf", built.bytes));
        assert.deepEqual([summary.version, summary.headCountKv, summary.dataOffset % 64, summary.dataSize], [2, 4, 0, 4160]);
    });

    it("accepts other architectures when asked to", async () => {
        const spec = withKvs(validModelSpec(), (kvs) =>
            setValue("general.architecture", "solar")(kvs).map((kv) => ({ ...kv, key: kv.key.replace(/^llama\./, "solar.") })),
        );
        const path = await write("solar-arch.gguf", buildGguf(spec).bytes);
        assert.equal((await failure(path)).code, "UNSUPPORTED_ARCHITECTURE");
        assert.equal((await inspectGguf(path, { supportedArchitectures: ["llama", "solar"] })).architecture, "solar");
    });

    it("explains future and big-endian versions", async () => {
        const bytes = buildGguf(validModelSpec()).bytes;
        bytes.writeUInt32LE(4, 4);
        assert.match((await failure(await write("v4.gguf", bytes))).message, /GGUF v4 is newer/);
        bytes.writeUInt32BE(3, 4);
        assert.match((await failure(await write("be.gguf", bytes))).message, /big-endian/);
    });

    it("calls every cut of a valid file TRUNCATED (or EMPTY)", async () => {
        const built = buildGguf(validModelSpec());
        const path = join(folder, "cut.gguf");
        const lengths = [...Array(built.dataOffset + 2).keys(), built.bytes.length - 1];
        for (const length of lengths) {
            await writeFile(path, built.bytes.subarray(0, length));
            const error = await failure(path);
            assert.equal(error.code, length === 0 ? "EMPTY" : "TRUNCATED", `cut at ${length}: ${error.message}`);
        }
    });

    it("answers damaged headers with a ModelFileError or a summary, never anything else", async () => {
        const built = buildGguf(validModelSpec());
        const path = join(folder, "damaged.gguf");
        await fc.assert(
            fc.asyncProperty(fc.array(fc.tuple(fc.nat(built.dataOffset - 1), fc.nat(255)), { minLength: 1, maxLength: 4 }), async (edits) => {
                const bytes = Buffer.from(built.bytes);
                for (const [offset, value] of edits) bytes[offset] = value;
                await writeFile(path, bytes);
                await inspectGguf(path).catch((error: unknown) => assert.ok(error instanceof ModelFileError, String(error)));
            }),
            { numRuns: 300 },
        );
    });
});

describe("inspectGguf on a Solar-sized header", () => {
    // Solar 10.7B Q4_K_M's shape: 48 blocks, 32,000 vocabulary strings + scores + types in the header,
    // and 6.85 GB of tensors, held by a sparse file so nothing of that size is written.
    const vocabulary = Array.from({ length: 32000 }, (_, i) => `▁token${i}`);
    const q4k = (name: string, cols: number, rows: number) => ({ name, dims: [cols, rows], type: 12, bytes: ((cols * rows) / 256) * 144 });
    const q6k = (name: string, cols: number, rows: number) => ({ name, dims: [cols, rows], type: 14, bytes: ((cols * rows) / 256) * 210 });
    const f32 = (name: string, cols: number) => ({ name, dims: [cols], type: 0, bytes: cols * 4 });
    const blocks = Array.from({ length: 48 }, (_, i) => [
        q4k(`blk.${i}.attn_q.weight`, 4096, 4096),
        q4k(`blk.${i}.attn_k.weight`, 4096, 1024),
        q6k(`blk.${i}.attn_v.weight`, 4096, 1024),
        q4k(`blk.${i}.attn_output.weight`, 4096, 4096),
        q4k(`blk.${i}.ffn_gate.weight`, 4096, 14336),
        q4k(`blk.${i}.ffn_up.weight`, 4096, 14336),
        q6k(`blk.${i}.ffn_down.weight`, 14336, 4096),
        f32(`blk.${i}.attn_norm.weight`, 4096),
        f32(`blk.${i}.ffn_norm.weight`, 4096),
    ]).flat();
    const spec: GgufSpec = {
        kvs: [
            ["llama.block_count", 48],
            ["llama.embedding_length", 4096],
            ["llama.feed_forward_length", 14336],
            ["llama.attention.head_count", 32],
            ["llama.attention.head_count_kv", 8],
        ].reduce((kvs, [key, value]) => setValue(key as string, value)(kvs), [...validModelSpec(vocabulary).kvs]),
        tensors: [q4k("token_embd.weight", 4096, 32000), ...blocks, f32("output_norm.weight", 4096), q6k("output.weight", 4096, 32000)],
    };
    const EXPECTED_DATA_SIZE = 6_850_207_744; // every size here is a multiple of 32, so no padding
    let folder: string;
    let header: ReturnType<typeof buildGgufHeader>;

    before(async () => {
        folder = await mkdtemp(join(tmpdir(), "gguf-solar-"));
        header = buildGgufHeader(spec);
    });

    after(async () => {
        await rm(folder, { recursive: true, force: true });
    });

    async function writeSparse(name: string, size: number): Promise<string> {
        const path = join(folder, name);
        const handle = await open(path, "w");
        await handle.write(header.header, 0, header.header.length, 0);
        await handle.close();
        await truncate(path, size);
        return path;
    }

    it("parses 32,000 vocabulary strings and 435 tensors quickly, reading only the header", async () => {
        const path = await writeSparse("solar.gguf", header.dataOffset + EXPECTED_DATA_SIZE);
        const started = performance.now();
        const summary = await inspectGguf(path);
        const ms = performance.now() - started;
        console.log(`      header of ${(header.dataOffset / 1e6).toFixed(2)} MB parsed in ${ms.toFixed(0)} ms`);
        assert.equal(summary.vocabSize, 32000);
        assert.equal(summary.tensorCount, 435);
        assert.equal(summary.dataSize, EXPECTED_DATA_SIZE);
        assert.deepEqual([summary.blockCount, summary.headCount, summary.headCountKv], [48, 32, 8]);
        assert.ok(ms < 2000, `took ${ms} ms`);
    });

    it("says how much of a cut download is there", async () => {
        const path = await writeSparse("solar-partial.gguf", 1.2e9);
        const missing = header.dataOffset + EXPECTED_DATA_SIZE - 1.2e9;
        const { code, message } = await failure(path);
        assert.equal(code, "TRUNCATED");
        assert.equal(
            message,
            `Model file is truncated: 1.2 GB of 6.9 GB present (${missing} bytes missing) in ${path}; the download may be incomplete; delete it and download it again.`,
        );
    });
});

describe("ggml type table", () => {
    it("sizes tensors like ggml", () => {
        const size = (type: number, dims: bigint[]) => tensorByteSize(ggmlType(type)!, dims);
        assert.equal(size(12, [4096n, 4096n]), 9_437_184n); // Q4_K: 144 bytes per 256
        assert.equal(size(8, [4096n]), 4352n); // Q8_0: 34 bytes per 32
        assert.equal(size(16, [256n, 2n]), 132n); // IQ2_XXS: 66 per 256
        assert.equal(size(34, [512n]), 108n); // TQ1_0: 54 per 256
        assert.equal(size(30, [10n, 3n]), 60n); // BF16
        assert.equal(size(28, [3n, 2n, 2n, 2n]), 192n); // F64, 4 dims
        assert.match(String(size(2, [33n])), /not a multiple of the Q4_0 block size 32/);
    });

    it("knows every type the brief lists and none that ggml removed", () => {
        const names = "F32 F16 Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q8_1 Q2_K Q3_K Q4_K Q5_K Q6_K Q8_K IQ2_XXS IQ2_XS IQ3_XXS IQ1_S IQ4_NL IQ3_S IQ2_S IQ4_XS I8 I16 I32 I64 F64 IQ1_M BF16 _ _ _ TQ1_0 TQ2_0".split(" ");
        const known = Array.from({ length: 36 }, (_, id) => ggmlType(id)?.name ?? "_");
        assert.deepEqual(known, [...names.slice(0, 4), "_", "_", ...names.slice(4)]);
        assert.equal(ggmlType(99), undefined);
    });

    it("names llama.cpp file types", () => {
        const names = [0, 1, 2, 7, 15, 17, 18, 32, 1024 + 15, 4].map(llamaFileTypeName);
        assert.deepEqual(names, ["F32", "F16", "Q4_0", "Q8_0", "Q4_K_M", "Q5_K_M", "Q6_K", "BF16", "Q4_K_M", "UNKNOWN_4"]);
    });
});
