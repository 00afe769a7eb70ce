// Ghost text with context from other files, on the real engine (in-process, the copy-context model):
// the service sends the context it is given, the exact prompt is what Show Last Prompt shows, and the
// snippets the prompt kept are the ones the status tooltip lists.

import * as assert from "node:assert/strict";
import { DEFAULTS, type Settings } from "../../../src/config";
import type { GhostTextService, GhostTextRequest } from "../../../src/completion/ghostTextService";
import type { SelectedContext } from "../../../src/completion/lastPrompt";
import type { WorkerClient } from "../../../src/engine/workerClient";
import { CONTINUATION, CURRENT_PREFIX, neighbourBlock } from "../../fixtures/contextScenario";
import { copyFixture } from "../../fixtures/models";
import { inProcessClient } from "../support/engines";
import { ghostTextService } from "../support/ghostText";

describe("GhostTextService with context blocks (real engine)", () => {
    let client: WorkerClient;
    const settings: Settings = { ...DEFAULTS, debounceMinMs: 0, debounceMaxMs: 0, maxTokens: 16 };

    before(async () => {
        client = inProcessClient();
        await client.load({ modelPath: (await copyFixture("copy-context", 1)).path, gpu: "cpu", threads: 1 });
    });
    after(() => client.stop());

    const service = (context: SelectedContext | undefined): GhostTextService => ghostTextService(client, () => settings, () => ({}), () => context);

    const request = (text: string): GhostTextRequest => ({
        documentId: "file:///checkout.ts",
        languageId: "typescript",
        text,
        sliceStart: 0,
        cursor: text.length,
        eol: "\n",
        documentEmpty: false,
        selectionEmpty: true,
        explicit: true,
    });
    const signal = () => new AbortController().signal;

    it("sends the blocks before the window; the last prompt is exactly what was evaluated", async () => {
        const filler = "// Path: src/other.ts\n// unrelated words here\n";
        const ghost = service({ blocks: [filler, neighbourBlock()], labels: ["src/other.ts:1-1 (document)", "src/money.ts:1-3 (document)"], maxTokens: 512 });
        const suggestion = await ghost.provide(request(CURRENT_PREFIX), signal());
        assert.equal(suggestion?.insertText, CONTINUATION.trimEnd());
        assert.equal(ghost.lastPrompt?.text(), filler + neighbourBlock() + CURRENT_PREFIX);
        assert.deepEqual(ghost.lastPrompt?.snippets(), ["src/other.ts:1-1 (document)", "src/money.ts:1-3 (document)"]);
        assert.ok((ghost.lastPrompt?.contextTokens() ?? 0) > 20);
    });

    it("lists only the snippets the backend kept when the budget dropped some", async () => {
        const filler = "// Path: src/other.ts\n// unrelated words here, quite a few of them, to cost tokens\n";
        const blockTokens = await client.countTokens(neighbourBlock());
        const ghost = service({ blocks: [filler, neighbourBlock()], labels: ["other", "money"], maxTokens: blockTokens - 1 });
        await ghost.provide(request(CURRENT_PREFIX), signal());
        assert.deepEqual(ghost.lastPrompt?.snippets(), ["money"]);
        assert.equal(ghost.lastPrompt?.text(), neighbourBlock() + CURRENT_PREFIX);
    });

    it("without context, the last prompt is the window and lists no snippet", async () => {
        const ghost = service(undefined);
        await ghost.provide(request(CURRENT_PREFIX), signal());
        assert.equal(ghost.lastPrompt?.text(), CURRENT_PREFIX);
        assert.deepEqual(ghost.lastPrompt?.snippets(), []);
    });
});
