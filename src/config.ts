// The one reader of the extension's settings. Pure: the source is injected (VS Code's
// WorkspaceConfiguration in the product, a plain object in tests), values are validated and
// clamped here, and defaults live in DEFAULTS, which a unit test checks against package.json.

import type { GpuSetting } from "./gpu/gpuSetting";
import type { EngineHost } from "./engine/transport";
import { DEFAULT_QUANTIZATION, QUANTIZATIONS, type QuantizationSetting } from "./model/catalog";
import type { NetworkOptions } from "./net/networkOptions";

export const SECTION = "solarComplete";

export interface Settings {
    readonly enable: boolean;
    /** Ghost text pauses while the machine runs on its battery (read every minute or two, only while this is on). */
    readonly pauseOnBattery: boolean;
    /** Per-language switch, like Copilot's: `{"*": true, "markdown": false}`. */
    readonly enableLanguages: Readonly<Record<string, boolean>>;
    /** "manual": ghost text only when asked (Alt+\ or "Solar: Suggest Here"); typing never reaches the model. */
    readonly trigger: "automatic" | "manual";
    /**
     * Glob patterns of files that get no ghost text and whose text is never sent to a backend.
     * Workspace settings can only add to the user's list (see readExclude).
     */
    readonly exclude: readonly string[];
    /** Most candidates an explicit request offers (Alt+] cycles them); those past the free ones cost a generation each. */
    readonly candidates: number;
    readonly debounceMinMs: number;
    readonly debounceMaxMs: number;
    readonly maxTokens: number;
    readonly maxLines: number;
    readonly temperature: number;
    /** Ghost text: "auto" shows multi-line suggestions when nothing follows the cursor; "never" keeps one line. */
    readonly multiline: "auto" | "never";
    readonly stopStrings: readonly string[];
    readonly timeLimitMs: number;
    readonly gpu: GpuSetting;
    /** 0 = automatic (cores - 1, at least 1). */
    readonly threads: number;
    /** Where llama.cpp runs: its own process (a native crash can't take the editor down) or a thread. */
    readonly engineHost: EngineHost;
    /** A local GGUF file; machine scope, ignored in untrusted workspaces. Empty = the catalog's model. */
    readonly modelPath: string;
    /** Solar Instruct GGUF for "Solar: Prompt..."; overrides instructQuantization. Empty = the catalog's, if any. */
    readonly instructModelPath: string;
    /**
     * The catalog's Solar Instruct for "Solar: Prompt..." (CC-BY-NC-4.0: non-commercial), downloaded
     * into storageFolder after consent; "none" = the base model with a plain-text framing.
     */
    readonly instructQuantization: QuantizationSetting | "none";
    /** Where "Solar: Prompt..." answers by default. */
    readonly promptOutput: "untitled" | "cursor";
    /** Tokens generated for a command-palette prompt or "Continue Here". */
    readonly "prompt.maxTokens": number;
    /** Catalog quantization downloaded into storageFolder when modelPath is empty; "auto" fits the machine. */
    readonly quantization: QuantizationSetting;
    /** Replaces https://huggingface.co (a mirror); machine scope, ignored in untrusted workspaces. */
    readonly downloadEndpoint: string;
    /** Where catalog models are kept; empty = the extension's global storage. Machine scope, restricted. */
    readonly storageFolder: string;
    /** Who completes: the in-process engine, or a server speaking OpenAI-compatible /v1/completions. */
    readonly backend: "local" | "openai-compatible";
    /** The server's root URL; machine scope, ignored in untrusted workspaces. The API key is in SecretStorage. */
    readonly "remote.endpoint": string;
    /** The model name sent to the server; empty = the server's first model. */
    readonly "remote.model": string;
    /** Longest wait for the server's response headers. */
    readonly "remote.requestTimeoutMs": number;
    /** Longest silence inside a stream before it counts as stalled. */
    readonly "remote.stallTimeoutMs": number;
    /**
     * PEM files of extra certificate authorities trusted for downloads and the remote server; machine
     * scope, ignored in untrusted workspaces (a workspace must not make the machine trust a CA).
     */
    readonly caCertificates: readonly string[];
    /** Snippets from the user's other files before the current file's window (src/context). */
    readonly "context.enabled": boolean;
    /** Most prompt tokens the snippets may take (never more than half the prompt). */
    readonly "context.maxTokens": number;
    /** Which sources snippets come from. */
    readonly "context.sources": ContextSources;
    /** KV states the engine keeps (one per recent file or place): going back to one costs only what changed there. */
    readonly kvStates: number;
}

export interface ContextSources {
    /** Text documents open in the editor. */
    readonly openFiles: boolean;
    /** Ranges edited recently, in any workspace file. */
    readonly recentEdits: boolean;
    /** Ranges visible when the user left a file. */
    readonly recentViews: boolean;
    /** Text copied from another workspace file. */
    readonly clipboard: boolean;
}

/** Most candidates an explicit request may return (VS Code cycles them with Alt+] / Alt+[). */
export const MAX_CANDIDATES = 3;

/**
 * Secrets by file name, each group for a reason:
 * - environment files: the conventional home of API keys and passwords (dotenv's `.env`,
 *   `.env.local`, `.env.production`; docker's `--env-file app.env`; direnv's `.envrc`).
 *   `.env.example` is caught too: it is where real values get pasted by mistake;
 * - private keys and certificate bundles: PEM (`*.pem`, `*.key`), PKCS#12 (`*.p12`, `*.pfx`),
 *   PuTTY (`*.ppk`), and SSH keys, which have no extension, so only their names catch them
 *   (`id_rsa*` also catches the harmless `id_rsa.pub`);
 * - tools that keep tokens or passwords in plain text: npm and pip upload tokens (`.npmrc`,
 *   `.pypirc`), `.netrc`/`_netrc`, git's credential store, PostgreSQL's `.pgpass`, kubectl's
 *   `.kube/config`, docker's registry logins (`.docker/config.json`);
 * - conventional secret stores: `credentials*` (AWS `~/.aws/credentials`, Google's service-account
 *   `credentials.json`), `secrets.*` (Rails `secrets.yml`, Kubernetes `secrets.yaml`, Streamlit
 *   `secrets.toml`), and Terraform state, which holds every secret of a deployment in plain text.
 * Source files that happen to have such names (`credentials.ts`) are excluded too: one line in the
 * user's settings undoes that, and nothing undoes a leak.
 */
export const DEFAULT_EXCLUDE: readonly string[] = [
    "**/.env",
    "**/.env.*",
    "**/*.env",
    "**/.envrc",
    "**/*.pem",
    "**/*.key",
    "**/*.p12",
    "**/*.pfx",
    "**/*.ppk",
    "**/id_rsa*",
    "**/id_dsa*",
    "**/id_ecdsa*",
    "**/id_ed25519*",
    "**/.npmrc",
    "**/.pypirc",
    "**/.netrc",
    "**/_netrc",
    "**/.git-credentials",
    "**/.pgpass",
    "**/.kube/config",
    "**/.docker/config.json",
    "**/credentials*",
    "**/secrets.*",
    "**/*.tfstate",
    "**/*.tfstate.*",
];

export const DEFAULTS: Settings = {
    enable: true,
    pauseOnBattery: false,
    // The commit-message box gets no ghost text unless asked: a code model's guesses there are noise.
    enableLanguages: { "*": true, scminput: false },
    trigger: "automatic",
    exclude: DEFAULT_EXCLUDE,
    candidates: 3,
    debounceMinMs: 50,
    debounceMaxMs: 600,
    maxTokens: 64,
    maxLines: 8,
    temperature: 0,
    multiline: "auto",
    stopStrings: [],
    timeLimitMs: 10_000,
    gpu: "auto",
    threads: 0,
    engineHost: "process",
    modelPath: "",
    instructModelPath: "",
    instructQuantization: "none",
    promptOutput: "untitled",
    "prompt.maxTokens": 512,
    quantization: DEFAULT_QUANTIZATION,
    downloadEndpoint: "",
    storageFolder: "",
    backend: "local",
    "remote.endpoint": "",
    "remote.model": "",
    "remote.requestTimeoutMs": 10_000,
    "remote.stallTimeoutMs": 5_000,
    caCertificates: [],
    "context.enabled": true,
    "context.maxTokens": 1024,
    "context.sources": { openFiles: true, recentEdits: true, recentViews: true, clipboard: true },
    kvStates: 2,
};

/** Settings whose change needs the model reloaded in the worker; the others apply at once. */
export const MODEL_KEYS: readonly (keyof Settings)[] = ["modelPath", "gpu", "threads", "quantization", "downloadEndpoint", "storageFolder", "kvStates"];

/** Settings naming files or URLs: machine scope, and never taken from an untrusted workspace. */
export const RESTRICTED_KEYS: readonly (keyof Settings)[] = ["modelPath", "instructModelPath", "downloadEndpoint", "storageFolder", "remote.endpoint", "caCertificates"];

/** Settings whose change means another backend (or another connection to the server). */
export const BACKEND_KEYS: readonly (keyof Settings)[] = ["backend", "remote.endpoint", "remote.model", "remote.requestTimeoutMs", "remote.stallTimeoutMs", "caCertificates"];

export interface ConfigSource {
    get(key: string): unknown;
    /** Each settings layer apart (VS Code's WorkspaceConfiguration.inspect); lets a layer add to a list. */
    inspect?(key: string): LayeredValue | undefined;
}

export interface LayeredValue {
    readonly defaultValue?: unknown;
    readonly globalValue?: unknown;
    readonly workspaceValue?: unknown;
    readonly workspaceFolderValue?: unknown;
}

export function readSettings(source: ConfigSource, trusted = true): Settings {
    const get = <K extends keyof Settings>(key: K): unknown =>
        !trusted && RESTRICTED_KEYS.includes(key) ? undefined : source.get(key);
    const number = (key: keyof Settings, min: number, max: number): number => {
        const value = get(key);
        const fallback = DEFAULTS[key] as number;
        return typeof value === "number" && Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
    };
    const oneOf = <T extends string>(key: keyof Settings, allowed: readonly T[]): T => {
        const value = get(key);
        return allowed.includes(value as T) ? (value as T) : (DEFAULTS[key] as T);
    };
    const debounceMinMs = number("debounceMinMs", 0, 2000);
    const enable = get("enable");
    const languages = get("enableLanguages");
    const stops = get("stopStrings");
    const modelPath = get("modelPath");
    const trimmed = (key: keyof Settings): string => {
        const value = get(key);
        return typeof value === "string" ? value.trim() : (DEFAULTS[key] as string);
    };
    const instructModelPath = get("instructModelPath");
    return {
        enable: typeof enable === "boolean" ? enable : DEFAULTS.enable,
        pauseOnBattery: get("pauseOnBattery") === true,
        enableLanguages: isBooleanMap(languages) ? languages : DEFAULTS.enableLanguages,
        trigger: oneOf("trigger", ["automatic", "manual"]),
        exclude: readExclude(source),
        candidates: Math.round(number("candidates", 1, MAX_CANDIDATES)),
        debounceMinMs,
        debounceMaxMs: Math.max(debounceMinMs, number("debounceMaxMs", 0, 5000)),
        maxTokens: Math.round(number("maxTokens", 1, 1024)),
        maxLines: Math.round(number("maxLines", 1, 200)),
        temperature: number("temperature", 0, 2),
        multiline: oneOf("multiline", ["auto", "never"]),
        stopStrings: Array.isArray(stops) ? stops.filter((s): s is string => typeof s === "string" && s.length > 0) : DEFAULTS.stopStrings,
        timeLimitMs: Math.round(number("timeLimitMs", 100, 600_000)),
        gpu: oneOf("gpu", ["auto", "cuda", "vulkan", "metal", "cpu"]),
        threads: Math.round(number("threads", 0, 256)),
        engineHost: oneOf("engineHost", ["process", "thread"]),
        modelPath: typeof modelPath === "string" ? modelPath.trim() : DEFAULTS.modelPath,
        instructModelPath: typeof instructModelPath === "string" ? instructModelPath.trim() : DEFAULTS.instructModelPath,
        instructQuantization: oneOf("instructQuantization", ["none", "auto", ...QUANTIZATIONS]),
        promptOutput: oneOf("promptOutput", ["untitled", "cursor"]),
        "prompt.maxTokens": Math.round(number("prompt.maxTokens", 1, 2048)),
        quantization: oneOf("quantization", ["auto", ...QUANTIZATIONS]),
        downloadEndpoint: trimmed("downloadEndpoint"),
        storageFolder: trimmed("storageFolder"),
        backend: oneOf("backend", ["local", "openai-compatible"]),
        "remote.endpoint": trimmed("remote.endpoint"),
        "remote.model": trimmed("remote.model"),
        "remote.requestTimeoutMs": Math.round(number("remote.requestTimeoutMs", 100, 600_000)),
        "remote.stallTimeoutMs": Math.round(number("remote.stallTimeoutMs", 100, 600_000)),
        caCertificates: patternList(get("caCertificates")) ?? DEFAULTS.caCertificates,
        "context.enabled": get("context.enabled") !== false,
        "context.maxTokens": Math.round(number("context.maxTokens", 0, 2048)),
        "context.sources": readSources(get("context.sources")),
        kvStates: Math.round(number("kvStates", 1, 8)),
    };
}

/** VS Code's own proxy settings, in the `http` section (application scope: no workspace sets them). */
export const HTTP_SECTION = "http";

/**
 * The network policy every outgoing request honours: VS Code's http.proxy, http.proxyStrictSSL,
 * http.noProxy and http.proxyAuthorization (read from `http`, the `http` section of VS Code's
 * configuration), the environment's HTTPS_PROXY/HTTP_PROXY/NO_PROXY, and solarComplete.caCertificates.
 */
export function readNetwork(http: ConfigSource, settings: Pick<Settings, "caCertificates">, env: NodeJS.ProcessEnv = process.env): NetworkOptions {
    const proxy = http.get("proxy");
    const strictSSL = http.get("proxyStrictSSL");
    const authorization = http.get("proxyAuthorization");
    return {
        proxy: typeof proxy === "string" ? proxy.trim() : "",
        strictSSL: strictSSL !== false,
        noProxy: patternList(http.get("noProxy")) ?? [],
        ...(typeof authorization === "string" && authorization.trim() ? { proxyAuthorization: authorization.trim() } : {}),
        caFiles: settings.caCertificates,
        env,
    };
}

/** The keys whose values differ; lets the caller decide between a model reload and nothing. */
export function changedKeys(before: Settings, after: Settings): (keyof Settings)[] {
    return (Object.keys(after) as (keyof Settings)[]).filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
}

export function needsBackendChange(before: Settings, after: Settings): boolean {
    return changedKeys(before, after).some((key) => BACKEND_KEYS.includes(key));
}

export function needsModelReload(before: Settings, after: Settings): boolean {
    return changedKeys(before, after).some((key) => MODEL_KEYS.includes(key));
}

/**
 * solarComplete.exclude protects the user's secrets, so a workspace (a cloned repository) must not
 * be able to shrink it: the user's list (or the default) stands, and workspace and folder settings
 * only add patterns. Without layers (plain-object sources in tests, the CLI) the value is taken as is.
 */
function readExclude(source: ConfigSource): readonly string[] {
    const layers = source.inspect?.("exclude");
    if (!layers) return patternList(source.get("exclude")) ?? DEFAULTS.exclude;
    const own = patternList(layers.globalValue) ?? DEFAULTS.exclude;
    const added = [...(patternList(layers.workspaceValue) ?? []), ...(patternList(layers.workspaceFolderValue) ?? [])];
    return [...new Set([...own, ...added])];
}

/** Each source as set, the default for any left out or not a boolean. */
function readSources(value: unknown): ContextSources {
    const given = isBooleanMap(value) ? value : {};
    const sources = { ...DEFAULTS["context.sources"] };
    for (const key of Object.keys(sources) as (keyof ContextSources)[]) {
        if (typeof given[key] === "boolean") sources[key] = given[key];
    }
    return sources;
}

function patternList(value: unknown): string[] | undefined {
    if (!Array.isArray(value)) return undefined;
    return value.filter((p): p is string => typeof p === "string").map((p) => p.trim()).filter((p) => p.length > 0);
}

function isBooleanMap(value: unknown): value is Record<string, boolean> {
    return typeof value === "object" && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === "boolean");
}
