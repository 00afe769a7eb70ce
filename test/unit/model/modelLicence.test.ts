// Licences where a model is chosen or downloaded: the catalog carries the upstream licence (base
// Apache-2.0, Instruct CC-BY-NC-4.0 whatever a repackaged GGUF's card says), and every quick pick
// entry and the download consent show it, the consent with a link; Instruct resolves from its own
// setting, with instructModelPath as the override.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { CATALOG, catalogEntry, licenceLabel, QUANTIZATIONS } from "../../../src/model/catalog";
import { consentMessage, modelPicks, quantizationPicks } from "../../../src/model/catalogPicks";
import { instructModelSettings, resolveModel } from "../../../src/model/modelStore";
import { readManifest } from "../../fixtures/manifest";

const manifest = readManifest();
const readme = fs.readFileSync(path.resolve(__dirname, "../../../README.md"), "utf8");

describe("model licences", () => {
    it("are in the catalog: base Apache-2.0, Instruct CC-BY-NC-4.0 (non-commercial), with links to the licence and the upstream card", () => {
        for (const entry of CATALOG) {
            const nc = entry.variant === "instruct";
            assert.equal(entry.licence.id, nc ? "CC-BY-NC-4.0" : "Apache-2.0", entry.title);
            assert.equal(entry.licence.commercialUse, !nc);
            assert.match(entry.licence.url, /^https:\/\//);
            assert.match(entry.licence.source, nc ? /upstage\/SOLAR-10\.7B-Instruct-v1\.0$/ : /upstage\/SOLAR-10\.7B-v1\.0$/);
        }
        assert.equal(licenceLabel(catalogEntry("instruct", "Q4_K_M").licence), "CC-BY-NC-4.0: non-commercial use only");
        assert.equal(licenceLabel(catalogEntry("base", "Q4_K_M").licence), "Apache-2.0");
    });

    it("are shown in Choose Model… and in every entry of Choose Quantization…", () => {
        const models = modelPicks({ base: "Q4_K_M", instruct: "none" });
        assert.deepEqual(models.map((m) => m.value), ["base", "instruct"]);
        assert.match(models[0].description ?? "", /Apache-2\.0/);
        assert.match(models[1].description ?? "", /CC-BY-NC-4\.0: non-commercial use only/);
        assert.equal(models[1].detail, "Now: none");

        for (const variant of ["base", "instruct"] as const) {
            const picks = quantizationPicks({ variant, current: variant === "base" ? "Q4_K_M" : "none", downloaded: new Set(["Q4_0"]) });
            const choices = picks.filter((p) => p.value !== undefined && p.value !== "none");
            assert.equal(choices.length, QUANTIZATIONS.length + 1, "auto and each quantization");
            const label = variant === "base" ? "Apache-2.0" : "CC-BY-NC-4.0: non-commercial use only";
            for (const pick of choices) assert.ok(pick.detail?.includes(label), `${variant} ${pick.label}: ${pick.detail}`);
            assert.match(picks.find((p) => p.value === "Q4_0")?.description ?? "", /· downloaded$/);
            assert.equal(picks.find((p) => p.current)?.value, variant === "base" ? "Q4_K_M" : "none");
        }
        assert.equal(quantizationPicks({ variant: "base", current: "auto", downloaded: new Set() }).some((p) => p.value === "none"), false, "the base model can't be turned off here");
    });

    it("are in the download consent, with a link; Instruct's says non-commercial use only", () => {
        const instruct = consentMessage(catalogEntry("instruct", "Q4_K_M"));
        assert.match(instruct, /^Solar Complete needs Solar 10\.7B Instruct Q4_K_M for answers to Solar: Prompt… \(6\.5 GB download, ~7\.6 GB of memory to run\)\./);
        assert.ok(instruct.includes("Licence: [CC-BY-NC-4.0](https://creativecommons.org/licenses/by-nc/4.0/): non-commercial use only."), instruct);
        const base = consentMessage(catalogEntry("base", "Q4_K_M"));
        assert.ok(base.includes("Licence: [Apache-2.0](https://www.apache.org/licenses/LICENSE-2.0)."), base);
        assert.doesNotMatch(base, /non-commercial/);
    });

    it("are in the README's model table and its Licences section, and instructQuantization's description", () => {
        assert.doesNotMatch(readme, /Apache-2\.0, like Solar/);
        assert.match(readme, /^## Licences$/m);
        assert.match(readme, /\| Solar 10\.7B Instruct .*\| CC-BY-NC-4\.0 \(non-commercial\)/);
        assert.match(readme, /\| Solar 10\.7B .*\| Apache-2\.0 /);
        const setting = manifest.contributes.configuration.properties["solarComplete.instructQuantization"];
        assert.match(setting.markdownDescription, /CC-BY-NC-4\.0, non-commercial use only/);
        assert.deepEqual(setting.enum, ["none", "auto", ...QUANTIZATIONS]);
        const base = manifest.contributes.configuration.properties["solarComplete.quantization"];
        assert.deepEqual(setting.enumDescriptions.slice(2), base.enumDescriptions.slice(1), "the same sizes as the base model's");
    });
});

describe("Solar Instruct from the catalog", () => {
    const common = { downloadEndpoint: "", storageFolder: "/models" };

    it("is off by default; instructModelPath overrides instructQuantization", () => {
        assert.equal(instructModelSettings({ ...common, instructModelPath: "", instructQuantization: "none" }), undefined);
        assert.deepEqual(instructModelSettings({ ...common, instructModelPath: "/mine/instruct.gguf", instructQuantization: "Q8_0" }), {
            ...common, modelPath: "/mine/instruct.gguf", quantization: "Q8_0",
        });
    });

    it("names the catalog's Instruct file in the storage folder, from the mirror when one is set", async () => {
        const settings = instructModelSettings({ downloadEndpoint: "http://mirror.local", storageFolder: "/models", instructModelPath: "", instructQuantization: "Q4_0" });
        assert.ok(settings);
        const resolved = await resolveModel(settings, { defaultStorage: "/unused", probeMemory: () => assert.fail("not auto"), variant: "instruct" });
        assert.equal(resolved.kind, "catalog");
        if (resolved.kind !== "catalog") return;
        assert.equal(resolved.path, path.join("/models", "solar-10.7b-instruct-v1.0.Q4_0.gguf"));
        assert.equal(resolved.url, "http://mirror.local/TheBloke/SOLAR-10.7B-Instruct-v1.0-GGUF/resolve/main/solar-10.7b-instruct-v1.0.Q4_0.gguf");
        assert.equal(resolved.entry.licence.id, "CC-BY-NC-4.0");
        assert.equal(resolved.present, false);
    });
});
