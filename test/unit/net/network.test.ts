// Every outgoing request through a real proxy and over TLS with a private certificate authority,
// all on 127.0.0.1: a CONNECT proxy (support/connectProxy.ts) in front of HTTPS servers whose
// certificate a CA made for the test signed (support/tlsServer.ts, openssl). Each request path:
// the model download (node:https + https-proxy-agent, redirects followed by hand), the GPU pack
// (undici fetch: registry metadata, then the tarball), and the remote backend's tokenize and
// completion (undici fetch, in front of a real llama-server). A CA that did not sign the server's
// certificate gives one clear error naming solarComplete.caCertificates. The environment is passed
// explicitly (`env`), so the machine's own proxy variables never take part.

import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { fileIntegrity, GpuPackError, installGpuPack, type GpuPack } from "../../../src/gpu/gpuPack";
import { downloadModel, type DownloadOptions } from "../../../src/model/download";
import { DownloadError } from "../../../src/model/downloadErrors";
import { CA_SETTING } from "../../../src/net/networkErrors";
import type { NetworkOptions } from "../../../src/net/networkOptions";
import { RemoteBackend } from "../../../src/remote/remoteBackend";
import type { RemoteError } from "../../../src/remote/remoteErrors";
import { copyFixture, ensureModel } from "../../fixtures/models";
import { llamaServerBinary, startLlamaServer, type LlamaServer } from "../../fixtures/llamaServer";
import { startConnectProxy, type ConnectProxy } from "../support/connectProxy";
import { startModelServer, type ModelServer } from "../support/modelServer";
import { makeCertificates, startTlsFront, type TestCertificates, type TlsFront } from "../support/tlsServer";

const FILE = "/TheBloke/SOLAR-10.7B-v1.0-GGUF/resolve/main/solar-10.7b-v1.0.Q4_K_M.gguf";
const NO_ENV = {};

describe("proxies and private certificate authorities (loopback)", function () {
    this.timeout(60_000);
    let certificates: TestCertificates;
    let proxy: ConnectProxy;
    let temp: string;

    before(() => {
        certificates = makeCertificates();
        temp = fs.mkdtempSync(path.join(os.tmpdir(), "solar-net-"));
    });
    after(() => {
        certificates.remove();
        fs.rmSync(temp, { recursive: true, force: true });
    });
    beforeEach(async () => (proxy = await startConnectProxy()));
    afterEach(async () => proxy.close());

    const hostOf = (url: string) => new URL(url).host;

    describe("model download", () => {
        let server: ModelServer;
        let front: TlsFront;
        let model: string;
        let modelSha: string;
        let dir: string;
        before(async () => {
            model = await ensureModel("tiny");
            modelSha = createHash("sha256").update(fs.readFileSync(model)).digest("hex");
        });
        beforeEach(async () => {
            server = await startModelServer();
            // As Hugging Face serves it: the first hop redirects with the checksum, the body comes without ETag.
            server.serve(FILE, { file: model, linkedSha: true, cdn: true });
            front = await startTlsFront(server.endpoint, certificates);
            dir = fs.mkdtempSync(path.join(temp, "dl-"));
        });
        afterEach(async () => {
            await front.close();
            await server.close();
        });

        const download = (network: NetworkOptions, extra: Partial<DownloadOptions> = {}) =>
            downloadModel({ url: `${front.url}/redirect${FILE}`, destination: path.join(dir, path.basename(FILE)), idleTimeoutMs: 10_000, retries: 0, network, ...extra });
        const failure = async (promise: Promise<unknown>) => {
            const error = await promise.then(() => undefined, (e: unknown) => e);
            assert.ok(error instanceof DownloadError, `expected a DownloadError, got ${String(error)}`);
            return error;
        };

        it("goes through http.proxy (CONNECT) over TLS trusted through solarComplete.caCertificates, following the redirect", async () => {
            const result = await download({ proxy: proxy.url, caFiles: [certificates.caFile], env: NO_ENV });
            assert.equal(result.sha256, modelSha);
            // One tunnel per hop: the first hop (302) and the body.
            assert.deepEqual(proxy.requests, [`CONNECT ${hostOf(front.url)}`, `CONNECT ${hostOf(front.url)}`]);
            assert.deepEqual(front.requests, [`GET /redirect${FILE}`, `GET ${FILE}`]);
        });

        it("takes the proxy from HTTPS_PROXY, and goes direct for a NO_PROXY host", async () => {
            await download({ caFiles: [certificates.caFile], env: { HTTPS_PROXY: proxy.url } });
            assert.equal(proxy.requests.length, 2);
            fs.rmSync(dir, { recursive: true, force: true });
            await download({ caFiles: [certificates.caFile], env: { HTTPS_PROXY: proxy.url, NO_PROXY: "127.0.0.1" } });
            assert.equal(proxy.requests.length, 2, "nothing more through the proxy");
            assert.equal(front.requests.length, 4);
        });

        it("a server whose CA is not trusted fails once, naming the setting, and keeps nothing", async () => {
            for (const caFiles of [[], [certificates.otherCaFile]]) {
                const error = await failure(download({ proxy: proxy.url, caFiles, env: NO_ENV }));
                assert.equal(error.code, "CERTIFICATE");
                assert.match(error.message, new RegExp(`^The certificate of ${hostOf(front.url)} is not signed by an authority this machine trusts \\(\\w+\\)\\. .*add that authority's PEM file to ${CA_SETTING.replace(".", "\\.")}\\. Downloading ${front.url}/redirect`));
            }
            assert.deepEqual(fs.readdirSync(dir), []);
        });

        it("http.proxyStrictSSL false accepts the certificate without the CA, as VS Code does", async () => {
            const result = await download({ proxy: proxy.url, strictSSL: false, env: NO_ENV });
            assert.equal(result.sha256, modelSha);
        });

        it("an unreadable CA file and a proxy that wants credentials each say so", async () => {
            const missing = await failure(download({ proxy: proxy.url, caFiles: [path.join(temp, "missing.pem")], env: NO_ENV }));
            assert.equal(missing.code, "CERTIFICATE");
            assert.match(missing.message, new RegExp(`^${CA_SETTING.replace(".", "\\.")}: cannot read .*missing\\.pem \\(ENOENT\\)`));

            const guarded = await startConnectProxy({ requireAuthorization: "Basic dXNlcjpwYXNz" });
            try {
                const refused = await failure(download({ proxy: guarded.url, caFiles: [certificates.caFile], env: NO_ENV }));
                assert.equal(refused.code, "PROXY");
                assert.match(refused.message, /^HTTP 407 .*http\.proxyAuthorization/);
                // Credentials in the proxy URL, or http.proxyAuthorization, are sent to the proxy.
                await download({ proxy: guarded.url.replace("//", "//user:pass@"), caFiles: [certificates.caFile], env: NO_ENV });
                fs.rmSync(dir, { recursive: true, force: true });
                await download({ proxy: guarded.url, proxyAuthorization: "Basic dXNlcjpwYXNz", caFiles: [certificates.caFile], env: NO_ENV });
                assert.equal(guarded.authorizations.filter((a) => a === "Basic dXNlcjpwYXNz").length, 4);
            } finally {
                await guarded.close();
            }
        });

        it("an http:// mirror goes through the proxy as absolute-URI requests", async () => {
            const result = await downloadModel({ url: `${server.endpoint}/redirect${FILE}`, destination: path.join(dir, "plain.gguf"), retries: 0, network: { proxy: proxy.url, env: NO_ENV } });
            assert.equal(result.sha256, modelSha);
            assert.deepEqual(proxy.requests, [`GET ${server.endpoint}/redirect${FILE}`, `GET ${server.endpoint}${FILE}`]);
        });
    });

    describe("GPU pack (undici fetch)", () => {
        const PACK: GpuPack = { name: "@solar-test/pack", version: "1.0.0" };
        let registry: http.Server;
        let front: TlsFront;
        let tarball: Buffer;
        let integrity: string;

        before(async () => {
            const source = path.join(temp, "pack-src");
            fs.mkdirSync(path.join(source, "package"), { recursive: true });
            fs.writeFileSync(path.join(source, "package", "package.json"), JSON.stringify(PACK));
            const file = path.join(source, "pack.tgz");
            execFileSync("tar", ["--format=ustar", "-czf", file, "-C", source, "package"]);
            tarball = fs.readFileSync(file);
            integrity = await fileIntegrity(file);
            registry = http.createServer((req, res) => {
                if (req.url === `/${PACK.name.replace("/", "%2f")}/${PACK.version}`) {
                    // The tarball on the registry's public https:// address, as registry.npmjs.org lists it.
                    res.setHeader("content-type", "application/json");
                    res.end(JSON.stringify({ name: PACK.name, version: PACK.version, dist: { tarball: `${front.url}/tarballs/pack.tgz`, integrity } }));
                } else if (req.url === "/tarballs/pack.tgz") {
                    res.setHeader("content-length", tarball.length);
                    res.end(tarball);
                } else {
                    res.statusCode = 404;
                    res.end("{}");
                }
            });
            await new Promise<void>((resolve) => registry.listen(0, "127.0.0.1", resolve));
            front = await startTlsFront(`http://127.0.0.1:${(registry.address() as AddressInfo).port}`, certificates);
        });
        after(async () => {
            await front.close();
            await new Promise((resolve) => registry.close(resolve));
        });

        it("fetches the metadata and the tarball through the proxy, trusting the CA file", async () => {
            const storageDir = fs.mkdtempSync(path.join(temp, "gpu-"));
            const dir = await installGpuPack({ pack: PACK, storageDir, registry: front.url, network: { proxy: proxy.url, caFiles: [certificates.caFile], env: NO_ENV } });
            assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")), PACK);
            assert.deepEqual(proxy.requests, [`CONNECT ${hostOf(front.url)}`], "one tunnel, kept alive for both requests");
            assert.deepEqual(front.requests, [`GET /${PACK.name.replace("/", "%2f")}/${PACK.version}`, "GET /tarballs/pack.tgz"]);
        });

        it("a registry whose CA is not trusted fails once, naming the setting", async () => {
            const storageDir = fs.mkdtempSync(path.join(temp, "gpu-"));
            await assert.rejects(installGpuPack({ pack: PACK, storageDir, registry: front.url, network: { proxy: proxy.url, caFiles: [certificates.otherCaFile], env: NO_ENV } }), (error: unknown) => {
                assert.ok(error instanceof GpuPackError, String(error));
                assert.equal(error.code, "CERTIFICATE");
                assert.match(error.message, new RegExp(`not signed by an authority this machine trusts.*${CA_SETTING.replace(".", "\\.")}`));
                return true;
            });
        });
    });

    describe("remote backend: tokenize and completion (undici fetch, real llama-server)", () => {
        let llama: LlamaServer;
        let front: TlsFront;
        const backends: RemoteBackend[] = [];

        before(async function () {
            this.timeout(60 * 60_000); // cold, llama-server is built first (.ci/run builds it before the tests)
            llamaServerBinary();
            llama = await startLlamaServer({ model: (await copyFixture("copy-code")).path });
            front = await startTlsFront(llama.url, certificates);
        });
        after(async () => {
            await front?.close();
            await llama?.stop();
        });
        afterEach(async () => {
            for (const backend of backends.splice(0)) await backend.stop();
        });
        const remote = (network: NetworkOptions) => {
            const backend = new RemoteBackend({ endpoint: front.url, network, retryDelaysMs: [60_000] });
            backends.push(backend);
            return backend;
        };

        it("counts and completes through the proxy over TLS trusted through the CA file", async () => {
            const backend = remote({ proxy: proxy.url, caFiles: [certificates.caFile], env: NO_ENV });
            await backend.connect();
            const text = "function add(a, b) {\n    return";
            assert.ok((await backend.countTokens(text)) > 5);
            const result = await backend.complete({ prompt: { kind: "document", text, cursor: text.length }, maxTokens: 8, temperature: 0 });
            assert.ok(result.stats.generatedTokens > 0, JSON.stringify(result.stats));
            assert.ok(proxy.requests.length >= 1 && proxy.requests.every((r) => r === `CONNECT ${hostOf(front.url)}`), proxy.requests.join(", "));
            assert.ok(front.requests.includes("POST /tokenize"), front.requests.join(", "));
            assert.ok(front.requests.includes("POST /v1/completions"), front.requests.join(", "));
        });

        it("goes direct for a NO_PROXY host", async () => {
            const backend = remote({ caFiles: [certificates.caFile], env: { HTTPS_PROXY: proxy.url, NO_PROXY: "127.0.0.1" } });
            await backend.connect();
            assert.deepEqual(proxy.requests, []);
        });

        it("a server whose CA is not trusted: one clear error naming the setting, not retried by itself", async () => {
            const backend = remote({ proxy: proxy.url, caFiles: [certificates.otherCaFile], env: NO_ENV });
            const error = (await backend.connect().then(() => undefined, (e: unknown) => e)) as RemoteError;
            assert.equal(error.code, "REMOTE_UNREACHABLE");
            assert.equal(error.retryable, false, "retrying cannot help: the user must add the CA");
            assert.match(error.message, new RegExp(`^The certificate of ${hostOf(front.url)} is not signed by an authority this machine trusts .*${CA_SETTING.replace(".", "\\.")}\\.$`));
            const state = backend.state;
            assert.ok(state.kind === "unavailable" && state.retryInMs === undefined);
        });
    });
});
