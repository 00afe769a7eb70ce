// Which proxy a request goes through, decided once for every outgoing request (model downloads, the
// GPU pack, the remote server): VS Code's http.proxy when set, else the environment's HTTPS_PROXY /
// HTTP_PROXY (lowercase first, as VS Code and curl read them); NO_PROXY and VS Code's http.noProxy
// name the hosts that go direct. Pure: the settings and the environment arrive as data.

import { BlockList, isIP } from "node:net";
import { NetworkSetupError } from "./networkErrors";

export interface ProxySettings {
    /** VS Code's `http.proxy`; wins over the environment. Empty: the environment decides. */
    readonly proxy?: string;
    /** VS Code's `http.noProxy`: hosts that go direct, besides NO_PROXY's. */
    readonly noProxy?: readonly string[];
    /** Default: process.env. */
    readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The proxy for `target`, or undefined to connect directly. Throws NetworkSetupError for a proxy URL we cannot use. */
export function proxyFor(target: string | URL, settings: ProxySettings = {}): URL | undefined {
    const url = typeof target === "string" ? new URL(target) : target;
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
    const env = settings.env ?? process.env;
    const configured = settings.proxy?.trim()
        ? { value: settings.proxy.trim(), source: "http.proxy" }
        : url.protocol === "https:"
          ? (fromEnv(env, "https_proxy") ?? fromEnv(env, "http_proxy"))
          : fromEnv(env, "http_proxy");
    if (!configured) return undefined;
    if (bypassesProxy(url, [...(settings.noProxy ?? []), ...splitNoProxy(fromEnv(env, "no_proxy")?.value)])) return undefined;
    return parseProxyUrl(configured.value, configured.source);
}

/** `proxy:3128` means `http://proxy:3128`; only HTTP and HTTPS proxies are supported (no SOCKS). */
export function parseProxyUrl(value: string, source = "http.proxy"): URL {
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
    let url: URL;
    try {
        url = new URL(withScheme);
    } catch {
        throw new NetworkSetupError("PROXY", `${source} is not a proxy URL: ${value.replace(/\/\/[^@/]*@/, "//***@")}`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw new NetworkSetupError("PROXY", `${source} names a ${url.protocol.replace(/:$/, "")} proxy (${redact(url)}); only http:// and https:// proxies are supported.`);
    }
    return url;
}

/**
 * NO_PROXY as curl and Go read it: `*` matches every host; `example.com` matches it and its
 * subdomains, `.example.com` and `*.example.com` only its subdomains; `host:port` only that port;
 * IP addresses exactly, or a CIDR range (`10.0.0.0/8`, `fd00::/8`).
 */
export function bypassesProxy(url: URL, entries: readonly string[]): boolean {
    const host = url.hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "").toLowerCase();
    const port = url.port || (url.protocol === "https:" ? "443" : "80");
    return entries.some((raw) => matches(raw.trim().toLowerCase(), host, port));
}

export function splitNoProxy(value: string | undefined): string[] {
    return (value ?? "").split(/[\s,]+/).filter((entry) => entry.length > 0);
}

/** The proxy URL without its password, for messages and logs. */
export function redact(url: URL): string {
    if (!url.password) return url.href;
    const copy = new URL(url.href);
    copy.password = "***";
    return copy.href;
}

function matches(entry: string, host: string, port: string): boolean {
    if (!entry) return false;
    if (entry === "*") return true;
    const { name, port: entryPort } = splitHostPort(entry);
    if (entryPort !== undefined && entryPort !== port) return false;
    if (name.includes("/")) return inCidr(host, name);
    if (isIP(name)) return isIP(host) !== 0 && sameAddress(name, host);
    const domain = name.replace(/^\*?\./, "").replace(/\.$/, "");
    if (!domain) return false;
    const subdomainsOnly = /^\*?\./.test(name);
    return host.endsWith(`.${domain}`) || (!subdomainsOnly && host === domain);
}

function splitHostPort(entry: string): { name: string; port?: string } {
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) return { name: bracketed[1], port: bracketed[2] };
    // One colon: host:port. More: a bare IPv6 address (or range), no port.
    const colons = entry.split(":").length - 1;
    if (colons === 1) {
        const [name, port] = entry.split(":");
        if (/^\d+$/.test(port)) return { name, port };
    }
    return { name: entry };
}

function inCidr(host: string, range: string): boolean {
    const [address, bits] = range.split("/");
    const family = isIP(address);
    const hostFamily = isIP(host);
    if (!family || family !== hostFamily || !/^\d+$/.test(bits)) return false;
    const list = new BlockList();
    try {
        list.addSubnet(address, Number(bits), family === 6 ? "ipv6" : "ipv4");
    } catch {
        return false;
    }
    return list.check(host, family === 6 ? "ipv6" : "ipv4");
}

function sameAddress(a: string, b: string): boolean {
    const family = isIP(a);
    if (family !== isIP(b)) return false;
    const list = new BlockList();
    list.addAddress(a, family === 6 ? "ipv6" : "ipv4");
    return list.check(b, family === 6 ? "ipv6" : "ipv4");
}

function fromEnv(env: Readonly<Record<string, string | undefined>>, lower: string): { value: string; source: string } | undefined {
    for (const name of [lower, lower.toUpperCase()]) {
        const value = env[name]?.trim();
        if (value) return { value, source: name };
    }
    return undefined;
}
