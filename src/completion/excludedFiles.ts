// solarComplete.exclude: files that get no ghost text and whose text no backend ever sees, local or
// remote (ghost text, Continue Here, a Prompt about a selection). Pure: the adapter hands over a
// document's paths, this says which pattern, if any, matches. Globs are picomatch's (the syntax of
// VS Code's files.exclude: `**`, `*`, `?`, `{a,b}`, `[...]`).
//
// Matching errs towards excluding, because the two mistakes are not alike: a file excluded by
// mistake only loses its ghost text (and the status bar says which pattern to remove), while a file
// missed by mistake sends a password to a model, or to a server when the backend is remote.
// - Case is ignored: `.ENV` and `Server.PEM` are the same secrets on Windows and macOS file systems.
// - Dot folders and dotfiles count: `**/*.key` matches `.ssh/server.key`, `**/credentials*`
//   matches `.aws/credentials`.
// - A pattern is tried against the path relative to its workspace folder and against the absolute
//   path, so both `config/master.key` and `**/*.key` work; `\` is read as `/` on every platform.

import picomatch from "picomatch/posix";

/** Where a document lives, as the matcher wants it. */
export interface DocumentPaths {
    /** The file system path (or the URI's path for other schemes). */
    readonly absolute: string;
    /** Relative to the workspace folder holding it; absent outside every folder. */
    readonly relative?: string;
}


type Matcher = (path: string) => boolean;

/** Compiles the patterns once per settings value; match() runs on every request, so it only tests. */
export class ExcludedFiles {
    private compiled: { readonly patterns: readonly string[]; readonly matchers: readonly (readonly [string, Matcher])[] } | undefined;

    constructor(private readonly patterns: () => readonly string[]) {}

    /** The first pattern that matches, or undefined when the file may be completed. */
    match(paths: DocumentPaths): string | undefined {
        const candidates = [paths.relative, paths.absolute].filter((p): p is string => p !== undefined && p !== "").map(toSlashes);
        for (const [pattern, matches] of this.matchers()) {
            if (candidates.some(matches)) return pattern;
        }
        return undefined;
    }

    private matchers(): readonly (readonly [string, Matcher])[] {
        const patterns = this.patterns();
        if (this.compiled?.patterns !== patterns) this.compiled = { patterns, matchers: compile(patterns) };
        return this.compiled.matchers;
    }
}

function compile(patterns: readonly string[]): (readonly [string, Matcher])[] {
    const matchers: (readonly [string, Matcher])[] = [];
    for (const pattern of patterns) {
        try {
            const matches = picomatch(toSlashes(pattern), { dot: true, nocase: true });
            // One argument only: picomatch reads a second one as "return a result object".
            matchers.push([pattern, (path) => matches(path)]);
        } catch {
            // picomatch only throws on input it cannot parse at all; such a pattern excludes nothing.
        }
    }
    return matchers;
}

function toSlashes(path: string): string {
    return path.replace(/\\/g, "/");
}
