// The event-stream parser on its own: chunks split anywhere, comments, CRLF, [DONE], malformed input.

import * as assert from "node:assert/strict";
import { SseError, SseParser, type SseEvent } from "../../../src/remote/sse";

const STREAM =
    'data: {"choices":[{"text":"Hel"}]}\n\n' +
    ": keep-alive\n\n" +
    'data: {"choices":[{"text":"lo ✓"}]}\r\n\r\n' +
    'event: message\ndata: {"choices":[{"text":"","finish_reason":"stop"}],"timings":{"prompt_n":3}}\n\n' +
    "data: [DONE]\n\n";

function parseAll(chunks: (string | Uint8Array)[]): SseEvent[] {
    const parser = new SseParser();
    return [...chunks.flatMap((chunk) => parser.push(chunk)), ...parser.end()];
}

describe("SseParser", () => {
    const expected: SseEvent[] = [
        { kind: "data", json: { choices: [{ text: "Hel" }] } },
        { kind: "data", json: { choices: [{ text: "lo ✓" }] } },
        { kind: "data", json: { choices: [{ text: "", finish_reason: "stop" }], timings: { prompt_n: 3 } } },
        { kind: "done" },
    ];

    it("parses a whole stream: data, comments, CRLF, event names, [DONE]", () => {
        assert.deepEqual(parseAll([STREAM]), expected);
    });

    it("gives the same events however the bytes are split, even inside a UTF-8 character or a CRLF", () => {
        const bytes = new TextEncoder().encode(STREAM);
        for (let cut = 1; cut < bytes.length; cut++) {
            assert.deepEqual(parseAll([bytes.slice(0, cut), bytes.slice(cut)]), expected, `split at byte ${cut}`);
        }
        assert.deepEqual(parseAll([...bytes].map((b) => Uint8Array.of(b))), expected, "one byte at a time");
    });

    it("joins multi-line data and accepts a last event without its blank line", () => {
        assert.deepEqual(parseAll(['data: {"a":\ndata: 1}']), [{ kind: "data", json: { a: 1 } }]);
    });

    it("rejects malformed JSON, unknown fields, server errors and data after [DONE]", () => {
        assert.throws(() => parseAll(['data: {"choices": [\n\n']), SseError);
        assert.throws(() => parseAll(["<html>502 Bad Gateway</html>\n\n"]), /Malformed event stream line/);
        assert.throws(() => parseAll(["error: overloaded\n\n"]), /overloaded/);
        assert.throws(() => parseAll(['data: [DONE]\n\ndata: {"x":1}\n\n']), /after \[DONE\]/);
    });

    it("marks its errors as a bad stream", () => {
        try {
            parseAll(["data: nope\n\n"]);
            assert.fail("no error");
        } catch (error) {
            assert.equal((error as SseError).code, "REMOTE_BAD_STREAM");
        }
    });
});
