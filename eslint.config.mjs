// Layers: only the adapters may import `vscode` at run time. Everything else is plain Node code that
// runs in unit tests, the engine and the CLI, so it may only `import type` from vscode.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const vscodeAdapters = ["src/extension.ts", "src/completion/provider.ts", "src/commands/**", "src/ui/**"];
// llama.cpp is loaded only by the engine (its own process or thread) and the command-line tools; bench,
// test and scripts are outside src/. The extension host must never load it: a native crash there
// would end every extension of the user.
const llamaCppHosts = ["src/engine/**", "src/cli/**"];
const noRuntimeVscode = { name: "vscode", message: "Core code may only `import type` from vscode; put runtime use in an adapter.", allowTypeImports: true };
const noRuntimeLlamaCpp = { name: "node-llama-cpp", message: "Only the engine (src/engine) and the CLI load node-llama-cpp; the extension host must not. Send the engine a message instead.", allowTypeImports: true };

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
    {
        files: ["src/**/*.ts"],
        ignores: [...vscodeAdapters, ...llamaCppHosts],
        rules: { "@typescript-eslint/no-restricted-imports": ["error", { paths: [noRuntimeVscode, noRuntimeLlamaCpp] }] },
    },
    {
        files: vscodeAdapters,
        rules: { "@typescript-eslint/no-restricted-imports": ["error", { paths: [noRuntimeLlamaCpp] }] },
    },
    {
        files: llamaCppHosts,
        rules: { "@typescript-eslint/no-restricted-imports": ["error", { paths: [noRuntimeVscode] }] },
    },
    {
        files: ["src/**/*.ts"],
        ignores: llamaCppHosts,
        rules: {
            "no-restricted-syntax": ["error", {
                selector: "ImportExpression[source.value='node-llama-cpp']",
                message: noRuntimeLlamaCpp.message,
            }],
        },
    },
    {
        files: ["scripts/**/*.mjs"],
        languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
    },
);
