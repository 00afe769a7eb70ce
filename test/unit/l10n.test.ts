// Localisation, English as the base: every `%key%` in package.json has its text in package.nls.json,
// every key there is used, none is empty; and the package ships the bundle.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { localize, NLS_REFERENCE, readNls, readRawManifest, REPO } from "../fixtures/manifest";

/** Every `%key%` string anywhere in `value`, with where it is. */
function references(value: unknown, at = ""): { key: string; at: string }[] {
    if (typeof value === "string") {
        const key = NLS_REFERENCE.exec(value)?.[1];
        return key === undefined ? [] : [{ key, at }];
    }
    if (Array.isArray(value)) return value.flatMap((item: unknown, i) => references(item, `${at}[${i}]`));
    if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => references(v, at ? `${at}.${k}` : k));
    return [];
}

describe("localisation (package.nls.json)", () => {
    const manifest = readRawManifest();
    const nls = readNls();
    const used = references(manifest);

    it("has the English text of every %key% in package.json", () => {
        assert.ok(used.length > 50, `only ${used.length} references`);
        const missing = used.filter((r) => !Object.hasOwn(nls, r.key)).map((r) => `${r.at}: ${r.key}`);
        assert.deepEqual(missing, []);
        assert.doesNotThrow(() => localize(manifest, nls));
    });

    it("uses every key, and none is empty", () => {
        const keys = new Set(used.map((r) => r.key));
        assert.deepEqual(Object.keys(nls).filter((key) => !keys.has(key)), [], "keys nothing in package.json names");
        for (const [key, text] of Object.entries(nls)) {
            assert.equal(typeof text, "string", key);
            assert.notEqual(text.trim(), "", key);
            assert.doesNotMatch(text, NLS_REFERENCE, `${key} is itself a reference`);
        }
    });

    it("localises every command title and category, setting description and walkthrough text", () => {
        const contributes = manifest.contributes as {
            commands: { command: string; title: string; category?: string }[];
            configuration: { title: string; properties: Record<string, Record<string, unknown>> };
            walkthroughs?: { title: string; description: string; steps: { id: string; title: string; description: string }[] }[];
        };
        const plain = (text: unknown) => typeof text === "string" && !NLS_REFERENCE.test(text);
        for (const c of contributes.commands) {
            assert.ok(!plain(c.title) && !plain(c.category), c.command);
            assert.equal(c.title, `%command.${c.command.replace(/^solarComplete\./, "")}.title%`, c.command);
        }
        assert.ok(!plain(contributes.configuration.title));
        for (const [key, schema] of Object.entries(contributes.configuration.properties)) {
            for (const field of ["description", "markdownDescription"]) assert.ok(!plain(schema[field]), `${key}.${field}`);
            for (const text of (schema.enumDescriptions as unknown[] | undefined) ?? []) assert.ok(!plain(text), `${key}.enumDescriptions`);
        }
        for (const w of contributes.walkthroughs ?? []) {
            assert.ok(!plain(w.title) && !plain(w.description));
            for (const s of w.steps) assert.ok(!plain(s.title) && !plain(s.description), s.id);
        }
    });

    it("names the runtime bundle folder, and the package carries package.nls.json", () => {
        assert.equal(manifest.l10n, "./l10n");
        const allowed = fs.readFileSync(path.join(REPO, ".vscodeignore"), "utf8").split("\n").map((line) => line.trim());
        assert.ok(allowed.includes("!package.nls.json"), ".vscodeignore allows package.nls.json");
    });
});
