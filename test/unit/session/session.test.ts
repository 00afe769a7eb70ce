// The session's two lifetimes, driven by a plain settings object: the engine starts only for the
// local backend, a backend switch replaces the whole scope (and stops the engine), a model setting
// reloads the model inside the scope, and dispose waits for the engine to stop.

import * as assert from "node:assert/strict";
import { DEFAULTS, type Settings } from "../../../src/config";
import { inProcessTransport } from "../../../src/engine/inProcessTransport";
import { ModelQuarantine } from "../../../src/engine/modelQuarantine";
import type { TransportFactory } from "../../../src/engine/transport";
import { Session, type SessionHost } from "../../../src/session/session";
import { ensureModel } from "../../fixtures/models";
import { waitForState } from "../support/engines";

function host(settings: () => Settings) {
    const events = { transports: 0, replaced: 0, reports: [] as string[], resolved: [] as string[] };
    const quarantine = new ModelQuarantine();
    const h: SessionHost = {
        readSettings: settings,
        transport: (): TransportFactory => {
            events.transports++;
            return inProcessTransport();
        },
        quarantine,
        resolveModelPath: async (s) => {
            events.resolved.push(s.modelPath);
            return s.modelPath || undefined;
        },
        remoteApiKey: async () => undefined,
        network: () => ({}),
        log: () => undefined,
        report: (error) => events.reports.push(String(error)),
        recovered: () => undefined,
        changed: () => undefined,
        backendReplaced: () => events.replaced++,
    };
    return { host: h, events };
}

describe("Session (two lifetimes)", function () {
    let tiny: string;
    let session: Session | undefined;
    before(async () => {
        tiny = await ensureModel("tiny");
    });
    afterEach(async () => {
        await session?.dispose();
        session = undefined;
    });

    it("starts no engine while a server completes", async () => {
        const settings: Settings = { ...DEFAULTS, backend: "openai-compatible", "remote.endpoint": "http://127.0.0.1:1" };
        const { host: h, events } = host(() => settings);
        session = new Session(h);
        session.start();
        assert.equal(events.transports, 0);
        assert.equal(session.localEngine, undefined);
        assert.ok(session.remote);
        await assert.rejects(session.local.load({ modelPath: tiny, gpu: "cpu" }), /not running/);
    });

    it("a backend switch replaces the whole scope: the engine stops, a new one starts", async () => {
        let settings: Settings = { ...DEFAULTS, modelPath: tiny, gpu: "cpu", threads: 1 };
        const { host: h, events } = host(() => settings);
        session = new Session(h);
        session.start();
        const first = session.localEngine;
        assert.ok(first);
        await waitForState(first, "ready");
        assert.equal(session.backend.state.kind, "ready");

        settings = { ...settings, backend: "openai-compatible", "remote.endpoint": "http://127.0.0.1:1" };
        session.settingsChanged();
        assert.equal(session.localEngine, undefined);
        await waitForState(first, "stopped");
        assert.equal(session.backend.active, session.remote);

        settings = { ...settings, backend: "local" };
        session.settingsChanged();
        const second = session.localEngine;
        assert.ok(second && second !== first, "a fresh engine");
        await waitForState(second, "ready");
        assert.equal(events.transports, 2);
        assert.ok(events.replaced >= 3, `ghost text reset on each replacement (${events.replaced})`);
        assert.deepEqual(events.reports.filter((r) => !/127\.0\.0\.1:1/.test(r)), [], "only the unreachable server was reported");
    });

    it("a model setting reloads the model in the same scope; other settings change nothing", async () => {
        let settings: Settings = { ...DEFAULTS, modelPath: tiny, gpu: "cpu", threads: 1 };
        const { host: h, events } = host(() => settings);
        session = new Session(h);
        session.start();
        const engine = session.localEngine;
        assert.ok(engine);
        await waitForState(engine, "ready");
        settings = { ...settings, maxLines: 3 };
        session.settingsChanged();
        assert.equal(session.localEngine, engine);
        assert.equal(events.resolved.length, 1, "no reload for maxLines");
        settings = { ...settings, modelPath: await ensureModel("copy") };
        session.settingsChanged();
        assert.equal(session.localEngine, engine, "the same engine process");
        await waitForState(engine, "loading");
        await waitForState(engine, "ready");
        assert.equal(engine.state.kind === "ready" && engine.state.info.modelPath, settings.modelPath);
        assert.equal(events.transports, 1);
    });

    it("dispose waits until the engine has stopped", async () => {
        const settings: Settings = { ...DEFAULTS, modelPath: tiny, gpu: "cpu", threads: 1 };
        const { host: h } = host(() => settings);
        const s = new Session(h);
        s.start();
        const engine = s.localEngine;
        assert.ok(engine);
        await s.dispose();
        assert.equal(engine.state.kind, "stopped");
    });
});
