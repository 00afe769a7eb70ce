// Layers: who may import whom (CONTRIBUTING.md, "Layers", says why). Only the adapters may import
// `vscode` at run time; only the engine and the CLI load node-llama-cpp, and within the engine only
// its worker side (the host side talks to it through protocol.ts); each folder of src/ imports only
// the layers below it. typescript-eslint's no-restricted-imports does this without
// eslint-plugin-import: a pattern matches the import specifier ("../engine/workerClient" names
// src/engine from any src/<folder>/ file, "./engine/…" from a root file). Flat config does not merge
// a rule's options across blocks, so one helper builds every entry, and each repeats the vscode and
// node-llama-cpp restrictions. A dynamic import() is no import declaration: no-restricted-syntax.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const vscodeAdapters = ["src/extension.ts", "src/completion/provider.ts", "src/commands/**", "src/ui/**"];
// llama.cpp is loaded only by the engine (its own process or thread) and the command-line tools; bench,
// test and scripts are outside src/. The extension host must never load it: a native crash there
// would end every extension of the user.
const llamaCppHosts = ["src/engine/**", "src/cli/**"];
// The engine's host side: it runs in the extension host, so it may not load llama.cpp or reach into
// the worker side, which it only talks to through protocol.ts.
const engineHostSide = ["src/engine/workerClient.ts", "src/engine/transport.ts", "src/engine/protocol.ts", "src/engine/modelQuarantine.ts"];
const WORKER_SIDE = "(worker|workerServer|inProcessTransport|llamaEngine|llamaRuntime|memoryProbe|chunkSizer|generatedText|sequencePool|incrementalTokenizer)";

const noRuntimeVscode = { name: "vscode", message: "Core code may only `import type` from vscode; put runtime use in an adapter.", allowTypeImports: true };
const noRuntimeLlamaCpp = { name: "node-llama-cpp", message: "Only the engine (src/engine) and the CLI load node-llama-cpp; the extension host must not. Send the engine a message instead.", allowTypeImports: true };

const noDynamicLlamaCpp = { selector: "ImportExpression[source.value='node-llama-cpp']", message: noRuntimeLlamaCpp.message };

const FOLDERS = ["ask", "backend", "cli", "commands", "completion", "context", "engine", "gpu", "model", "net", "power", "remote", "session", "status", "suggestion", "text", "ui", "util"];
const ALL = [...FOLDERS, "config", "extension"];

/** What each core layer may import, bottom to top; `types`: `import type` only. Everything else is denied. */
const LAYERS = {
    text: { may: [] },
    util: { may: [] },
    // Proxies and certificates for every outgoing request: below everything that downloads or connects.
    net: { may: [] },
    // Whether the machine runs on battery (sysfs, pmset, PowerShell) and the pause that follows it: Node only.
    power: { may: [] },
    gpu: { may: ["util", "net"] },
    model: { may: ["util", "text", "net"] },
    backend: { may: ["text", "util"], types: ["model"] },
    // Raw model text -> the ghost text to show: post-processing and the streaming stop that both
    // backends evaluate, so it sits below them and knows the contract only as types.
    suggestion: { may: ["text", "util"], types: ["backend"] },
    // Context from other files (retrieval, ring buffer, snippet blocks): pure, fed plain data by an
    // adapter; it reads line breaks and language comments from suggestion/ and nothing else of ours.
    context: { may: ["text", "suggestion"] },
    engine: { may: ["backend", "suggestion", "model", "gpu", "util", "text"] },
    remote: { may: ["backend", "suggestion", "util", "text", "net"] },
    config: { may: ["gpu", "model"], types: ["engine", "net"], root: true },
    completion: { may: ["backend", "suggestion", "text", "util"], types: ["config"] },
    ask: { may: ["backend", "text", "util"], types: ["config"] },
    status: { may: ["util"], types: ["backend"] },
    session: { may: ["backend", "engine", "remote", "completion", "ask", "status", "model", "gpu", "net", "config", "util", "text"] },
    cli: { may: ["backend", "suggestion", "engine", "remote", "model", "gpu", "util", "text"] },
};

function denied(name) {
    const layer = LAYERS[name];
    const allowed = new Set([name, ...layer.may, ...(layer.types ?? [])]);
    return ALL.filter((f) => !allowed.has(f));
}

/** One no-restricted-imports entry. `workerSide`: "outside" denies …/engine/<worker side>, "inside" ./<worker side>. */
function restrictions({ deny = [], typesOnly = [], root = false, vscode = false, llamaCpp = false, workerSide } = {}) {
    const prefix = root ? "^\\./" : "^(\\.\\./)+";
    const folders = (names) => `${prefix}(${names.join("|")})(/|$)`;
    const patterns = [];
    if (deny.length) patterns.push({ regex: folders(deny), message: "This layer may not import that folder: see CONTRIBUTING.md, Layers." });
    if (typesOnly.length) patterns.push({ regex: folders(typesOnly), allowTypeImports: true, message: "Only `import type` from that folder: see CONTRIBUTING.md, Layers." });
    const workerSideMessage = "The extension host reaches the engine's worker side through engine/protocol.ts and workerClient.ts only.";
    if (workerSide === "outside") patterns.push({ regex: `${prefix}engine/${WORKER_SIDE}$`, message: workerSideMessage });
    if (workerSide === "inside") patterns.push({ regex: `^\\./${WORKER_SIDE}$`, message: workerSideMessage });
    return { "@typescript-eslint/no-restricted-imports": ["error", { paths: [...(vscode ? [] : [noRuntimeVscode]), ...(llamaCpp ? [] : [noRuntimeLlamaCpp])], patterns }] };
}

export default tseslint.config(
    { ignores: ["dist/**", "node_modules/**", ".vscode-test/**", "bench/tmp/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        rules: {
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
        },
    },
    // Core code no layer names: vscode and node-llama-cpp only as types.
    { files: ["src/**/*.ts"], ignores: [...vscodeAdapters, ...llamaCppHosts], rules: restrictions() },
    // One block per layer; later blocks replace earlier ones for the same file.
    ...Object.entries(LAYERS).map(([name, layer]) => ({
        files: layer.root ? [`src/${name}.ts`] : [`src/${name}/**/*.ts`],
        rules: restrictions({
            deny: denied(name),
            typesOnly: layer.types,
            root: layer.root,
            llamaCpp: llamaCppHosts.includes(`src/${name}/**`),
            workerSide: name === "session" ? "outside" : undefined,
        }),
    })),
    { files: engineHostSide, rules: restrictions({ deny: denied("engine"), workerSide: "inside" }) },
    // Adapters may use vscode and every layer, but neither llama.cpp nor the engine's worker side.
    { files: vscodeAdapters.filter((f) => f !== "src/extension.ts"), rules: restrictions({ vscode: true, workerSide: "outside" }) },
    { files: ["src/extension.ts"], rules: restrictions({ vscode: true, root: true, workerSide: "outside" }) },
    // A dynamic import("node-llama-cpp") is no import declaration.
    { files: ["src/**/*.ts"], ignores: llamaCppHosts, rules: { "no-restricted-syntax": ["error", noDynamicLlamaCpp] } },
    { files: engineHostSide, rules: { "no-restricted-syntax": ["error", noDynamicLlamaCpp] } },
    {
        files: ["scripts/**/*.mjs"],
        languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
    },
);
