// The peer scenario's prompt cutters and trace, and the GPU projection's arithmetic: pure parts of the
// bench, no model or server needed.

import * as assert from "node:assert/strict";
import { HARDWARE, projectKeystrokeMs, projectionSection, SOLAR_PARAMS_B, solarSecondsPerToken } from "../../../bench/projection";
import type { BenchResults } from "../../../bench/report";
import { continuePrefix, PEER_TYPED, peerTrace, vscodePrefix } from "../../../bench/scenarios/peer";

const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i}`).join("\n") + "\n";

describe("peer scenario: prompts and trace", () => {
    it("cuts llama.vscode's prefix: 256 whole lines before the cursor's line, and that line up to the cursor", () => {
        const text = lines(1000);
        const cursor = text.indexOf("line 600") + "line 6".length;
        const prefix = vscodePrefix(text, cursor);
        assert.ok(prefix.startsWith("line 344\n"), prefix.slice(0, 20));
        assert.ok(prefix.endsWith("line 599\nline 6"));
        assert.equal(prefix.split("\n").length, 257);
        assert.equal(vscodePrefix(text, text.indexOf("line 3\n") + 2), text.slice(0, text.indexOf("line 3\n") + 2), "near the top: all of it");
    });

    it("cuts Continue's prefix: whole lines from the top until the rest fits the budget", () => {
        const text = lines(100);
        const cursor = text.indexOf("line 50") + 4;
        const count = (line: string) => line.length; // one "token" per character
        const prefix = continuePrefix(count, 100)(text, cursor);
        assert.ok(prefix.length <= 100 && prefix.length > 100 - "line 99\n".length, String(prefix.length));
        assert.ok(prefix.startsWith("line "), "starts at a line start");
        assert.ok(prefix.endsWith("line"));
        assert.equal(continuePrefix(count, 10_000)(text, cursor), text.slice(0, cursor), "everything when it fits");
    });

    it("types Enter first, then code, at two places: the middle, then a quarter into the file", () => {
        const document = lines(400);
        const { start, keystrokes } = peerTrace(document, 10);
        assert.equal(document[start], "\n", "starts at a line end");
        assert.equal(keystrokes.length, 10);
        assert.equal(keystrokes[0].text.slice(start, start + 1), PEER_TYPED[0]);
        assert.equal(keystrokes[0].cursor, start + 1);
        const jumps = keystrokes.map((k, i) => (k.afterJump ? i : -1)).filter((i) => i >= 0);
        assert.deepEqual(jumps, [5]);
        assert.ok(keystrokes[5].cursor < start, "the second place is before the first");
        const last = keystrokes[9];
        assert.equal(last.text.length, document.length + 10);
        assert.equal(last.text.slice(last.cursor - 5, last.cursor), PEER_TYPED.slice(0, 5));
    });
});

describe("GPU projection", () => {
    const m2 = HARDWARE.find((h) => h.name.includes("M2"));
    const rtx = HARDWARE.find((h) => h.name.includes("3060"));

    it("interpolates time per token by parameter count, or scales it from one published model", () => {
        assert.ok(m2 && rtx);
        const one = m2.speeds[0];
        assert.ok(Math.abs((solarSecondsPerToken(m2.speeds, "tgTokS") ?? 0) - SOLAR_PARAMS_B / one.paramsB / (one.tgTokS ?? 1)) < 1e-12);
        const [small, large] = rtx.speeds;
        const t = solarSecondsPerToken(rtx.speeds, "tgTokS") ?? 0;
        assert.ok(t > 1 / (small.tgTokS ?? 1) && t < 1 / (large.tgTokS ?? 1), "between the two published models");
        assert.equal(solarSecondsPerToken(rtx.speeds, "ppTokS"), undefined);
    });

    it("projects a short prompt as one pass and refuses a long one without a published prompt speed", () => {
        assert.ok(rtx && m2);
        const step = (solarSecondsPerToken(rtx.speeds, "tgTokS") ?? 0) * 1000;
        assert.ok(Math.abs((projectKeystrokeMs(2, 16, rtx.speeds) ?? 0) - 17 * step) < 1e-9);
        assert.equal(projectKeystrokeMs(3000, 16, rtx.speeds), undefined);
        const mStep = (solarSecondsPerToken(m2.speeds, "tgTokS") ?? 0) * 1000;
        const mPrompt = (solarSecondsPerToken(m2.speeds, "ppTokS") ?? 0) * 1000;
        assert.ok(Math.abs((projectKeystrokeMs(3000, 16, m2.speeds) ?? 0) - (3000 * mPrompt + 16 * mStep)) < 1e-6);
    });

    it("writes a labelled table with its sources from the figures a run has, and nothing without them", () => {
        const results = (scenarios: BenchResults["scenarios"]): BenchResults => ({ date: "2026-12-01T00:00:00.000Z", mode: "quick", duration_s: 1, machine: {}, scenarios });
        assert.deepEqual(projectionSection(results({})), []);
        const md = projectionSection(results({ peer: { max_tokens: 16, tiny: { ours: { jump_evaluated_tokens_mean: 2600, typing_only: { evaluated_tokens_p50: 1, evaluated_tokens_p95: 2 } } } } })).join("\n");
        assert.match(md, /projection, not a measurement/);
        assert.match(md, /discussions\/4167/);
        assert.match(md, /\| keystroke \| tokens evaluated \| 16 generated: [^|]+\| 64 generated: /);
        assert.match(md, /\| typing, median keystroke \(ours\) \| 1 \| \d+ ms \|/);
        assert.match(md, /\| window moved[^|]+\| 2,600 \| n\/a \|/, "no published prompt speed for the RTX 3060");
        const measured = projectionSection(results({ peer: { max_tokens: 16, tiny: { ours: { typing_only: { evaluated_tokens_p50: 1 } } } }, waste: { single_line: { generated_tokens_mean: 9 } } })).join("\n");
        assert.match(measured, /9 generated: single-line/);
        assert.doesNotMatch(measured, /16 generated/, "the request limit only stands in when nothing was measured");
    });
});
