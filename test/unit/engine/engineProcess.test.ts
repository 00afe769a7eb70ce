// How the engine process is started and how its death is described: pure pieces of transport.ts,
// and the quarantine of model files that crashed it.

import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describeProcessExit, ENGINE_V8_FLAGS, engineEnvironment, engineForkOptions, StderrTail } from "../../../src/engine/transport";
import { memoryQuarantineStore, modelCrashedMessage, ModelQuarantine } from "../../../src/engine/modelQuarantine";

const NODE_VERSIONS = { ...process.versions } as NodeJS.ProcessVersions;
const ELECTRON_VERSIONS = { ...process.versions, electron: "39.2.3" } as NodeJS.ProcessVersions;

describe("Engine process start", () => {
    it("in Electron, runs the editor's binary as Node, for the engine and everything it forks", () => {
        const options = engineForkOptions({ execPath: "/Applications/Code.app/Contents/MacOS/Code Helper (Plugin)", env: { PATH: "/usr/bin" }, versions: ELECTRON_VERSIONS });
        assert.equal(options.execPath, "/Applications/Code.app/Contents/MacOS/Code Helper (Plugin)");
        assert.equal(options.env?.ELECTRON_RUN_AS_NODE, "1");
        assert.equal(options.env?.PATH, "/usr/bin");
        assert.deepEqual(options.execArgv, ["--max-semi-space-size=2"], "our V8 flags only: no --inspect or loader flags of the host");
        assert.equal(options.serialization, "advanced");
        assert.deepEqual(options.stdio, ["ignore", "ignore", "pipe", "ipc"]);
    });

    it("under plain Node (code-server, tests), changes nothing but the flags", () => {
        const env = { PATH: "/usr/bin" };
        const options = engineForkOptions({ execPath: "/usr/bin/node", env, versions: NODE_VERSIONS });
        assert.equal(options.execPath, "/usr/bin/node");
        assert.deepEqual(options.env, { PATH: "/usr/bin" });
        assert.notEqual(options.env, env, "a copy: the host's own environment is left alone");
        assert.deepEqual(options.execArgv, ENGINE_V8_FLAGS);
        assert.notEqual(options.execArgv, ENGINE_V8_FLAGS, "a copy: a caller changing it leaves the next fork alone");
    });

    it("passes V8 flags this Node accepts (a misspelled one would stop the engine from starting)", () => {
        const run = spawnSync(process.execPath, [...ENGINE_V8_FLAGS, "-e", "process.exit(0)"], { encoding: "utf8" });
        assert.equal(run.status, 0, run.stderr);
    });

    it("gives a worker thread the same environment, so node-llama-cpp's forks run as Node there too", () => {
        assert.equal(engineEnvironment({}, ELECTRON_VERSIONS).ELECTRON_RUN_AS_NODE, "1");
        assert.equal(engineEnvironment({}, NODE_VERSIONS).ELECTRON_RUN_AS_NODE, undefined);
    });
});

describe("Engine process exit", () => {
    it("names llama.cpp's assertion without the build machine's folders", () => {
        const tail = new StderrTail();
        tail.push("[warn] load: something harmless\n/home/runner/work/node-llama-cpp/node-llama-cpp/llama/llama.cpp/src/llama-vocab.cpp:2501: ");
        tail.push("GGML_ASSERT(id_to_token.size() == token_to_id.size()) failed\n----- Native stack trace -----\n 1: 0xd3a3c0  [node]\n");
        assert.equal(tail.reason(), "llama-vocab.cpp:2501: GGML_ASSERT(id_to_token.size() == token_to_id.size()) failed");
        assert.equal(describeProcessExit(null, "SIGABRT", tail.reason())?.message, `its process aborted (SIGABRT): ${tail.reason()}`);
    });

    it("keeps only the tail, and says nothing for a clean exit", () => {
        const tail = new StderrTail(16);
        tail.push("a".repeat(100) + "\nlast words");
        assert.equal(tail.reason(), "last words");
        assert.equal(describeProcessExit(0, null, "whatever"), undefined);
        assert.equal(describeProcessExit(3, null, undefined)?.message, "its process exited with code 3");
        assert.equal(describeProcessExit(null, "SIGKILL", undefined)?.message, "its process was ended by SIGKILL");
    });
});

describe("ModelQuarantine", () => {
    const files = new Map<string, { size: number; mtimeMs: number }>([["/m/bad.gguf", { size: 10, mtimeMs: 1 }]]);
    const stat = (path: string) => files.get(path);

    it("blocks the exact file that crashed, until its size or time changes", () => {
        const quarantine = new ModelQuarantine(memoryQuarantineStore(), stat);
        assert.equal(quarantine.blocked("/m/bad.gguf"), undefined);
        quarantine.add("/m/bad.gguf", "load", "GGML_ASSERT(x) failed");
        assert.equal(quarantine.blocked("/m/bad.gguf")?.reason, "GGML_ASSERT(x) failed");
        files.set("/m/bad.gguf", { size: 10, mtimeMs: 2 });
        assert.equal(quarantine.blocked("/m/bad.gguf"), undefined, "a new download is tried again");
    });

    it("forgets everything when the user asks, and keeps its list in the store it was given", () => {
        const store = memoryQuarantineStore();
        new ModelQuarantine(store, stat).add("/m/bad.gguf", "first evaluation", "eps");
        const reopened = new ModelQuarantine(store, stat);
        assert.ok(reopened.blocked("/m/bad.gguf"), "survives a new ModelQuarantine over the same store (a restart)");
        reopened.clear();
        assert.equal(reopened.blocked("/m/bad.gguf"), undefined);
        assert.equal(reopened.add("/m/missing.gguf", "load", "x"), undefined, "a file that is gone is not remembered");
    });

    it("says in one line what crashed, why, and what to do", () => {
        const message = modelCrashedMessage({ path: "/m/bad.gguf", phase: "load", reason: "GGML_ASSERT(x) failed" });
        assert.match(message, /while loading \/m\/bad\.gguf \(GGML_ASSERT\(x\) failed\)/);
        assert.match(message, /Restart Engine/);
        assert.doesNotMatch(message, /\n/);
    });
});
