// The policy applied to fetch (the GPU pack, the remote server): an undici Dispatcher that picks,
// per origin, a direct Agent or a ProxyAgent (CONNECT for https://, absolute-URI requests for
// http://), each with the trusted authorities and VS Code's strict-SSL choice. Requests go through
// undici's own fetch, from the same package as the dispatcher: Node's built-in fetch bundles
// another undici (6.x in Node 20, 7.x in Node 24), whose fetch need not speak this dispatcher's
// handler API.

import { Agent, Dispatcher, ProxyAgent, fetch as undiciFetch } from "undici";
import type { NetworkOptions, TlsPolicy } from "./networkOptions";
import { proxyFor } from "./proxyPolicy";

export const fetch = undiciFetch;

/** Routes each request to a direct agent or the proxy `proxyFor` names for its origin. */
export class NetworkDispatcher extends Dispatcher {
    private readonly direct: Agent;
    private readonly proxies = new Map<string, ProxyAgent>();

    constructor(
        private readonly options: NetworkOptions,
        private readonly tls: TlsPolicy,
    ) {
        super();
        this.direct = new Agent({ connect: this.connectTls() });
    }

    /** The proxy a request to `url` goes through, if any (for messages); undefined also for a proxy URL that can't be used. */
    proxyOf(url: string | URL): URL | undefined {
        try {
            return proxyFor(url, this.options);
        } catch {
            return undefined;
        }
    }

    override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandlers): boolean {
        let target: Dispatcher;
        try {
            const proxy = proxyFor(String(options.origin), this.options);
            target = proxy ? this.proxyAgent(proxy) : this.direct;
        } catch (error) {
            handler.onError?.(error as Error);
            return false;
        }
        return target.dispatch(options, handler);
    }

    override close(): Promise<void>;
    override close(callback: () => void): void;
    override close(callback?: () => void): Promise<void> | void {
        const closed = Promise.all([this.direct, ...this.proxies.values()].map((d) => d.close())).then(() => undefined);
        if (!callback) return closed;
        void closed.then(callback);
    }

    override destroy(): Promise<void>;
    override destroy(err: Error | null): Promise<void>;
    override destroy(callback: () => void): void;
    override destroy(err: Error | null, callback: () => void): void;
    override destroy(errOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
        const err = typeof errOrCallback === "function" ? null : (errOrCallback ?? null);
        const done = typeof errOrCallback === "function" ? errOrCallback : callback;
        const destroyed = Promise.all([this.direct, ...this.proxies.values()].map((d) => d.destroy(err))).then(() => undefined);
        if (!done) return destroyed;
        void destroyed.then(done);
    }

    private proxyAgent(proxy: URL): ProxyAgent {
        let agent = this.proxies.get(proxy.href);
        if (!agent) {
            const tls = this.connectTls();
            agent = new ProxyAgent({
                uri: proxy.href,
                ...(this.options.proxyAuthorization ? { token: this.options.proxyAuthorization } : {}),
                requestTls: tls,
                proxyTls: tls,
                // http:// targets as absolute-URI requests: proxies often allow CONNECT to port 443 only.
                proxyTunnel: false,
            });
            this.proxies.set(proxy.href, agent);
        }
        return agent;
    }

    private connectTls() {
        return { ...(this.tls.ca ? { ca: [...this.tls.ca] } : {}), rejectUnauthorized: this.tls.rejectUnauthorized };
    }
}
