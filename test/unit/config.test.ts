import * as assert from "node:assert/strict";
import { DEFAULTS, needsModelReload, readSettings, RESTRICTED_KEYS, SECTION } from "../../src/config";
import { isLanguageEnabled } from "../../src/completion/triggerRules";
import { readManifest } from "../fixtures/manifest";

const manifest = readManifest();
const properties: Record<string, { default: unknown; scope?: string }> = manifest.contributes.configuration.properties;
const source = (values: Record<string, unknown>) => ({ get: (key: string) => values[key] });

describe("config", () => {
    it("has the same defaults as package.json, for every setting", () => {
        const declared = Object.keys(properties).map((k) => k.slice(SECTION.length + 1)).sort();
        assert.deepEqual(declared, Object.keys(DEFAULTS).sort());
        for (const [key, value] of Object.entries(DEFAULTS)) {
            assert.deepEqual(properties[`${SECTION}.${key}`].default, value, key);
        }
        assert.deepEqual(readSettings(source({})), DEFAULTS);
    });

    it("declares settings that name files as machine-scoped and restricted in untrusted workspaces", () => {
        const restricted: string[] = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations;
        for (const key of RESTRICTED_KEYS) {
            assert.equal(properties[`${SECTION}.${key}`].scope, "machine", key);
            assert.ok(restricted.includes(`${SECTION}.${key}`), key);
        }
    });

    it("ignores restricted settings in an untrusted workspace", () => {
        assert.equal(readSettings(source({ modelPath: "/evil/model.gguf" }), false).modelPath, "");
        assert.equal(readSettings(source({ modelPath: " /mine/model.gguf " }), true).modelPath, "/mine/model.gguf");
    });

    it("clamps numbers, falls back on wrong types, and keeps debounce limits ordered", () => {
        const s = readSettings(source({ maxTokens: 99999, temperature: -1, gpu: "tpu", enable: "yes", debounceMinMs: 800, debounceMaxMs: 100, enableLanguages: { "*": "no" } }));
        assert.equal(s.maxTokens, 1024);
        assert.equal(s.temperature, 0);
        assert.equal(s.gpu, "auto");
        assert.equal(s.enable, true);
        assert.equal(s.debounceMaxMs, 800);
        assert.deepEqual(s.enableLanguages, DEFAULTS.enableLanguages);
    });

    it("clamps the number of candidates to 1..3 whole ones", () => {
        assert.equal(readSettings(source({ candidates: 9 })).candidates, 3);
        assert.equal(readSettings(source({ candidates: 0 })).candidates, 1);
        assert.equal(readSettings(source({ candidates: 1.6 })).candidates, 2);
    });

    it("reads the trigger mode, falling back to automatic", () => {
        assert.equal(readSettings(source({ trigger: "manual" })).trigger, "manual");
        assert.equal(readSettings(source({ trigger: "sometimes" })).trigger, "automatic");
        assert.equal(readSettings(source({})).trigger, "automatic");
    });

    it("reads exclude patterns: strings only, trimmed, empty ones dropped; not an array means the default", () => {
        assert.deepEqual(readSettings(source({ exclude: [" **/*.secret ", "", 3, "**/vault/**"] })).exclude, ["**/*.secret", "**/vault/**"]);
        assert.deepEqual(readSettings(source({ exclude: [] })).exclude, [], "the user may turn exclusion off");
        assert.deepEqual(readSettings(source({ exclude: "**/.env" })).exclude, DEFAULTS.exclude);
    });

    it("lets workspace settings add exclude patterns, never remove the user's (or the default ones)", () => {
        const layered = (layers: Record<string, unknown>) => ({ get: () => undefined, inspect: () => ({ defaultValue: DEFAULTS.exclude, ...layers }) });
        assert.deepEqual(readSettings(layered({})).exclude, DEFAULTS.exclude);
        assert.deepEqual(readSettings(layered({ workspaceValue: [] })).exclude, DEFAULTS.exclude, "a repository cannot empty the list");
        assert.deepEqual(readSettings(layered({ workspaceValue: ["config/master.key", "**/.env"] })).exclude, [...DEFAULTS.exclude, "config/master.key"]);
        assert.deepEqual(readSettings(layered({ globalValue: ["**/*.mine"], workspaceValue: ["**/*.theirs"], workspaceFolderValue: ["**/*.folder"] })).exclude, [
            "**/*.mine",
            "**/*.theirs",
            "**/*.folder",
        ]);
        assert.deepEqual(readSettings(layered({ globalValue: [], workspaceValue: ["**/*.theirs"] })).exclude, ["**/*.theirs"]);
        // In an untrusted workspace too: adding patterns is always safe, so exclude is window-scoped, not restricted.
        assert.deepEqual(readSettings(layered({ workspaceValue: ["**/*.theirs"] }), false).exclude, [...DEFAULTS.exclude, "**/*.theirs"]);
        assert.equal(properties[`${SECTION}.exclude`].scope, "window");
    });

    it("keeps markdown and plain text on by default: Solar is a general text model", () => {
        assert.equal(isLanguageEnabled(DEFAULTS.enableLanguages, "markdown"), true);
        assert.equal(isLanguageEnabled(DEFAULTS.enableLanguages, "plaintext"), true);
    });

    it("knows which changes need a model reload", () => {
        assert.equal(needsModelReload(DEFAULTS, { ...DEFAULTS, maxTokens: 10 }), false);
        assert.equal(needsModelReload(DEFAULTS, { ...DEFAULTS, gpu: "cpu" }), true);
        assert.equal(needsModelReload(DEFAULTS, { ...DEFAULTS, modelPath: "/m.gguf" }), true);
    });
});
