// Offers the CUDA GPU pack (src/gpu/gpuPack.ts) where it would help: an NVIDIA GPU is there, the
// platform has a CUDA package and it isn't installed. The offer is a status bar item and one log
// line; nothing is downloaded before the user agrees in a modal dialog. At every activation an
// installed pack is linked into the extension's node_modules (an update replaces that folder).

import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { gpuPackFor, installGpuPack, linkGpuPack, NPM_REGISTRY, type GpuPack } from "../gpu/gpuPack";
import { detectNvidiaGpus } from "../gpu/nvidia";
import { readSettings, SECTION } from "../config";
import { networkOptions } from "./modelFileResolver";
import { markCudaPackOffered } from "./walkthrough";

export const INSTALL_GPU_PACK_COMMAND = "solarComplete.installGpuPack";
export const OFFER_MESSAGE = "CUDA available: install GPU pack?";
/**
 * Sizes of the 3.21.1 packages (npm pack, 2026-12-01; decimal MB): linux-x64-cuda 142.9 MB to
 * download, 188.7 MB unpacked; win-x64-cuda 138.5 MB and 175.5 MB.
 */
const SIZE_NOTE = "about 140 MB to download, under 190 MB on disk";

export interface GpuPackOfferDeps {
    readonly context: vscode.ExtensionContext;
    readonly log: vscode.LogOutputChannel;
    /** Test seam; default: nvidia-smi, then /proc/driver/nvidia. */
    readonly detectGpus?: () => Promise<string[]>;
    /** Test seam: a loopback registry. Default registry.npmjs.org (SOLAR_GPU_PACK_REGISTRY overrides it). */
    readonly registry?: string;
}

export class GpuPackOffer implements vscode.Disposable {
    private readonly item = vscode.window.createStatusBarItem("solarComplete.gpuPack", vscode.StatusBarAlignment.Right, 99);
    private readonly pack: GpuPack | undefined;
    /** The install running now: a second click joins it instead of racing it. */
    private installing: Promise<boolean> | undefined;

    constructor(private readonly deps: GpuPackOfferDeps) {
        this.pack = gpuPackFor(process.platform, process.arch, llamaVersion(deps.context.extensionPath));
        this.item.name = vscode.l10n.t("Solar Complete GPU pack");
        this.item.text = "$(cloud-download) CUDA";
        this.item.tooltip = vscode.l10n.t("{0} Solar runs on Vulkan or the CPU now; the CUDA build of llama.cpp is an optional download ({1}) from the npm registry.", OFFER_MESSAGE, SIZE_NOTE);
        this.item.command = INSTALL_GPU_PACK_COMMAND;
    }

    register(): vscode.Disposable[] {
        return [vscode.commands.registerCommand(INSTALL_GPU_PACK_COMMAND, () => this.install())];
    }

    /**
     * Links an installed pack, or offers one. The link is made before node-llama-cpp is first
     * imported: the worker imports it lazily, on its first load.
     * Never throws: a GPU pack problem must not stop activation.
     */
    async check(): Promise<void> {
        try {
            if (!this.pack) {
                this.deps.log.info(`GPU pack: none for ${process.platform}-${process.arch} (Metal is built in on Apple silicon).`);
                return;
            }
            const linked = linkGpuPack(this.deps.context.extensionPath, this.storageDir(), this.pack);
            if (linked !== "missing") {
                this.deps.log.info(`GPU pack: ${this.pack.name}@${this.pack.version} ${linked === "linked" ? `installed in ${this.storageDir()}` : "is part of this installation"}.`);
                return;
            }
            const gpus = await (this.deps.detectGpus ?? detectNvidiaGpus)();
            if (gpus.length === 0) {
                this.deps.log.info("GPU pack: no NVIDIA GPU found (nvidia-smi, /proc/driver/nvidia), so CUDA is not offered.");
                return;
            }
            this.deps.log.info(`${OFFER_MESSAGE} Found ${gpus.join(", ")}; run "Solar: Install CUDA GPU Pack" or click "CUDA" in the status bar.`);
            this.item.show();
            markCudaPackOffered();
        } catch (error) {
            this.deps.log.warn(`GPU pack check failed: ${error instanceof Error ? error.message : String(error)}`);
        }
    }

    install(): Promise<boolean> {
        this.installing ??= this.consentAndInstall().finally(() => (this.installing = undefined));
        return this.installing;
    }

    private async consentAndInstall(): Promise<boolean> {
        const pack = this.pack;
        if (!pack) {
            void vscode.window.showInformationMessage(vscode.l10n.t("Solar Complete: there is no CUDA GPU pack for this platform (macOS uses Metal, which is built in)."));
            return false;
        }
        const registry = this.deps.registry ?? process.env.SOLAR_GPU_PACK_REGISTRY ?? NPM_REGISTRY;
        const download = vscode.l10n.t("Download");
        const consent = process.env.SOLAR_DOWNLOAD_CONSENT === "always" ? download : await vscode.window.showInformationMessage(
            vscode.l10n.t("Download the CUDA GPU pack for Solar Complete?"),
            {
                modal: true,
                detail: vscode.l10n.t(
                    "{0}@{1} (node-llama-cpp's CUDA build of llama.cpp, {2}) from {3}, verified with the registry's sha512 integrity hash, into {4}. It needs an NVIDIA driver with the CUDA 12 runtime; if CUDA can't load, Solar keeps running on Vulkan or the CPU.",
                    pack.name,
                    pack.version,
                    SIZE_NOTE,
                    registry,
                    this.storageDir(),
                ),
            },
            download,
        );
        if (consent !== download) return false;
        try {
            await vscode.window.withProgress(
                { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Solar Complete: CUDA GPU pack"), cancellable: true },
                async (progress, token) => {
                    const abort = new AbortController();
                    token.onCancellationRequested(() => abort.abort());
                    let reported = 0;
                    await installGpuPack({
                        pack, registry, storageDir: this.storageDir(), signal: abort.signal,
                        // VS Code's proxy settings and solarComplete.caCertificates, as they are now.
                        network: networkOptions(readSettings(vscode.workspace.getConfiguration(SECTION), vscode.workspace.isTrusted)),
                        log: (message) => this.deps.log.info(message),
                        onProgress: (received, total) => {
                            if (!total) return;
                            const percent = Math.floor((received / total) * 100);
                            if (percent > reported) progress.report({ increment: percent - reported, message: vscode.l10n.t("{0} of {1} MB", (received / 1e6).toFixed(0), (total / 1e6).toFixed(0)) });
                            reported = percent;
                        },
                    });
                },
            );
            linkGpuPack(this.deps.context.extensionPath, this.storageDir(), pack);
        } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            this.deps.log.error(`GPU pack: ${message}`);
            if ((error as { code?: string }).code !== "CANCELLED") void vscode.window.showErrorMessage(vscode.l10n.t("Solar Complete: the GPU pack could not be installed: {0}", message));
            return false;
        }
        this.item.hide();
        this.deps.log.info(`GPU pack installed: ${pack.name}@${pack.version}. A window reload loads llama.cpp again with CUDA.`);
        void vscode.window.showInformationMessage(vscode.l10n.t("Solar Complete: the CUDA GPU pack is installed. Reload the window to use it."), vscode.l10n.t("Reload Window")).then((picked) => {
            if (picked) void vscode.commands.executeCommand("workbench.action.reloadWindow");
        });
        return true;
    }

    private storageDir(): string {
        return this.deps.context.globalStorageUri.fsPath;
    }

    dispose(): void {
        this.item.dispose();
    }
}

function llamaVersion(extensionPath: string): string {
    try {
        return (JSON.parse(fs.readFileSync(path.join(extensionPath, "node_modules/node-llama-cpp/package.json"), "utf8")) as { version: string }).version;
    } catch {
        return "0.0.0"; // no node-llama-cpp next to the extension: nothing could load a pack anyway
    }
}
