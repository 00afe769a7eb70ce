// The session: what lives as long as the extension, apart from what lives as long as one backend
// (after rust-analyzer's ctx.ts). The extension lifetime holds the settings, the active-backend seam
// and the list of model files that crashed the engine. A backend scope holds either the local engine
// (its process and the model loader) or the connection to a server; switching the backend replaces
// the whole scope, so the engine process starts only while the backend is local, and stops when a
// server takes over. Plain TypeScript: the host (src/extension.ts) passes in everything it needs.

import { ActiveBackend } from "../backend/activeBackend";
import { BackendError } from "../backend/backendError";
import type { BackendState } from "../backend/backend";
import { needsBackendChange, needsModelReload, type Settings } from "../config";
import type { ModelQuarantine } from "../engine/modelQuarantine";
import type { ModelInfo } from "../backend/types";
import type { LoadOptions, MemoryFigures } from "../engine/protocol";
import type { EngineHost, TransportFactory } from "../engine/transport";
import { WorkerClient } from "../engine/workerClient";
import type { GpuSetting } from "../gpu/gpuSetting";
import type { NetworkOptions } from "../net/networkOptions";
import { RemoteBackend } from "../remote/remoteBackend";
import { ModelLoader, type ModelPathResolver } from "./modelLoader";

type Log = (level: "debug" | "info" | "warn" | "error", message: string) => void;

export interface SessionHost {
    /** The settings as they are now (the configuration, less what an untrusted workspace may not set). */
    readonly readSettings: () => Settings;
    /** How to reach a new engine: a process or a thread. Called only when a local scope opens. */
    readonly transport: (host: EngineHost) => TransportFactory;
    /** Extension-lifetime: a file that crashed one engine is not loaded into the next. */
    readonly quarantine: ModelQuarantine;
    readonly resolveModelPath: ModelPathResolver;
    readonly remoteApiKey: () => Promise<string | undefined>;
    /** Proxy and certificates for the server: VS Code's http.* settings with solarComplete.caCertificates. */
    readonly network: (settings: Settings) => NetworkOptions;
    readonly log: Log;
    /** Shows an error once (the host deduplicates); `recovered` re-arms that after things work again. */
    readonly report: (error: unknown) => void;
    readonly recovered: () => void;
    /** Something the status bar shows changed. */
    readonly changed: () => void;
    /** What the backend knew is stale: ghost text forgets its cached suggestions. */
    readonly backendReplaced: () => void;
    /** solarComplete.engineHost changed: it applies to the next engine, at the next window reload. */
    readonly engineHostChanged?: () => void;
}

interface BackendScope {
    readonly engine?: WorkerClient;
    readonly loader?: ModelLoader;
    readonly remote?: RemoteBackend;
    /** Set first when the scope closes: a dying backend's states are nobody's business. */
    closed: boolean;
    dispose(): Promise<void>;
}

/** The local engine's calls that the command-palette and model commands need, whatever scope is open. */
export interface LocalEngine {
    readonly state: BackendState;
    load(options: LoadOptions): Promise<ModelInfo>;
    probeMemory(gpu: GpuSetting): Promise<MemoryFigures>;
}

export class Session {
    readonly backend = new ActiveBackend();
    private current: Settings;
    private scope: BackendScope | undefined;
    /** Scopes still stopping: dispose() waits for them too. */
    private readonly closing = new Set<Promise<void>>();

    constructor(private readonly host: SessionHost) {
        this.current = host.readSettings();
    }

    get settings(): Settings {
        return this.current;
    }

    /** The local engine while the backend is local; undefined while a server completes. */
    get localEngine(): WorkerClient | undefined {
        return this.scope?.engine;
    }

    get remote(): RemoteBackend | undefined {
        return this.scope?.remote;
    }

    /** The local engine for commands that need one: a clear error while a server completes. */
    readonly local: LocalEngine = ((session: Session): LocalEngine => ({
        get state(): BackendState {
            return session.localEngine?.state ?? { kind: "stopped" };
        },
        load: async (options) => session.requireLocal().load(options),
        probeMemory: async (gpu) => session.requireLocal().probeMemory(gpu),
    }))(this);

    start(): void {
        this.openScope();
    }

    /** The configuration changed: a new backend scope, a model reload, or nothing but new values. */
    settingsChanged(): void {
        const next = this.host.readSettings();
        const before = this.current;
        this.current = next;
        if (next.engineHost !== before.engineHost) this.host.engineHostChanged?.();
        if (needsBackendChange(before, next)) this.openScope();
        else if (needsModelReload(before, next) && this.scope?.loader) {
            this.host.backendReplaced();
            void this.scope.loader.apply(next);
        }
        this.host.changed();
    }

    /** VS Code's proxy settings changed: a server connection is made again through the new ones. */
    networkChanged(): void {
        if (this.scope?.remote) this.openScope();
    }

    /** The workspace became trusted: the settings it may set now apply, on a fresh backend. */
    trustGranted(): void {
        this.current = this.host.readSettings();
        this.openScope();
    }

    /** The user asks to try again: reconnect the server, revive a failed engine, or reload the model. */
    restart(): void {
        this.host.recovered();
        this.host.quarantine.clear(); // a file that crashed the engine is tried again on request
        const scope = this.scope;
        if (scope?.remote) void scope.remote.reconnect().catch(() => undefined);
        else if (scope?.engine?.state.kind === "failed") scope.engine.revive();
        else void scope?.loader?.apply(this.current, true);
    }

    /** After Instruct replaced the base model for a question; a server backend needs nothing. */
    reloadBaseModel(): Promise<void> {
        return this.scope?.loader?.apply(this.current, true) ?? Promise.resolve();
    }

    async dispose(): Promise<void> {
        this.closeScope();
        await Promise.all(this.closing);
    }

    private openScope(): void {
        this.closeScope();
        this.host.backendReplaced();
        const scope = this.current.backend === "openai-compatible" ? this.remoteScope() : this.localScope();
        this.scope = scope;
        this.backend.use(scope.remote ?? scope.engine);
        this.host.changed();
    }

    private closeScope(): void {
        const scope = this.scope;
        if (!scope) return;
        scope.closed = true;
        this.scope = undefined;
        this.backend.use(undefined);
        const closing = scope.dispose().catch((error: unknown) => this.host.log("warn", `Stopping the backend: ${String(error)}`));
        this.closing.add(closing);
        void closing.finally(() => this.closing.delete(closing));
    }

    private localScope(): BackendScope {
        const scope: BackendScope = { closed: false, dispose: async () => await engine.stop() };
        const engine = new WorkerClient(this.host.transport(this.current.engineHost), {
            quarantine: this.host.quarantine,
            log: this.host.log,
            onState: (state) => {
                if (scope.closed) return;
                if (state.kind === "ready") this.host.recovered();
                if (state.kind === "failed" || state.kind === "restarting") this.host.report(state.error);
                this.host.changed();
            },
        });
        const loader = new ModelLoader(engine, this.host.report, this.host.resolveModelPath);
        Object.assign(scope, { engine, loader });
        void loader.apply(this.current);
        return scope;
    }

    private remoteScope(): BackendScope {
        const settings = this.current;
        const scope: BackendScope = { closed: false, dispose: () => remote.stop() };
        const remote = new RemoteBackend({
            endpoint: settings["remote.endpoint"],
            model: settings["remote.model"],
            apiKey: this.host.remoteApiKey,
            requestTimeoutMs: settings["remote.requestTimeoutMs"],
            stallTimeoutMs: settings["remote.stallTimeoutMs"],
            network: this.host.network(settings),
            log: this.host.log,
            onState: (state) => {
                if (scope.closed) return;
                if (state.kind === "unavailable") this.host.report(state.error);
                this.host.changed();
            },
            // Not on "ready": a probe can succeed while completions still fail (a stalling stream).
            onServed: () => !scope.closed && this.host.recovered(),
        });
        Object.assign(scope, { remote });
        void remote.connect().catch(() => undefined);
        return scope;
    }

    private requireLocal(): WorkerClient {
        const engine = this.localEngine;
        if (!engine) throw new BackendError("STOPPED", "The local engine is not running: solarComplete.backend is a server.");
        return engine;
    }
}
