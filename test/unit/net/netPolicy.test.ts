// The network policy as pure functions: which proxy a URL goes through (VS Code's http.proxy over the
// environment, NO_PROXY and http.noProxy in curl's and Go's reading), which certificate authorities
// are trusted (the built-in ones plus solarComplete.caCertificates' PEM files, each checked), the one
// line a certificate or proxy failure becomes, and reading VS Code's http.* settings.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as tls from "node:tls";
import { readNetwork, readSettings } from "../../../src/config";
import { CA_SETTING, describeCertificateError, describeProxyError, NetworkSetupError } from "../../../src/net/networkErrors";
import { tlsPolicy } from "../../../src/net/networkOptions";
import { bypassesProxy, parseProxyUrl, proxyFor, redact, splitNoProxy } from "../../../src/net/proxyPolicy";
import { makeCertificates, type TestCertificates } from "../support/tlsServer";

const href = (url: URL | undefined) => url?.href;

describe("network policy", () => {
    describe("which proxy", () => {
        it("takes VS Code's http.proxy over the environment", () => {
            const env = { HTTPS_PROXY: "http://env-proxy:3128" };
            assert.equal(href(proxyFor("https://huggingface.co/x", { proxy: "http://vscode-proxy:8080", env })), "http://vscode-proxy:8080/");
            assert.equal(href(proxyFor("https://huggingface.co/x", { proxy: "  ", env })), "http://env-proxy:3128/");
        });

        it("reads HTTPS_PROXY for https:// (falling back to HTTP_PROXY), HTTP_PROXY for http://, lowercase first", () => {
            assert.equal(href(proxyFor("https://a.example/", { env: { HTTP_PROXY: "http://p1:1" } })), "http://p1:1/");
            assert.equal(href(proxyFor("https://a.example/", { env: { https_proxy: "http://lower:1", HTTPS_PROXY: "http://upper:1" } })), "http://lower:1/");
            assert.equal(proxyFor("http://a.example/", { env: { HTTPS_PROXY: "http://p2:2" } }), undefined, "HTTPS_PROXY is for https:// only");
            assert.equal(href(proxyFor("http://a.example/", { env: { http_proxy: "p3:3" } })), "http://p3:3/", "a bare host:port is an http:// proxy");
            assert.equal(proxyFor("https://a.example/", { env: {} }), undefined);
        });

        it("refuses a proxy it can't speak to, saying where it was set, and keeps passwords out of messages", () => {
            assert.throws(() => proxyFor("https://a.example/", { env: { HTTPS_PROXY: "socks5://user:secret@p:1080" } }), (error: unknown) => {
                assert.ok(error instanceof NetworkSetupError);
                assert.equal(error.code, "PROXY");
                assert.match(error.message, /^HTTPS_PROXY names a socks5 proxy/);
                assert.doesNotMatch(error.message, /secret/);
                return true;
            });
            assert.throws(() => parseProxyUrl("http://user:secret@[bad", "http.proxy"), /^NetworkSetupError: http\.proxy is not a proxy URL: http:\/\/\*\*\*@\[bad$/);
            assert.equal(redact(new URL("http://me:secret@proxy:3128")), "http://me:***@proxy:3128/");
        });

        it("sends the hosts NO_PROXY or http.noProxy name directly", () => {
            const env = { HTTPS_PROXY: "http://p:1", NO_PROXY: "internal.example, .corp.example  10.0.0.0/8,gpu-box:8080" };
            const direct = (url: string, noProxy: string[] = []) => proxyFor(url, { env, noProxy }) === undefined;
            assert.ok(direct("https://internal.example/"));
            assert.ok(direct("https://models.internal.example/"), "a name covers its subdomains");
            assert.ok(!direct("https://notinternal.example/"), "but not names that merely end the same");
            assert.ok(direct("https://a.corp.example/"));
            assert.ok(!direct("https://corp.example/"), "a leading dot: subdomains only");
            assert.ok(direct("https://10.1.2.3/"), "CIDR");
            assert.ok(!direct("https://11.1.2.3/"));
            assert.ok(direct("https://gpu-box:8080/"));
            assert.ok(!direct("https://gpu-box:8443/"), "host:port: that port only");
            assert.ok(direct("https://huggingface.co/", ["huggingface.co"]), "VS Code's http.noProxy");
            assert.ok(!direct("https://huggingface.co/"));
        });

        it("matches NO_PROXY as curl does: *, IP addresses, IPv6, default ports, a trailing dot", () => {
            const matches = (url: string, list: string) => bypassesProxy(new URL(url), splitNoProxy(list));
            assert.ok(matches("https://anything.example/", "*"));
            assert.ok(matches("http://127.0.0.1:9/", "127.0.0.1"));
            assert.ok(!matches("http://127.0.0.2/", "127.0.0.1"));
            assert.ok(matches("http://[::1]:8080/", "::1"));
            assert.ok(matches("http://[fd00::5]/", "fd00::/8"));
            assert.ok(matches("http://[::1]:8080/", "[::1]:8080"));
            assert.ok(matches("https://a.example/", "a.example:443"), "the scheme's default port");
            assert.ok(matches("https://a.example./", "A.EXAMPLE"), "case and a trailing dot do not matter");
            assert.ok(matches("https://x.a.example/", "*.a.example"));
            assert.ok(!matches("https://a.example/", ""));
        });
    });

    describe("which certificate authorities", () => {
        let certificates: TestCertificates;
        before(() => (certificates = makeCertificates()));
        after(() => certificates.remove());

        it("trusts Node's defaults alone when no CA file is set, and checks certificates unless http.proxyStrictSSL is false", () => {
            assert.deepEqual(tlsPolicy({}), { rejectUnauthorized: true });
            assert.deepEqual(tlsPolicy({ strictSSL: false, caFiles: [" "] }), { rejectUnauthorized: false });
        });

        it("adds the PEM files' certificates to the built-in authorities (a `ca` option alone would replace them)", () => {
            const policy = tlsPolicy({ caFiles: [certificates.caFile, certificates.otherCaFile] });
            const ca = policy.ca ?? [];
            assert.ok(tls.rootCertificates.every((root) => ca.includes(root)), "the built-in roots stay");
            const pem = (file: string) => fs.readFileSync(file, "utf8").trim();
            assert.deepEqual(ca.slice(-2).map((c) => c.trim()), [pem(certificates.caFile), pem(certificates.otherCaFile)]);
            // NODE_EXTRA_CA_CERTS (set on this machine to the system bundle) stays trusted as well.
            const extra = process.env.NODE_EXTRA_CA_CERTS;
            const extraCount = extra && fs.existsSync(extra) ? (fs.readFileSync(extra, "utf8").match(/-----BEGIN CERTIFICATE-----/g) ?? []).length : 0;
            assert.ok(ca.length >= tls.rootCertificates.length + extraCount + 2, String(ca.length));
        });

        it("refuses a file it can't use with one line naming the setting", () => {
            const refused = (files: string[], read?: (file: string) => string) => {
                try {
                    tlsPolicy({ caFiles: files }, read);
                } catch (error) {
                    assert.ok(error instanceof NetworkSetupError);
                    assert.equal(error.code, "CA");
                    assert.ok(error.message.startsWith(`${CA_SETTING}: `), error.message);
                    return error.message;
                }
                assert.fail("accepted");
            };
            assert.match(refused(["/no/such/ca.pem"]), /cannot read \/no\/such\/ca\.pem \(ENOENT\)/);
            assert.match(refused(["key.pem"], () => "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), /key\.pem holds no PEM certificate/);
            assert.match(refused(["broken.pem"], () => "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n"), /broken\.pem holds a certificate that does not parse/);
        });
    });

    describe("failures in one line", () => {
        it("names the setting for a certificate no trusted authority signed, wherever undici or Node put the code", () => {
            const nested = new TypeError("fetch failed", { cause: Object.assign(new Error("unable to verify the first certificate"), { code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" }) });
            const message = describeCertificateError(nested, "https://llm.corp.example:8443/v1");
            assert.equal(message, `The certificate of llm.corp.example:8443 is not signed by an authority this machine trusts (UNABLE_TO_VERIFY_LEAF_SIGNATURE). If it comes from your organisation's own certificate authority, add that authority's PEM file to ${CA_SETTING}.`);
            assert.match(describeCertificateError(Object.assign(new Error("x"), { code: "CERT_HAS_EXPIRED" }), "https://a.example") ?? "", /has expired/);
            assert.equal(describeCertificateError(Object.assign(new Error("x"), { code: "ECONNREFUSED" }), "https://a.example"), undefined);
        });

        it("says what a proxy did: wants credentials (407), refused, or is not there", () => {
            const proxy = new URL("http://proxy.corp:3128");
            const tunnel = new TypeError("fetch failed", { cause: new Error("Proxy response (407) !== 200 when HTTP Tunneling") });
            assert.equal(describeProxyError(tunnel, proxy, "https://huggingface.co/x")?.credentials, true);
            assert.match(describeProxyError(tunnel, proxy, "https://huggingface.co/x")?.message ?? "", /proxy\.corp:3128 .* wants credentials \(HTTP 407\).*http\.proxyAuthorization/);
            assert.match(describeProxyError(new Error("Proxy response (403) !== 200 when HTTP Tunneling"), proxy, "https://h.example/")?.message ?? "", /refused to connect to h\.example \(HTTP 403\)/);
            const down = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED", port: 3128 });
            assert.match(describeProxyError(down, proxy, "https://h.example/")?.message ?? "", /^Cannot reach the proxy proxy\.corp:3128/);
            assert.equal(describeProxyError(Object.assign(new Error("x"), { code: "ECONNREFUSED", port: 443 }), proxy, "https://h.example/"), undefined, "the server's port: not the proxy's fault");
            assert.equal(describeProxyError(down, undefined, "https://h.example/"), undefined);
        });
    });

    it("reads VS Code's http.* settings and solarComplete.caCertificates (ignored in an untrusted workspace)", () => {
        const http = { get: (key: string) => ({ proxy: " http://p:1 ", proxyStrictSSL: false, noProxy: ["a.example", 3], proxyAuthorization: "Basic eDp5" } as Record<string, unknown>)[key] };
        const settings = readSettings({ get: (key: string) => (key === "caCertificates" ? ["/etc/corp-ca.pem", ""] : undefined) });
        assert.deepEqual(settings.caCertificates, ["/etc/corp-ca.pem"]);
        const env = { NO_PROXY: "b.example" };
        assert.deepEqual(readNetwork(http, settings, env), { proxy: "http://p:1", strictSSL: false, noProxy: ["a.example"], proxyAuthorization: "Basic eDp5", caFiles: ["/etc/corp-ca.pem"], env });
        assert.deepEqual(readNetwork({ get: () => undefined }, settings, env), { proxy: "", strictSSL: true, noProxy: [], caFiles: ["/etc/corp-ca.pem"], env });
        const untrusted = readSettings({ get: (key: string) => (key === "caCertificates" ? ["/tmp/evil.pem"] : undefined) }, false);
        assert.deepEqual(untrusted.caCertificates, [], "a workspace must not make the machine trust a CA");
    });
});
