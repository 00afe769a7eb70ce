// The ghost-text core with the real engine (in-process, copy model): trigger rules, typing-through,
// debounce cancellation, snooze and per-language switches, all read from the engine's own counters.

import * as assert from "node:assert/strict";
import { DEFAULTS, type Settings } from "../../../src/config";
import { GhostTextService, type GhostTextRequest } from "../../../src/completion/ghostTextService";
import type { WorkerClient } from "../../../src/engine/workerClient";
import { copyFixture, type CopyFixture } from "../../fixtures/models";
import { inProcessClient } from "../support/engines";
import { ghostTextService } from "../support/ghostText";

describe("GhostTextService with the real engine", () => {
    let client: WorkerClient;
    let fixture: CopyFixture;
    let settings: Settings;
    let controls: { snoozedUntil?: number; pausedBy?: string };
    let service: GhostTextService;

    before(async () => {
        fixture = await copyFixture("copy-code");
        client = inProcessClient();
        await client.load({ modelPath: fixture.path, gpu: "cpu", threads: 1 });
    });
    after(() => client.stop());
    beforeEach(() => {
        settings = { ...DEFAULTS, debounceMinMs: 0, debounceMaxMs: 0, maxTokens: 24 };
        controls = {};
        service = ghostTextService(client, () => settings, () => controls);
    });

    /** A request at `offset` of the copy text, as the provider would build it. */
    function at(offset: number, extra: Partial<GhostTextRequest> = {}): GhostTextRequest {
        return {
            documentId: "file:///inventory.ts",
            languageId: "typescript",
            text: fixture.text.slice(0, offset),
            sliceStart: 0,
            cursor: offset,
            eol: "\n",
            documentEmpty: false,
            selectionEmpty: true,
            explicit: false,
            ...extra,
        };
    }
    const signal = () => new AbortController().signal;
    const completions = async () => (await client.counters()).completions;

    it("suggests the copy model's continuation, as the text that follows in the file", async () => {
        const cut = fixture.cutPoints.find((c) => fixture.text[c.offset - 1] === "\n" && fixture.text[c.offset] === " ");
        assert.ok(cut, "a cut point at the start of an indented line");
        const suggestion = await service.provide(at(cut.offset), signal());
        assert.ok(suggestion && suggestion.insertText.length > 0, JSON.stringify(suggestion));
        assert.ok(fixture.text.slice(cut.offset).startsWith(suggestion.insertText), JSON.stringify(suggestion.insertText));
    });

    it("types through a shown suggestion without asking the engine again", async () => {
        const cut = fixture.cutPoints[3];
        const first = await service.provide(at(cut.offset), signal());
        assert.ok(first && first.insertText.length > 3);
        const before = await completions();
        const typed = first.insertText.slice(0, 2);
        const next = await service.provide({ ...at(cut.offset), text: fixture.text.slice(0, cut.offset) + typed, cursor: cut.offset + typed.length }, signal());
        assert.equal(next?.insertText, first.insertText.slice(2));
        assert.equal(await completions(), before, "no new engine request");
    });

    it("sends nothing while snoozed, paused, disabled for the language or in an empty document", async () => {
        const cut = fixture.cutPoints[5];
        const before = await completions();
        controls = { snoozedUntil: Date.now() + 60_000 };
        assert.equal(await service.provide(at(cut.offset), signal()), undefined);
        controls = { pausedBy: "a prompt is running" };
        assert.equal(await service.provide(at(cut.offset), signal()), undefined);
        controls = {};
        settings = { ...settings, enableLanguages: { "*": true, typescript: false } };
        assert.equal(await service.provide(at(cut.offset), signal()), undefined);
        settings = { ...settings, enableLanguages: { "*": true } };
        assert.equal(await service.provide(at(0, { documentEmpty: true, text: "" }), signal()), undefined);
        assert.equal(await completions(), before);
    });

    it("a keystroke during the debounce cancels the request before it reaches the engine", async () => {
        settings = { ...settings, debounceMinMs: 200, debounceMaxMs: 200 };
        const controller = new AbortController();
        const before = await completions();
        const pending = service.provide(at(fixture.cutPoints[6].offset), controller.signal);
        setTimeout(() => controller.abort(), 20);
        assert.equal(await pending, undefined);
        assert.equal(await completions(), before);
    });

    it("mid-line, only triggers when the rest of the line is closers", async () => {
        const cut = fixture.cutPoints[4];
        const before = await completions();
        const text = `${fixture.text.slice(0, cut.offset)}foo bar\n`;
        assert.equal(await service.provide({ ...at(cut.offset), text }, signal()), undefined);
        assert.equal(await completions(), before);
    });
});
