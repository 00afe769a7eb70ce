import * as assert from "node:assert/strict";
import { BackendError } from "../../../src/backend/backendError";
import type { ModelInfo } from "../../../src/backend/types";
import { describeStatus, type StatusInput } from "../../../src/status/statusText";
import { ErrorNotices } from "../../../src/status/errorNotices";

const info: ModelInfo = {
    modelPath: "/models/solar.gguf",
    architecture: "llama",
    fileType: "Q4_K_M",
    fileSize: 6.5e9,
    contextSize: 4096,
    trainedContextSize: 4096,
    backend: "CUDA, NVIDIA RTX 4090",
    gpu: "cuda",
    threads: 7,
    loadMs: 900,
};
const ready: StatusInput = { engine: { kind: "ready", info }, enabled: true, now: 1_000_000, generating: false };

describe("status bar text", () => {
    it("shows ready with the last latency, the backend and the model in the tooltip", () => {
        const view = describeStatus({ ...ready, last: { latencyMs: 123.4, tokensPerSecond: 41.26 } });
        assert.equal(view.text, "$(sparkle) Solar 123ms");
        assert.match(view.tooltip, /Backend: CUDA, NVIDIA RTX 4090/);
        assert.match(view.tooltip, /123 ms, 41\.3 tok\/s/);
        assert.match(view.tooltip, /Q4_K_M, context 4096/);
    });

    it("has a distinct text for each state", () => {
        const error = new BackendError("NOT_FOUND", "Model file not found: /x.gguf");
        const views = [
            describeStatus({ ...ready, engine: { kind: "loading", modelPath: "/x.gguf" } }),
            describeStatus({ ...ready, generating: true }),
            describeStatus({ ...ready, engine: { kind: "noModel", error } }),
            describeStatus({ ...ready, engine: { kind: "failed", error } }),
            describeStatus({ ...ready, snoozedUntil: ready.now + 14.5 * 60_000 }),
            describeStatus({ ...ready, enabled: false }),
            describeStatus({ ...ready, pausedBy: "a prompt is running" }),
        ];
        assert.deepEqual(
            views.map((v) => v.text),
            ["$(loading~spin) Solar", "$(loading~spin) Solar", "$(error) Solar", "$(error) Solar", "$(debug-pause) Solar 15m", "$(circle-slash) Solar", "$(debug-pause) Solar"],
        );
        assert.match(views[0].tooltip, /Loading \/x\.gguf/);
        assert.match(views[2].tooltip, /Model file not found/);
        assert.equal(views[3].severity, "error");
        assert.match(views[6].tooltip, /a prompt is running/);
    });

    it("a server backend that cannot serve: retrying (warning) or waiting for the user (error)", () => {
        const down = new BackendError("REMOTE_UNREACHABLE", "Cannot reach http://gpu:8080 (ECONNREFUSED); retrying later.");
        const retrying = describeStatus({ ...ready, engine: { kind: "unavailable", error: down, retryInMs: 4_500 } });
        assert.equal(retrying.text, "$(cloud-offline) Solar");
        assert.equal(retrying.severity, "warning");
        assert.match(retrying.tooltip, /Server unavailable, trying again in 5 s: Cannot reach/);
        const key = new BackendError("REMOTE_UNAUTHORIZED", "http://gpu:8080 refused the API key (HTTP 401).");
        const waiting = describeStatus({ ...ready, engine: { kind: "unavailable", error: key } });
        assert.equal(waiting.text, "$(error) Solar");
        assert.equal(waiting.severity, "error");
        assert.match(waiting.tooltip, /Server unavailable: .*API key/);
    });

    it("manual mode: says so in the text and the tooltip, in every state", () => {
        const view = describeStatus({ ...ready, manual: true, last: { latencyMs: 80 } });
        assert.equal(view.text, "$(sparkle) Solar manual 80ms");
        assert.match(view.tooltip, /Manual mode: ghost text only when you ask \(Alt\+\\ or "Solar: Suggest Here"\)/);
        assert.match(describeStatus({ ...ready, manual: true, generating: true }).tooltip, /Manual mode/);
        assert.match(describeStatus({ ...ready, manual: true, engine: { kind: "loading", modelPath: "/x.gguf" } }).tooltip, /Manual mode/);
        assert.doesNotMatch(describeStatus(ready).tooltip, /Manual mode/);
    });

    it("an excluded file: says which setting and pattern, before snooze and pauses", () => {
        const view = describeStatus({ ...ready, excludedBy: "**/.env*" });
        assert.equal(view.text, "$(lock) Solar");
        assert.match(view.tooltip, /excluded by solarComplete\.exclude: \*\*\/\.env\*/);
        assert.match(view.tooltip, /never sent/);
        assert.equal(describeStatus({ ...ready, excludedBy: "**/.env", snoozedUntil: ready.now + 60_000, pausedBy: "a prompt" }).text, "$(lock) Solar");
        assert.equal(describeStatus({ ...ready, excludedBy: "**/.env", enabled: false }).text, "$(circle-slash) Solar");
        assert.equal(describeStatus({ ...ready, excludedBy: "**/.env", engine: { kind: "stopped" } }).text, "$(circle-slash) Solar");
    });

    it("an expired snooze no longer shows", () => {
        assert.equal(describeStatus({ ...ready, snoozedUntil: ready.now - 1 }).text, "$(sparkle) Solar");
    });
});

describe("error notices", () => {
    it("shows a problem once until things recover", () => {
        const notices = new ErrorNotices();
        assert.equal(notices.shouldShow("NOT_FOUND:/x"), true);
        for (let i = 0; i < 100; i++) assert.equal(notices.shouldShow("NOT_FOUND:/x"), false);
        assert.equal(notices.shouldShow("ENGINE_CRASHED"), true);
        notices.recovered();
        assert.equal(notices.shouldShow("NOT_FOUND:/x"), true);
    });
});
