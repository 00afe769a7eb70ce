// Each chunk of an answer on its way into the document: leading blank space dropped only when asked
// (and only before the first visible character), every generated character kept, and progress
// reported at most once per 250 ms.

import * as assert from "node:assert/strict";
import { AnswerStream, REPORT_EVERY_MS } from "../../../src/ask/answerStream";

function stream(trimStart: boolean) {
    let now = 1_000;
    const pushed: string[] = [];
    const reports: string[] = [];
    const answer = new AnswerStream({ trimStart, push: (chunk) => pushed.push(chunk), report: (message) => reports.push(message), now: () => now });
    return { answer, pushed, reports, advance: (ms: number) => (now += ms) };
}

describe("AnswerStream", () => {
    it("drops the answer's leading blank space, then passes everything through", () => {
        const { answer, pushed } = stream(true);
        for (const chunk of ["\n", "  ", "\n  Hello", " world", "\n\n  ok"]) answer.onText(chunk);
        assert.deepEqual(pushed, ["Hello", " world", "\n\n  ok"]);
        assert.equal(answer.generated, "\n  \n  Hello world\n\n  ok");
    });

    it("keeps leading blank space when not asked to trim (Continue Here)", () => {
        const { answer, pushed } = stream(false);
        for (const chunk of ["\n", "  x"]) answer.onText(chunk);
        assert.deepEqual(pushed, ["\n", "  x"]);
    });

    it("reports progress at most once per 250 ms, counting every generated character", () => {
        const { answer, reports, advance } = stream(true);
        answer.onText("  "); // blank only: nothing inserted, nothing reported
        assert.deepEqual(reports, []);
        answer.onText("abc");
        assert.deepEqual(reports, ["5 characters"]);
        advance(REPORT_EVERY_MS);
        answer.onText("d");
        assert.deepEqual(reports, ["5 characters"], "exactly 250 ms later: not yet");
        advance(1);
        answer.onText("x".repeat(1_000));
        assert.deepEqual(reports, ["5 characters", "1,006 characters"]);
    });
});
