// "Solar: Set Remote API Key…": the key for the openai-compatible backend lives in VS Code's secret
// storage (the OS keychain), never in settings, which sync and sit in workspace files.

import * as vscode from "vscode";

export const REMOTE_API_KEY = "solarComplete.remote.apiKey";
export const SET_REMOTE_API_KEY_COMMAND = "solarComplete.setRemoteApiKey";

export function remoteApiKey(secrets: vscode.SecretStorage): () => Promise<string | undefined> {
    return async () => (await secrets.get(REMOTE_API_KEY)) || undefined;
}

/** Registers the command; `onChanged` runs once the key was stored or removed (e.g. reconnect). */
export function registerRemoteCommands(secrets: vscode.SecretStorage, onChanged: () => void): vscode.Disposable[] {
    return [
        vscode.commands.registerCommand(SET_REMOTE_API_KEY_COMMAND, async (value?: unknown) => {
            // An argument (tests, keybindings) skips the input box.
            const key =
                typeof value === "string"
                    ? value
                    : await vscode.window.showInputBox({
                          title: vscode.l10n.t("Solar: Remote API Key"),
                          prompt: vscode.l10n.t("The API key of the server in solarComplete.remote.endpoint (sent as a Bearer token), kept in VS Code's secret storage (empty removes it)."),
                          password: true,
                          ignoreFocusOut: true,
                      });
            if (key === undefined) return;
            if (key.trim()) await secrets.store(REMOTE_API_KEY, key.trim());
            else await secrets.delete(REMOTE_API_KEY);
        }),
        secrets.onDidChange((event) => {
            if (event.key === REMOTE_API_KEY) onChanged();
        }),
    ];
}
