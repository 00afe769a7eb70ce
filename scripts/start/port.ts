// Which port `npm start` asks code-server for. A fixed one (8417, or $PORT) keeps the URL the same
// from run to run, so a browser tab or an `ssh -L 8417:127.0.0.1:8417` tunnel survives a restart.

import * as net from "node:net";

export const DEFAULT_PORT = 8417;

/** $PORT when set, else DEFAULT_PORT; throws on something that is not a port number. */
export function preferredPort(env: NodeJS.ProcessEnv = process.env): number {
    const raw = env.PORT?.trim();
    if (!raw) return DEFAULT_PORT;
    const port = Number(raw);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`PORT=${raw} is not a port number (1-65535)`);
    return port;
}

/**
 * Whether 127.0.0.1:port can be listened on, found by listening there for a moment. Something on
 * 0.0.0.0:port makes this fail too, which is what we want: code-server could not bind either.
 */
export function isPortFree(port: number, host = "127.0.0.1"): Promise<boolean> {
    return new Promise((resolve) => {
        const probe = net.createServer();
        probe.once("error", () => resolve(false));
        probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
    });
}
