// Layers: only the adapters may import `vscode` at run time. Everything else is plain Node code that
// runs in unit tests, the worker and the CLI, so it may only `import type` from vscode.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const vscodeAdapters = ["src/extension.ts", "src/completion/provider.ts", "src/commands/**", "src/ui/**", "src/vscode/**"];

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
        ignores: vscodeAdapters,
        rules: {
            "@typescript-eslint/no-restricted-imports": ["error", {
                paths: [{ name: "vscode", message: "Core code may only `import type` from vscode; put runtime use in an adapter.", allowTypeImports: true }],
            }],
        },
    },
    {
        files: ["scripts/**/*.mjs"],
        languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
    },
);
