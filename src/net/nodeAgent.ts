// The policy applied to node:http(s) requests (the model download follows its redirects by hand,
// one request per hop): the proxy agent for the hop's URL, from https-proxy-agent (CONNECT, for
// https:// targets) or http-proxy-agent (absolute-URI requests, for http:// targets), and the TLS
// options for the server. The agents' TLS options apply to an https:// proxy; the request's reach
// the server through the tunnel (https-proxy-agent passes them to tls.connect).

import type * as http from "node:http";
import { HttpProxyAgent } from "http-proxy-agent";
import { HttpsProxyAgent } from "https-proxy-agent";
import type { NetworkOptions, TlsPolicy } from "./networkOptions";
import { proxyFor } from "./proxyPolicy";

export interface NodeRoute {
    /** Undefined: Node's global agent, a direct connection. */
    readonly agent?: http.Agent;
    readonly proxy?: URL;
    /** For https.request: the server's certificate check. */
    readonly tls: { readonly ca?: string[]; readonly rejectUnauthorized: boolean };
}

export function nodeRoute(target: URL, options: NetworkOptions, tls: TlsPolicy): NodeRoute {
    const tlsOptions = { ...(tls.ca ? { ca: [...tls.ca] } : {}), rejectUnauthorized: tls.rejectUnauthorized };
    const proxy = proxyFor(target, options);
    if (!proxy) return { tls: tlsOptions };
    const headers = options.proxyAuthorization ? { "Proxy-Authorization": options.proxyAuthorization } : undefined;
    const agentOptions = { ...tlsOptions, ...(headers ? { headers } : {}) };
    const agent = target.protocol === "https:" ? new HttpsProxyAgent(proxy, agentOptions) : new HttpProxyAgent(proxy, agentOptions);
    return { agent, proxy, tls: tlsOptions };
}
