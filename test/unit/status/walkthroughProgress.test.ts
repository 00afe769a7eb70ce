import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ModelInfo } from "../../../src/backend/types";
import { catalogEntry, QUANTIZATIONS } from "../../../src/model/catalog";
import { backendKeys, firstRunAction, WALKTHROUGH_ID, WALKTHROUGH_KEYS, type FirstRunInput } from "../../../src/status/walkthroughProgress";
import { formatGB } from "../../../src/util/bytes";
import { readManifest } from "../../fixtures/manifest";

const ROOT = path.resolve(__dirname, "../../..");
interface Step {
    readonly id: string;
    readonly description: string;
    readonly media: { readonly markdown?: string };
    readonly completionEvents?: readonly string[];
    readonly when?: string;
}
const manifest = readManifest(ROOT) as {
    publisher: string;
    name: string;
    contributes: { commands: { command: string }[]; walkthroughs: { id: string; steps: Step[] }[] };
};
const steps = manifest.contributes.walkthroughs[0].steps;

const info: ModelInfo = {
    modelPath: "/models/solar.gguf",
    architecture: "llama",
    fileSize: 6.5e9,
    contextSize: 4096,
    trainedContextSize: 4096,
    backend: "CUDA, NVIDIA RTX 4090",
    gpu: "cuda",
    threads: 7,
    loadMs: 900,
};

describe("walkthrough progress", () => {
    describe("the first start", () => {
        const first: FirstRunInput = { alreadyDone: false, testMode: false, openOnInstall: true, editorVisible: false };

        it("opens the walkthrough once, in front when no editor is visible", () => {
            assert.deepEqual(firstRunAction(first), { open: true, inactive: false, remember: true });
            assert.deepEqual(firstRunAction({ ...first, alreadyDone: true }), { open: false, remember: false });
        });

        it("beside an editor opens it as a background tab, so the editor keeps focus", () => {
            assert.deepEqual(firstRunAction({ ...first, editorVisible: true }), { open: true, inactive: true, remember: true });
        });

        it("respects VS Code's openOnInstall setting, and stays done", () => {
            assert.deepEqual(firstRunAction({ ...first, openOnInstall: false }), { open: false, remember: true });
        });

        it("does nothing in an extension test run, and leaves the flag for a real first start", () => {
            assert.deepEqual(firstRunAction({ ...first, testMode: true }), { open: false, remember: false });
        });
    });

    describe("the context keys a backend state decides", () => {
        const keys = (modelReady: boolean, gpuInUse: boolean) => ({ [WALKTHROUGH_KEYS.modelReady]: modelReady, [WALKTHROUGH_KEYS.gpuInUse]: gpuInUse });

        it("a model on a GPU ticks off both steps", () => {
            assert.deepEqual(backendKeys({ kind: "ready", info }), keys(true, true));
            assert.deepEqual(backendKeys({ kind: "ready", info: { ...info, gpu: "metal", backend: "Metal, Apple M2" } }), keys(true, true));
        });

        it("the CPU, a GPU build with no layers offloaded, and a server are no GPU in use", () => {
            assert.deepEqual(backendKeys({ kind: "ready", info: { ...info, gpu: false, backend: "CPU, 7 threads" } }), keys(true, false));
            assert.deepEqual(backendKeys({ kind: "ready", info: { ...info, gpu: "vulkan", backend: "CPU, 7 threads (Vulkan build, no layers offloaded)" } }), keys(true, false));
            assert.deepEqual(backendKeys({ kind: "ready", info: { ...info, gpu: false, backend: "llama-server at http://gpu-box:8080" } }), keys(true, false));
        });

        it("no model yet is neither", () => {
            for (const state of [{ kind: "starting" }, { kind: "loading", modelPath: "/m.gguf" }, { kind: "noModel" }, { kind: "stopped" }] as const) {
                assert.deepEqual(backendKeys(state), keys(false, false), state.kind);
            }
        });
    });

    describe("package.json's walkthrough", () => {
        it("is the one WALKTHROUGH_ID names", () => {
            assert.equal(WALKTHROUGH_ID, `${manifest.publisher}.${manifest.name}#${manifest.contributes.walkthroughs[0].id}`);
        });

        it("completes each step on a key the extension sets, or a command or setting that exists", () => {
            const sources = fs.readdirSync(path.join(ROOT, "src"), { recursive: true, encoding: "utf8" })
                .filter((file) => file.endsWith(".ts"))
                .map((file) => fs.readFileSync(path.join(ROOT, "src", file), "utf8"))
                .join("\n");
            const ours = new Set(manifest.contributes.commands.map((c) => c.command));
            for (const step of steps) {
                assert.ok(step.completionEvents?.length, `${step.id} says when it is done`);
                for (const event of step.completionEvents) {
                    const [kind, name] = event.split(/:(.*)/);
                    if (kind === "onContext") assert.ok(Object.values(WALKTHROUGH_KEYS).includes(name as never) || sources.includes(`"${name}"`), `${step.id}: nothing sets ${name}`);
                    else if (kind === "onCommand") assert.ok(ours.has(name) || name.startsWith("editor.action.inlineSuggest."), `${step.id}: no command ${name}`);
                    else assert.equal(kind, "onSettingChanged", event);
                }
            }
            for (const key of [WALKTHROUGH_KEYS.cudaPackOffered]) assert.ok(steps.some((s) => s.when?.includes(key)), `a step's when names ${key}`);
        });

        it("links only to commands that exist", () => {
            const ours = new Set(manifest.contributes.commands.map((c) => c.command));
            for (const step of steps) {
                for (const [, command] of step.description.matchAll(/\]\(command:([\w.]+)/g)) {
                    assert.ok(ours.has(command) || command.startsWith("workbench.action."), `${step.id} links to ${command}`);
                }
            }
        });

        it("has a page for every step, and every picture a page shows", () => {
            for (const step of steps) {
                assert.ok(step.media.markdown, step.id);
                const page = path.join(ROOT, step.media.markdown);
                for (const [, image] of fs.readFileSync(page, "utf8").matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) {
                    assert.ok(fs.existsSync(path.join(path.dirname(page), image)), `${step.media.markdown} shows ${image}`);
                }
            }
        });

        it("the model page gives the catalog's sizes and memory for every quantization", () => {
            const page = fs.readFileSync(path.join(ROOT, "media/walkthrough/model.md"), "utf8");
            for (const quantization of QUANTIZATIONS) {
                const entry = catalogEntry("base", quantization);
                assert.ok(page.includes(`| ${quantization} | ${formatGB(entry.size)} | ~${formatGB(entry.memory)} | ${entry.quality} |`), quantization);
            }
        });
    });
});
