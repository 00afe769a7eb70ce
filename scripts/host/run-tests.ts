// `npm run test:host`: the extension-host suite, offline, in code-server's real Node extension host
// driven by headless Chromium (see hostSuite.ts). Exits with the suite's code.
//
// Env: SOLAR_HOST_TIMEOUT_MS (default 300000), SOLAR_HOST_GREP (mocha grep), SOLAR_HOST_VERBOSE=1
// (the workbench's console and code-server's log too), SOLAR_HOST_KEEP=1 (keep code-server's temp
// folder), SOLAR_HOST_VSIX=<file> (test that packaged extension, installed, instead of the repo).

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensureModel } from "../../test/fixtures/models";
import { startModelServer } from "../../test/unit/support/modelServer";
import { startLlamaServer } from "../../test/fixtures/llamaServer";
import { catalogEntry, downloadUrl } from "../../src/model/catalog";
import { runSuiteInCodeServer } from "./hostSuite";

const timeoutMs = Number(process.env.SOLAR_HOST_TIMEOUT_MS ?? 300_000);

// Last resort if cleanup itself hangs. Exiting SIGKILLs code-server's process group (codeServer.ts),
// and playwright kills the browser it launched.
const forceExit = (code: number, afterMs: number, why: string) => setTimeout(() => {
    console.error(`[test:host] ${why}: exiting`);
    process.exit(code);
}, afterMs).unref();
forceExit(124, timeoutMs + 60_000, `still running ${timeoutMs / 1000 + 60} s after start`);

// Ctrl+C stops the run through its normal cleanup (temp folders removed); a second one exits at once.
// `on`, not `once`: codeServer.ts only leaves a signal to us while our listener stays registered.
const abort = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
        if (abort.signal.aborted) process.exit(130);
        console.error(`[test:host] ${signal}: stopping`);
        abort.abort();
        forceExit(130, 15_000, "cleanup after the signal hung");
    });
}

/** The generated models the suite uses, built here (cached) so the extension host only reads them. */
async function modelEnv(): Promise<Record<string, string>> {
    return {
        SOLAR_TEST_COPY_CODE_MODEL: await ensureModel("copy-code"),
        SOLAR_TEST_TINY_MODEL: await ensureModel("tiny"),
        SOLAR_TEST_COPY_MODEL: await ensureModel("copy"),
        SOLAR_TEST_COPY_CONTEXT_MODEL: await ensureModel("copy-context"),
        // Only for the prompt suite's timing (time to the first streamed character, streaming rate).
        SOLAR_TEST_MEDIUM_MODEL: await ensureModel("medium"),
    };
}

/**
 * The test bed for model files (ModelFileResolver, ModelLoader): a loopback server serving generated
 * models under catalog file names (tiny as Q4_0, copy-code as Q4_K_M, the default), the endpoint
 * setting pointing at it, and an empty storage folder, so quantization switches download and load
 * real files with no internet.
 */
async function catalogMirror(): Promise<{ env: Record<string, string>; settings: Record<string, unknown> }> {
    const server = await startModelServer();
    process.on("exit", () => void server.close());
    const serve = async (quant: "Q4_0" | "Q4_K_M", model: "tiny" | "copy-code") =>
        server.serve(new URL(downloadUrl(catalogEntry("base", quant), server.endpoint)).pathname, { file: await ensureModel(model), linkedSha: true });
    await serve("Q4_0", "tiny");
    await serve("Q4_K_M", "copy-code");
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), "solar-host-models-"));
    process.on("exit", () => fs.rmSync(storage, { recursive: true, force: true }));
    return {
        env: { SOLAR_TEST_MODEL_ENDPOINT: server.endpoint, SOLAR_TEST_MODEL_STORAGE: storage, SOLAR_DOWNLOAD_CONSENT: "always" },
        settings: { "solarComplete.downloadEndpoint": server.endpoint, "solarComplete.storageFolder": storage },
    };
}

/** A real llama-server (the cached build) serving the copy model, for the remote-backend suite. */
async function remoteEnv(): Promise<Record<string, string>> {
    const server = await startLlamaServer({ model: await ensureModel("copy-code") });
    process.on("exit", () => void server.stop());
    return { SOLAR_TEST_LLAMA_SERVER_URL: server.url };
}

const vsix = process.env.SOLAR_HOST_VSIX;
Promise.all([modelEnv(), catalogMirror(), remoteEnv()]).then(([env, mirror, remote]) => runSuiteInCodeServer({
    env: { ...env, ...mirror.env, ...remote },
    settings: mirror.settings,
    timeoutMs,
    verbose: process.env.SOLAR_HOST_VERBOSE === "1",
    signal: abort.signal,
    ...(vsix ? { installExtensions: [vsix], extensionDevelopmentPath: null } : {}),
})).then(
    (code) => process.exit(code),
    (error: unknown) => {
        console.error(`[test:host] ${error instanceof Error ? error.stack : String(error)}`);
        process.exit(1);
    },
);
