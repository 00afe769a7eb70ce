// english() fills in arguments as vscode.l10n.t does when no bundle is loaded (format2), and the
// pure core builds the text a user reads through whichever translator the adapter passes.
import * as assert from "node:assert/strict";
import { askPicks, outputDescription } from "../../../src/ask/askPicks";
import { BackendError } from "../../../src/backend/backendError";
import type { ModelInfo } from "../../../src/backend/types";
import { catalogEntry, QUANTIZATIONS } from "../../../src/model/catalog";
import { consentMessage, modelPicks, quantizationPicks } from "../../../src/model/catalogPicks";
import { describeStatus, type StatusInput } from "../../../src/status/statusText";
import { english, type Translate } from "../../../src/util/translate";

describe("english (the default translator)", () => {
    it("replaces {n} by the argument at n, as often as it appears, in any order", () => {
        assert.equal(english("Download {0}", "4.4 GB"), "Download 4.4 GB");
        assert.equal(english("{1} then {0}, {1} again", "a", "b"), "b then a, b again");
        assert.equal(english("{0} ms, {1}, {2}", 12, true, false), "12 ms, true, false");
        assert.equal(english("attempt {10}", ..."abcdefghijk"), "attempt k");
    });

    it("leaves the message alone without arguments", () => {
        assert.equal(english("Ready."), "Ready.");
        assert.equal(english("Keep {0} as it is"), "Keep {0} as it is");
    });

    it("replaces only a bare index in range, as vscode.l10n.t does", () => {
        assert.equal(english("{name} {0}", "x"), "{name} x");
        assert.equal(english("{ 0} {0 } {00} {01} {-1} {0.0}", "x"), "{ 0} {0 } {00} {01} {-1} {0.0}");
        assert.equal(english("{1}", "x"), "{1}", "no such argument");
        assert.equal(english("{length} {0}", "x"), "{length} x", "not the array's own fields");
        assert.equal(english("{}", "x"), "{}");
        // The match runs from a `{` to the first `}`: "{{0}" names no index, so nothing is replaced.
        assert.equal(english("{{0}}", "x"), "{{0}}");
        assert.equal(english("{a{0}", "x"), "{a{0}");
        assert.equal(english("{0}}", "x"), "x}");
        assert.equal(english("$(sync~spin) {0}", "$&"), "$(sync~spin) $&", "replacement patterns in arguments are plain text");
    });
});

describe("the core's texts go through the translator", () => {
    // A translator that marks what it returns: every line a user reads comes back marked.
    const marked: Translate = (message, ...args) => `‹${english(message, ...args)}›`;
    const error = new BackendError("NOT_FOUND", "Model file not found: /x.gguf");
    const info: ModelInfo = { modelPath: "/m.gguf", architecture: "llama", fileType: "Q4_K_M", fileSize: 6.5e9, contextSize: 4096, trainedContextSize: 4096, backend: "CPU", gpu: false, threads: 4, loadMs: 900 };
    const ready: StatusInput = { engine: { kind: "ready", info }, enabled: true, now: 0, generating: false, manual: true, last: { latencyMs: 80, tokensPerSecond: 40 }, lastContext: { snippets: ["a.ts:1-9 (open tab)"], tokens: 120 } };

    it("in the status bar: every tooltip line but the snippets, and the word manual", () => {
        const states: StatusInput[] = [
            ready,
            { ...ready, engine: { kind: "failed", error } },
            { ...ready, engine: { kind: "noModel" } },
            { ...ready, engine: { kind: "restarting", attempt: 2, delayMs: 1_000, error } },
            { ...ready, engine: { kind: "loading", modelPath: "/x.gguf" } },
            { ...ready, engine: { kind: "unavailable", error, retryInMs: 2_000 } },
            { ...ready, excludedBy: "**/.env" },
            { ...ready, snoozedUntil: 60_000 },
            { ...ready, pausedBy: "a prompt" },
            { ...ready, languageDisabled: "go" },
            { ...ready, generating: true },
        ];
        for (const input of states) {
            const view = describeStatus(input, marked);
            for (const line of view.tooltip.split("\n").filter((l) => !l.startsWith("  "))) assert.match(line, /^‹.*›$/, line);
            assert.equal(describeStatus(input).tooltip, view.tooltip.replace(/[‹›]/g, ""), "the same English");
        }
        assert.equal(describeStatus(ready, marked).text, "$(sparkle) Solar ‹manual› 80ms");
        assert.match(describeStatus({ ...ready, excludedBy: "**/.env" }, marked).tooltip, /^‹No ghost text for this file: ‹excluded by solarComplete\.exclude: \*\*\/\.env›\./);
    });

    it("in the model picks and the download consent", () => {
        for (const pick of modelPicks({ base: "auto", instruct: "none" }, marked)) {
            // A commercial licence is its SPDX id alone, which no language translates.
            assert.match(pick.description ?? "", /^‹.*› · (Apache-2\.0|‹CC-BY-NC-4\.0: non-commercial use only›)$/, pick.description);
            assert.match(pick.detail ?? "", /^‹Now: .*›$/);
        }
        const picks = quantizationPicks({ variant: "instruct", current: "none", downloaded: new Set(["Q4_0"]) }, marked);
        assert.match(picks[0].description ?? "", /^‹prompts use/);
        assert.match(picks.find((p) => p.value === "Q4_0")?.description ?? "", /^‹.* file, .*› · ‹downloaded›$/);
        for (const pick of picks.filter((p) => QUANTIZATIONS.includes(p.value as never))) assert.match(pick.detail ?? "", /^‹.* · Licence: ‹CC-BY-NC-4\.0: non-commercial use only››$/);
        assert.match(consentMessage(catalogEntry("instruct", "Q4_K_M"), marked), /^‹Solar Complete needs .* for ‹answers to Solar: Prompt…› .* ‹Licence: \[CC-BY-NC-4\.0\]\(.*\): non-commercial use only\.› Download it now\?›$/);
    });

    it("in the Prompt… pick", () => {
        const picks = askPicks("explain", ["refactor"], "cursor", true, marked);
        assert.deepEqual(picks.map((p) => p.description), ["‹answer at the cursor›", "‹answer in a new document›", "‹recent, ‹answer at the cursor››"]);
        assert.deepEqual(askPicks("", ["a"], "untitled", true, marked).at(-1), { kind: "clear", label: "‹Clear recent prompts›", description: "‹1 stored›" });
        assert.equal(outputDescription("untitled"), "answer in a new document");
    });
});
