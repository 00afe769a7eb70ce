// The translator the pure core takes for text a user reads. The core may not import vscode at run
// time, so an adapter passes `(m, ...a) => vscode.l10n.t(m, ...a)`; tests, the CLI and every default
// use `english`, which fills in the arguments the way vscode.l10n.t does with no bundle loaded.

export type Translate = (message: string, ...args: Array<string | number | boolean>) => string;

// vscode.l10n.t (format2 in vs/base/common/strings.ts) matches `{…}` up to the first `}` and puts
// in the argument at that index, leaving the match as it is when there is none: "{x}", "{ 0}" and
// an index past the arguments stay, and so does "{{0}}" (the match is "{{0}", which names none).
const PLACEHOLDER = /{([^}]+)}/g;
const INDEX = /^(0|[1-9]\d*)$/;

/** The message with `{0}`, `{1}`… replaced by the arguments at those indexes: vscode.l10n.t's English. */
export const english: Translate = (message, ...args) => {
    if (args.length === 0) return message;
    return message.replace(PLACEHOLDER, (match, name: string) => (INDEX.test(name) && Number(name) < args.length ? String(args[Number(name)]) : match));
};
