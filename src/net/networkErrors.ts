// What went wrong on the way to a server, said once and naming the setting that fixes it: a
// certificate no trusted authority signed (solarComplete.caCertificates), a proxy that refused or
// wants credentials (http.proxy), a CA file or proxy URL we cannot use. Pure: built from the error
// Node or undici raised, which carries the TLS code somewhere in its `cause` chain.

export const CA_SETTING = "solarComplete.caCertificates";

export class NetworkSetupError extends Error {
    constructor(
        /** CA: a file in solarComplete.caCertificates; PROXY: http.proxy or HTTPS_PROXY/HTTP_PROXY. */
        readonly code: "CA" | "PROXY",
        message: string,
    ) {
        super(message);
        this.name = "NetworkSetupError";
    }
}

/** The chain was not signed by an authority we trust: another CA file is the fix. */
const UNTRUSTED = new Set([
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "UNABLE_TO_GET_ISSUER_CERT",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "CERT_UNTRUSTED",
    "CERT_SIGNATURE_FAILURE",
    "INVALID_CA",
]);
/** The certificate is broken whoever signed it: no CA file fixes these. */
const INVALID = new Set(["CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID", "ERR_TLS_CERT_ALTNAME_INVALID", "CERT_REVOKED", "CERT_REJECTED"]);

/** The TLS verification code in `error` or its causes (fetch wraps it; behind a proxy undici may wrap it again). */
export function certificateCode(error: unknown): string | undefined {
    for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
        const code = (current as { code?: unknown }).code;
        if (typeof code === "string" && (UNTRUSTED.has(code) || INVALID.has(code))) return code;
    }
    return undefined;
}

/** One line for a certificate failure talking to `url`, or undefined when `error` is none. */
export function describeCertificateError(error: unknown, url: string): string | undefined {
    const code = certificateCode(error);
    if (!code) return undefined;
    const host = hostOf(url);
    if (UNTRUSTED.has(code)) {
        return `The certificate of ${host} is not signed by an authority this machine trusts (${code}). If it comes from your organisation's own certificate authority, add that authority's PEM file to ${CA_SETTING}.`;
    }
    const why = code === "ERR_TLS_CERT_ALTNAME_INVALID" ? "is not valid for this host name" : code === "CERT_HAS_EXPIRED" ? "has expired" : code === "CERT_NOT_YET_VALID" ? "is not valid yet" : "was rejected";
    return `The certificate of ${host} ${why} (${code}); the server's certificate needs fixing (${CA_SETTING} only adds trusted authorities).`;
}

export interface ProxyProblem {
    readonly message: string;
    /** The proxy wants credentials (HTTP 407): retrying without a settings change cannot help. */
    readonly credentials: boolean;
}

/**
 * A proxy failure in one line: undici says "Proxy response (407) !== 200 when HTTP Tunneling" (or
 * "Proxy Authentication Required (407)" without a tunnel); a proxy that is down refuses the
 * connection to its own port. Undefined when `error` is none of these, or no proxy was used.
 */
export function describeProxyError(error: unknown, proxy: URL | undefined, url: string): ProxyProblem | undefined {
    if (!proxy) return undefined;
    const where = `the proxy ${proxy.host} (http.proxy or HTTPS_PROXY/HTTP_PROXY)`;
    const proxyPort = Number(proxy.port || (proxy.protocol === "https:" ? 443 : 80));
    for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
        const message = current instanceof Error ? current.message : String(current);
        const status = /Proxy response \((\d+)\)/.exec(message)?.[1] ?? (/Proxy Authentication Required/.test(message) ? "407" : undefined);
        if (status === "407") {
            return { credentials: true, message: `${where} wants credentials (HTTP 407) for ${url}: put them in the proxy URL (http://user:password@host:port) or in http.proxyAuthorization.` };
        }
        if (status) return { credentials: false, message: `${where} refused to connect to ${hostOf(url)} (HTTP ${status}).` };
        const { code, port } = current as { code?: unknown; port?: unknown };
        if ((code === "ECONNREFUSED" || code === "ECONNRESET" || code === "ETIMEDOUT") && port === proxyPort) {
            return { credentials: false, message: `Cannot reach ${where} (${String(code)}) for ${url}.` };
        }
        if ((code === "ENOTFOUND" || code === "EAI_AGAIN") && (current as { hostname?: unknown }).hostname === proxy.hostname) {
            return { credentials: false, message: `Cannot find ${where} (${String(code)}) for ${url}.` };
        }
    }
    return undefined;
}

function hostOf(url: string): string {
    try {
        return new URL(url).host;
    } catch {
        return url;
    }
}
