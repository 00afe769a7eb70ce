// How the command-line tools end on an error: one `error:` line on stderr, the usage after it when
// the command line itself was wrong, and a non-zero exit code.

/** A wrong command line: the usage is printed after the message. */
export class UsageError extends Error {}

type ExitCode = (error: unknown, wrongUsage: boolean) => number;
const byUsage: ExitCode = (_, wrongUsage) => (wrongUsage ? 2 : 1);

/** The `.catch` of a tool's main(); `exitCode` picks the code, by default 2 for a usage error and 1 otherwise. */
export function exitOnError(usage: string, exitCode: ExitCode = byUsage): (error: unknown) => void {
    return (error) => {
        const wrongUsage = isUsageError(error);
        process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n${wrongUsage ? `${usage}\n` : ""}`);
        process.exitCode = exitCode(error, wrongUsage);
    };
}

/** Ours, or node:util parseArgs rejecting an unknown option or a bad value. */
function isUsageError(error: unknown): boolean {
    const code = (error as { code?: unknown } | undefined)?.code;
    return error instanceof UsageError || (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"));
}
