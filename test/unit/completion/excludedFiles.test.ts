import * as assert from "node:assert/strict";
import { DEFAULT_EXCLUDE } from "../../../src/config";
import { ExcludedFiles } from "../../../src/completion/excludedFiles";
import { exclusionReason } from "../../../src/status/statusText";

const defaults = new ExcludedFiles(() => DEFAULT_EXCLUDE);
const at = (absolute: string, relative?: string) => defaults.match({ absolute, relative });

describe("excluded files (solarComplete.exclude)", () => {
    it("excludes the usual secret files by default, wherever they are", () => {
        const secrets: [string, string][] = [
            ["/home/me/app/.env", "**/.env"],
            ["/home/me/app/.env.local", "**/.env.*"],
            ["/home/me/app/config/.env.production", "**/.env.*"],
            ["/home/me/app/.env.example", "**/.env.*"],
            ["/srv/app/docker/app.env", "**/*.env"],
            ["/home/me/app/.envrc", "**/.envrc"],
            ["/etc/ssl/private/server.pem", "**/*.pem"],
            ["/home/me/.ssh/server.key", "**/*.key"],
            ["/home/me/certs/client.p12", "**/*.p12"],
            ["/home/me/certs/client.pfx", "**/*.pfx"],
            ["/home/me/keys/putty.ppk", "**/*.ppk"],
            ["/home/me/.ssh/id_rsa", "**/id_rsa*"],
            ["/home/me/.ssh/id_rsa.pub", "**/id_rsa*"],
            ["/home/me/.ssh/id_ed25519", "**/id_ed25519*"],
            ["/home/me/.ssh/id_ecdsa", "**/id_ecdsa*"],
            ["/home/me/app/.npmrc", "**/.npmrc"],
            ["/home/me/.pypirc", "**/.pypirc"],
            ["/home/me/.netrc", "**/.netrc"],
            ["C:\\Users\\me\\_netrc", "**/_netrc"],
            ["/home/me/.git-credentials", "**/.git-credentials"],
            ["/home/me/.pgpass", "**/.pgpass"],
            ["/home/me/.kube/config", "**/.kube/config"],
            ["/home/me/.docker/config.json", "**/.docker/config.json"],
            ["/home/me/.aws/credentials", "**/credentials*"],
            ["/home/me/app/credentials.json", "**/credentials*"],
            ["/home/me/rails/config/secrets.yml", "**/secrets.*"],
            ["/home/me/k8s/secrets.yaml", "**/secrets.*"],
            ["/home/me/infra/terraform.tfstate", "**/*.tfstate"],
            ["/home/me/infra/terraform.tfstate.backup", "**/*.tfstate.*"],
        ];
        for (const [path, pattern] of secrets) assert.equal(at(path), pattern, path);
    });

    it("leaves ordinary source and prose alone", () => {
        for (const path of [
            "/home/me/app/src/env.ts",
            "/home/me/app/src/environment.py",
            "/home/me/app/src/keyboard.ts",
            "/home/me/app/src/keys.go",
            "/home/me/app/README.md",
            "/home/me/app/notes.txt",
            "/home/me/app/.envoy.yaml",
            "/home/me/app/src/secret_santa.py",
            "/home/me/app/package.json",
            "/home/me/.ssh/known_hosts",
            "/home/me/app/docs/pem-format.md",
        ]) {
            assert.equal(at(path), undefined, path);
        }
    });

    it("ignores case and reads backslashes as slashes (Windows paths)", () => {
        assert.equal(at("/home/me/app/.ENV"), "**/.env");
        assert.equal(at("C:\\Users\\me\\Server.PEM"), "**/*.pem");
        assert.equal(at("C:\\Users\\me\\app\\.env.local"), "**/.env.*");
    });

    it("matches a pattern against the workspace-relative path as well as the absolute one", () => {
        const files = new ExcludedFiles(() => ["config/*.json", "/srv/**/private/**"]);
        assert.equal(files.match({ absolute: "/home/me/app/config/prod.json", relative: "config/prod.json" }), "config/*.json");
        assert.equal(files.match({ absolute: "/home/me/app/config/prod.json" }), undefined, "no workspace folder: only the absolute path");
        assert.equal(files.match({ absolute: "/home/me/app/src/config/prod.json", relative: "src/config/prod.json" }), undefined);
        assert.equal(files.match({ absolute: "/srv/app/private/notes.md", relative: "private/notes.md" }), "/srv/**/private/**");
        assert.equal(new ExcludedFiles(() => ["config\\*.json"]).match({ absolute: "/a/config/x.json", relative: "config\\x.json" }), "config\\*.json");
    });

    it("supports VS Code's glob syntax: braces, ?, character classes", () => {
        const files = new ExcludedFiles(() => ["**/*.{crt,cer}", "**/key?.txt", "**/vault[0-9].yml"]);
        assert.equal(files.match({ absolute: "/a/b/site.crt" }), "**/*.{crt,cer}");
        assert.equal(files.match({ absolute: "/a/b/site.cer" }), "**/*.{crt,cer}");
        assert.equal(files.match({ absolute: "/a/key1.txt" }), "**/key?.txt");
        assert.equal(files.match({ absolute: "/a/key12.txt" }), undefined);
        assert.equal(files.match({ absolute: "/a/vault3.yml" }), "**/vault[0-9].yml");
    });

    it("an empty list excludes nothing; an unparsable pattern excludes nothing and breaks nothing", () => {
        assert.equal(new ExcludedFiles(() => []).match({ absolute: "/home/me/.env" }), undefined);
        const files = new ExcludedFiles(() => ["", "**/.env"]);
        assert.equal(files.match({ absolute: "/home/me/.env" }), "**/.env");
    });

    it("recompiles when the settings value changes, not on every match", () => {
        let patterns: readonly string[] = ["**/*.secret"];
        const files = new ExcludedFiles(() => patterns);
        assert.equal(files.match({ absolute: "/a/x.secret" }), "**/*.secret");
        patterns = ["**/*.private"];
        assert.equal(files.match({ absolute: "/a/x.secret" }), undefined);
        assert.equal(files.match({ absolute: "/a/x.private" }), "**/*.private");
    });

    it("matches fast enough for every keystroke: the default list over 10,000 paths in well under a second", () => {
        const started = performance.now();
        for (let i = 0; i < 10_000; i++) at(`/home/me/project/src/module${i}/file${i}.ts`, `src/module${i}/file${i}.ts`);
        const perMatchMs = (performance.now() - started) / 10_000;
        assert.ok(perMatchMs < 0.1, `${perMatchMs.toFixed(4)} ms per match`);
    });

    it("says which setting and which pattern", () => {
        assert.equal(exclusionReason("**/.env"), "excluded by solarComplete.exclude: **/.env");
    });
});
