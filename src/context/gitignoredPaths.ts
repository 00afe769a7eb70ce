// Whether git ignores a workspace file, from the .gitignore files on its path (and .git/info/exclude),
// read through an injected reader and matched by the `ignore` library, which implements git's rules
// (negation, directory patterns, anchoring) as git does. Ignored files are build output, vendored
// code, logs and local secrets: never context for a prompt.
//
// Not consulted: the user's global excludesFile and git's index (a tracked file that a pattern
// matches is still treated as ignored): a file outside the repository's rules errs on the side of
// staying out of prompts.

import ignore, { type Ignore } from "ignore";

/** Reads a file's text, or undefined when it does not exist. */
export type ReadText = (absolutePath: string) => Promise<string | undefined>;

export class GitignoredPaths {
    /** Rules per folder (relative to the root, "" for the root itself), read once each. */
    private readonly rules = new Map<string, Promise<Ignore | undefined>>();

    /** `root` is the workspace folder's path, "/"-separated. */
    constructor(
        private readonly root: string,
        private readonly read: ReadText,
    ) {}

    /** `relativePath`: "/"-separated, relative to the root. */
    async ignores(relativePath: string): Promise<boolean> {
        const parts = relativePath.split("/").filter((part) => part.length > 0);
        if (parts.length === 0 || parts.includes(".git")) return true;
        for (let depth = 0; depth < parts.length; depth++) {
            const folder = parts.slice(0, depth).join("/");
            const rules = await this.rulesIn(folder);
            // Patterns in a folder's .gitignore are relative to that folder.
            if (rules?.ignores(parts.slice(depth).join("/"))) return true;
        }
        return false;
    }

    /** A .gitignore changed: every folder's rules are read again. */
    invalidate(): void {
        this.rules.clear();
    }

    private rulesIn(folder: string): Promise<Ignore | undefined> {
        let rules = this.rules.get(folder);
        if (!rules) {
            rules = this.load(folder);
            this.rules.set(folder, rules);
        }
        return rules;
    }

    private async load(folder: string): Promise<Ignore | undefined> {
        const base = folder ? `${this.root}/${folder}` : this.root;
        const texts = await Promise.all([
            this.read(`${base}/.gitignore`),
            folder ? Promise.resolve(undefined) : this.read(`${base}/.git/info/exclude`),
        ]);
        const found = texts.filter((text): text is string => text !== undefined);
        return found.length === 0 ? undefined : ignore().add(found.join("\n"));
    }
}
