// console.log for host tests: lines that should show in the runner's output (timings, say).
// Tagged like mocha's report (see index.ts), since in code-server untagged lines count as workbench noise.

import { format } from "node:util";

export function hostLog(...args: unknown[]): void {
    console.log((process.env.SOLAR_HOST_CONSOLE_TAG ?? "") + format(...args));
}
