// The downloader against a real HTTP server on 127.0.0.1 serving a generated GGUF model: full
// download, resume after drops, a server that ignores Range, verification failures, HTTP errors,
// cancel, a full disk, and two concurrent pulls of one file. Nothing here is mocked but the free space.

import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { downloadModel, partialPath, type DownloadOptions } from "../../../src/model/download";
import { DownloadError } from "../../../src/model/downloadErrors";
import { firstHopValidator } from "../../../src/model/downloadHttp";
import { inspectGguf } from "../../../src/model/ggufFile";
import { ensureModel } from "../../fixtures/models";
import { startModelServer, type ModelServer } from "../support/modelServer";

const FILE = "/TheBloke/SOLAR-10.7B-v1.0-GGUF/resolve/main/solar-10.7b-v1.0.Q4_K_M.gguf";

describe("model download (loopback HTTP server)", function () {
    this.timeout(60_000);
    let server: ModelServer;
    let model: string;
    let modelSha: string;
    let modelSize: number;
    let dir: string;
    let destination: string;

    before(async () => {
        model = await ensureModel("tiny");
        const bytes = fs.readFileSync(model);
        modelSha = createHash("sha256").update(bytes).digest("hex");
        modelSize = bytes.length;
    });

    beforeEach(async () => {
        server = await startModelServer();
        server.serve(FILE, { file: model });
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "solar-dl-"));
        destination = path.join(dir, path.basename(FILE));
    });

    afterEach(async () => {
        await server.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const options = (extra: Partial<DownloadOptions> = {}): DownloadOptions => ({ url: server.endpoint + FILE, destination, idleTimeoutMs: 5_000, ...extra });
    const sha = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");
    const leftovers = () => fs.readdirSync(dir).sort();
    async function failure(promise: Promise<unknown>): Promise<DownloadError> {
        const error = await promise.then(() => undefined, (e: unknown) => e);
        assert.ok(error instanceof DownloadError, `expected a DownloadError, got ${String(error)}`);
        return error;
    }

    it("downloads, verifies the published sha256 and renames into place", async () => {
        server.serve(FILE, { file: model, linkedSha: true });
        const progress: number[] = [];
        const result = await downloadModel(options({ onProgress: (p) => progress.push(p.received) }));
        assert.equal(result.sha256, modelSha);
        assert.equal(result.size, modelSize);
        assert.equal(result.reused, false);
        assert.equal(sha(destination), modelSha);
        assert.deepEqual(leftovers(), [path.basename(FILE)]);
        assert.equal(progress[progress.length - 1], modelSize);

        // Again: the file is there, nothing is transferred.
        const again = await downloadModel(options());
        assert.equal(again.reused, true);
        assert.equal(server.requests.length, 1);
    });

    it("follows a redirect that carries the checksum (X-Linked-Etag), as Hugging Face does", async () => {
        server.serve(FILE, { file: model, linkedSha: true });
        const result = await downloadModel(options({ url: `${server.endpoint}/redirect${FILE}` }));
        assert.equal(result.sha256, modelSha);
        assert.deepEqual(server.requests.map((r) => r.status), [302, 200]);
    });

    it("resumes after the connection drops at 5 different offsets, one run per drop, ending with the exact sha256", async () => {
        const offsets = [1, 4096, Math.floor(modelSize / 3), Math.floor(modelSize / 2) + 7, modelSize - 1];
        server.faults.dropAt.push(...offsets);
        // Also the bytes that arrived while the response was paused for the disk (Node drops them with
        // the connection unless the downloader reads them out first) end up in the partial.
        for (const offset of offsets) {
            const error = await failure(downloadModel(options({ retries: 0, sha256: modelSha })));
            assert.equal(error.code, "INTERRUPTED", error.message);
            assert.equal(fs.statSync(partialPath(destination)).size, offset, "the partial holds every byte received");
            assert.match(error.message, new RegExp(`after ${offset} bytes`), "the message counts the bytes kept");
            assert.ok(!fs.existsSync(destination), "nothing where the model is expected");
        }
        const last = offsets[offsets.length - 1];
        const result = await downloadModel(options({ retries: 0, sha256: modelSha }));
        assert.equal(result.resumedFrom, last);
        assert.equal(result.transferred, modelSize - last);
        assert.equal(sha(destination), modelSha);
        assert.deepEqual(server.requests.slice(1).map((r) => r.range), offsets.map((o) => `bytes=${o}-`));
        assert.equal(server.bodyBytes(), modelSize, "every byte crossed the network once");
        assert.deepEqual(leftovers(), [path.basename(FILE)]);
    });

    it("resumes by itself within one run (retries) and reports the resume", async () => {
        server.faults.dropAt.push(100_000, 2_000_000);
        const result = await downloadModel(options({ sha256: modelSha }));
        assert.equal(result.resumedFrom, 0);
        assert.equal(server.bodyBytes(), modelSize);
        assert.equal(sha(destination), modelSha);
        assert.equal(server.requests.length, 3);
    });

    it("restarts cleanly from 0 when the server ignores Range", async () => {
        server.faults.dropAt.push(500_000);
        await failure(downloadModel(options({ retries: 0 })));
        server.faults.ignoreRange = true;
        const result = await downloadModel(options({ retries: 0, sha256: modelSha }));
        assert.equal(result.restarted, true);
        assert.equal(server.requests[1].range, "bytes=500000-");
        assert.equal(sha(destination), modelSha);
        assert.deepEqual(leftovers(), [path.basename(FILE)]);
    });

    it("a wrong sha256 or size removes the partial and says so", async () => {
        const wrongSha = "0".repeat(64);
        const shaError = await failure(downloadModel(options({ sha256: wrongSha })));
        assert.equal(shaError.code, "SHA256_MISMATCH");
        assert.match(shaError.message, new RegExp(`sha256 mismatch: got ${modelSha}, expected ${wrongSha}`));
        assert.deepEqual(leftovers(), []);

        const sizeError = await failure(downloadModel(options({ expectedSize: modelSize + 1 })));
        assert.equal(sizeError.code, "SIZE_MISMATCH");
        assert.match(sizeError.message, new RegExp(`the server has ${modelSize} bytes, expected ${modelSize + 1}`));
        assert.deepEqual(leftovers(), []);
    });

    it("a file that is not GGUF never lands", async () => {
        const html = path.join(dir, "..", `page-${process.pid}.html`);
        fs.writeFileSync(html, "<!DOCTYPE html><html>login</html>");
        try {
            server.serve(FILE, { file: html });
            const error = await failure(downloadModel(options()));
            assert.equal(error.code, "NOT_GGUF");
            assert.deepEqual(leftovers(), []);
        } finally {
            fs.rmSync(html, { force: true });
        }
    });

    it("404 and 401 fail with one clear line, leave nothing broken, and keep a partial resumable", async () => {
        server.faults.dropAt.push(300_000);
        await failure(downloadModel(options({ retries: 0 })));

        server.faults.status = 404;
        const notFound = await failure(downloadModel(options()));
        assert.equal(notFound.code, "HTTP_404");
        assert.match(notFound.message, new RegExp(`^HTTP 404 Not Found: ${server.endpoint}${FILE}`));
        server.faults.status = 401;
        const unauthorized = await failure(downloadModel(options()));
        assert.equal(unauthorized.code, "HTTP_401");
        assert.match(unauthorized.message, /^HTTP 401 Unauthorized: .*token/);
        assert.deepEqual(leftovers(), [`${path.basename(FILE)}.partial`, `${path.basename(FILE)}.partial.json`]);
        assert.equal(fs.statSync(partialPath(destination)).size, 300_000);

        server.faults.status = undefined;
        const result = await downloadModel(options({ sha256: modelSha }));
        assert.equal(result.resumedFrom, 300_000);
        assert.equal(sha(destination), modelSha);
    });

    it("sends a token to a gated repository", async () => {
        server.serve(FILE, { file: model, token: "secret" });
        const error = await failure(downloadModel(options()));
        assert.equal(error.code, "HTTP_401");
        await downloadModel(options({ headers: { authorization: "Bearer secret" } }));
        assert.equal(sha(destination), modelSha);
    });

    it("cancel during a slow download leaves a resumable partial and no model", async () => {
        server.faults.trickle = 200_000;
        const abort = new AbortController();
        const pending = downloadModel(options({ signal: abort.signal, onProgress: (p) => p.received > 150_000 && abort.abort() }));
        const error = await failure(pending);
        assert.equal(error.code, "CANCELLED");
        const kept = fs.statSync(partialPath(destination)).size;
        assert.ok(kept > 150_000 && kept < modelSize, String(kept));
        assert.ok(!fs.existsSync(destination));
        assert.ok(!fs.existsSync(`${destination}.lock`), "the lock is released");

        server.faults.trickle = undefined;
        const result = await downloadModel(options({ sha256: modelSha }));
        assert.equal(result.resumedFrom, kept);
        assert.equal(sha(destination), modelSha);
    });

    it("a server that stops sending times out, resumably", async () => {
        server.faults.stall = true;
        const error = await failure(downloadModel(options({ idleTimeoutMs: 300, retries: 0 })));
        assert.equal(error.code, "TIMEOUT");
        assert.ok(!fs.existsSync(destination));
    });

    it("checks free disk space before writing", async () => {
        const error = await failure(downloadModel(options({ freeSpace: () => modelSize })));
        assert.equal(error.code, "DISK_FULL");
        assert.match(error.message, /Not enough disk space/);
        assert.ok(!fs.existsSync(destination));
    });

    it("DNS failures and refused connections say so", async () => {
        const dns = await failure(downloadModel(options({ url: "http://solar-model-host.invalid/x.gguf" })));
        assert.equal(dns.code, "DNS");
        const port = new URL(server.endpoint).port;
        await server.close();
        const refused = await failure(downloadModel(options({ url: `http://127.0.0.1:${port}${FILE}` })));
        assert.equal(refused.code, "CONNECTION");
        server = await startModelServer(); // for afterEach
    });

    it("two concurrent pulls of the same file make one download", async () => {
        server.faults.trickle = 4_000_000;
        const waits: number[] = [];
        // Either may take the lock first (two opens race in the thread pool): both report waiting.
        const onProgress: DownloadOptions["onProgress"] = (p) => p.phase === "waiting" && waits.push(p.received);
        const [a, b] = await Promise.all([downloadModel(options({ lockStaleMs: 2_000, onProgress })), downloadModel(options({ lockStaleMs: 2_000, onProgress }))]);
        assert.equal(server.requests.length, 1, JSON.stringify(server.requests));
        assert.equal(server.bodyBytes(), modelSize);
        assert.deepEqual([a.reused, b.reused].sort(), [false, true]);
        assert.equal(a.waited || b.waited, true);
        assert.equal(sha(destination), modelSha);
        assert.ok(waits.length > 0);
    });

    describe("resume validator: the first hop's X-Linked-Etag or ETag, as Hugging Face serves large files", () => {
        const REDIRECTED = `/redirect${FILE}`;
        /** The same model with one byte changed in its tensor data, early in the file: the same size, another sha256. */
        let changed: string;
        let changedSha: string;
        /** Where the first run's connection drops: past the changed byte, so a splice would keep the old one. */
        let dropAt: number;

        before(async () => {
            const { dataOffset } = await inspectGguf(model);
            const flipAt = dataOffset + 4096;
            dropAt = flipAt + 500_000;
            assert.ok(dropAt < modelSize);
            const bytes = fs.readFileSync(model);
            bytes[flipAt] ^= 0xff;
            changed = path.join(os.tmpdir(), `solar-changed-${process.pid}.gguf`);
            fs.writeFileSync(changed, bytes);
            changedSha = createHash("sha256").update(bytes).digest("hex");
        });
        after(() => fs.rmSync(changed, { force: true }));

        const metaOf = () => JSON.parse(fs.readFileSync(`${destination}.partial.json`, "utf8")) as { validator?: string; etag?: string };

        it("takes X-Linked-Etag, else ETag, from the first hop", () => {
            assert.equal(firstHopValidator({ headers: { "x-linked-etag": `"${modelSha}"`, etag: '"abc"' } }), `"${modelSha}"`);
            assert.equal(firstHopValidator({ headers: { etag: 'W/"abc"' } }), 'W/"abc"');
            assert.equal(firstHopValidator({ headers: {} }), undefined);
        });

        it("resumes through the redirect when the first hop's X-Linked-Etag is unchanged, though the CDN's body has no ETag", async () => {
            server.serve(FILE, { file: model, linkedSha: true, cdn: true });
            server.faults.dropAt.push(300_000);
            await failure(downloadModel(options({ url: server.endpoint + REDIRECTED, retries: 0 })));
            assert.equal(metaOf().validator, `"${modelSha}"`, "the first hop's validator is kept with the partial");
            assert.equal(metaOf().etag, undefined, "the body had none");

            const result = await downloadModel(options({ url: server.endpoint + REDIRECTED, retries: 0 }));
            assert.equal(result.resumedFrom, 300_000);
            assert.equal(result.restarted, false);
            assert.equal(sha(destination), modelSha);
            const bodies = server.requests.filter((r) => r.status !== 302);
            assert.deepEqual(bodies.map((r) => [r.range, r.ifRange]), [[undefined, undefined], ["bytes=300000-", undefined]]);
            assert.equal(server.bodyBytes(), modelSize, "every byte crossed the network once");
        });

        it("restarts from zero, never splicing two versions, when the file changed between two runs", async () => {
            server.serve(FILE, { file: model, linkedSha: true, cdn: true });
            server.faults.dropAt.push(dropAt);
            await failure(downloadModel(options({ url: server.endpoint + REDIRECTED, retries: 0 })));
            assert.equal(fs.statSync(partialPath(destination)).size, dropAt);

            server.serve(FILE, { file: changed, linkedSha: true, cdn: true });
            const logged: string[] = [];
            const result = await downloadModel(options({ url: server.endpoint + REDIRECTED, retries: 0, log: (line) => logged.push(line) }));
            assert.equal(result.restarted, true);
            assert.equal(result.transferred, modelSize, "the whole new file, from byte 0");
            assert.equal(result.sha256, changedSha);
            assert.equal(sha(destination), changedSha, "the new version, not the old one's first bytes with the new one's rest");
            // The second run's first hop carried the Range; once its X-Linked-Etag differed, the CDN was asked from byte 0.
            const second = server.requests.slice(2);
            assert.deepEqual(second.map((r) => [r.status, r.range]), [[302, `bytes=${dropAt}-`], [200, undefined]]);
            assert.ok(logged.some((line) => /changed at the source/.test(line)), logged.join("\n"));
            assert.deepEqual(leftovers(), [path.basename(FILE)]);
        });

        it("restarts from zero when a first hop that sends the body itself has another validator", async () => {
            server.serve(FILE, { file: model, linkedSha: true });
            server.faults.dropAt.push(dropAt);
            await failure(downloadModel(options({ retries: 0 })));
            server.serve(FILE, { file: changed, linkedSha: true });
            const result = await downloadModel(options({ retries: 0 }));
            assert.equal(result.restarted, true);
            assert.equal(sha(destination), changedSha);
            // The resume's 206 is dropped unread once its validator differs; the file then comes from byte 0.
            assert.deepEqual(server.requests.slice(1).map((r) => [r.status, r.range]), [[206, `bytes=${dropAt}-`], [200, undefined]]);
        });
    });

    it("a lock left by a dead process is taken over", async () => {
        fs.writeFileSync(`${destination}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, hostname: os.hostname(), since: 0 }));
        await downloadModel(options());
        assert.equal(sha(destination), modelSha);
    });
});
