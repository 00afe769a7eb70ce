// The network settings every outgoing request honours, as plain data the extension host reads (VS
// Code's http.proxy, http.proxyStrictSSL, http.noProxy, http.proxyAuthorization and
// solarComplete.caCertificates) and passes down; the CLI and tests pass the environment only. This
// file turns them into TLS options: the trusted authorities (the built-in ones plus the PEM files)
// and whether certificates are checked at all.

import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import * as tls from "node:tls";
import { CA_SETTING, NetworkSetupError } from "./networkErrors";
import type { ProxySettings } from "./proxyPolicy";

export interface NetworkOptions extends ProxySettings {
    /**
     * VS Code's `http.proxyStrictSSL` (default true). False accepts any certificate, the proxy's and
     * the servers', as VS Code itself does with it.
     */
    readonly strictSSL?: boolean;
    /** VS Code's `http.proxyAuthorization`: the Proxy-Authorization header sent to the proxy. */
    readonly proxyAuthorization?: string;
    /** PEM files of extra certificate authorities (`solarComplete.caCertificates`). */
    readonly caFiles?: readonly string[];
}

export interface TlsPolicy {
    /** Undefined: Node's default authorities. Else the defaults plus the PEM files' certificates. */
    readonly ca?: readonly string[];
    readonly rejectUnauthorized: boolean;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The TLS side of `options`; reads the CA files (a few KB) and throws NetworkSetupError for one it can't use. */
export function tlsPolicy(options: NetworkOptions = {}, read: (file: string) => string = (file) => readFileSync(file, "utf8")): TlsPolicy {
    const files = (options.caFiles ?? []).map((file) => file.trim()).filter((file) => file.length > 0);
    const rejectUnauthorized = options.strictSSL !== false;
    if (files.length === 0) return { rejectUnauthorized };
    const extra = files.flatMap((file) => certificatesIn(file, read));
    return { ca: [...defaultAuthorities(), ...extra], rejectUnauthorized };
}

/** The certificates of one PEM file, each parsed, so that a broken file fails here and not at the handshake. */
export function certificatesIn(file: string, read: (file: string) => string): string[] {
    let text: string;
    try {
        text = read(file);
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
        throw new NetworkSetupError("CA", `${CA_SETTING}: cannot read ${file} (${code}).`);
    }
    const certificates = text.match(PEM_CERTIFICATE) ?? [];
    if (certificates.length === 0) throw new NetworkSetupError("CA", `${CA_SETTING}: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----).`);
    for (const pem of certificates) {
        try {
            new X509Certificate(pem);
        } catch (error) {
            throw new NetworkSetupError("CA", `${CA_SETTING}: ${file} holds a certificate that does not parse (${error instanceof Error ? error.message : String(error)}).`);
        }
    }
    return certificates;
}

/**
 * What Node trusts without a `ca` option: giving one replaces them, so they are added back. Node
 * 22.15+ lists them with NODE_EXTRA_CA_CERTS included; before, the bundled roots plus that file.
 */
function defaultAuthorities(): string[] {
    const list = (tls as { getCACertificates?: (type: "default") => string[] }).getCACertificates;
    if (list) return list("default");
    const extraFile = process.env.NODE_EXTRA_CA_CERTS;
    let extra: string[] = [];
    if (extraFile) {
        try {
            extra = readFileSync(extraFile, "utf8").match(PEM_CERTIFICATE) ?? [];
        } catch {
            // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS.
        }
    }
    return [...tls.rootCertificates, ...extra];
}
