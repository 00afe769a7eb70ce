// Download failures as one clear line each, with a code the callers (VS Code adapter, CLI) switch on.
// The URL shown is always the one asked for, never a redirect target (those carry signed tokens).

import * as path from "node:path";
import { describeCertificateError, describeProxyError, NetworkSetupError } from "../net/networkErrors";

export type DownloadErrorCode =
    | "HTTP_401"
    | "HTTP_403"
    | "HTTP_404"
    | "HTTP_STATUS"
    | "TIMEOUT"
    | "DNS"
    | "CONNECTION"
    | "INTERRUPTED"
    | "DISK_FULL"
    | "NO_PERMISSION"
    | "SIZE_MISMATCH"
    | "SHA256_MISMATCH"
    | "NOT_GGUF"
    | "TOO_MANY_REDIRECTS"
    /** The server's certificate is not trusted, or a file in solarComplete.caCertificates is unusable. */
    | "CERTIFICATE"
    /** The proxy refused, wants credentials, is unreachable, or its URL is unusable. */
    | "PROXY"
    | "CANCELLED";

export class DownloadError extends Error {
    constructor(
        readonly code: DownloadErrorCode,
        message: string,
    ) {
        super(message);
        this.name = "DownloadError";
    }

    /** Failures after which the temporary file is kept and the next attempt resumes it. */
    get resumable(): boolean {
        return !["SIZE_MISMATCH", "SHA256_MISMATCH", "NOT_GGUF"].includes(this.code);
    }
}

export function httpError(status: number, statusText: string, url: string): DownloadError {
    const line = `HTTP ${status} ${statusText || "Error"}: ${url}`;
    switch (status) {
        case 401:
            return new DownloadError("HTTP_401", `${line} (the repository needs a token: set HF_TOKEN, or run "Solar: Set Download Token")`);
        case 403:
            return new DownloadError("HTTP_403", `${line} (access denied: accept the repository's terms on its page, and check the token)`);
        case 404:
            return new DownloadError("HTTP_404", `${line} (no such file at this endpoint: check solarComplete.downloadEndpoint or the URL)`);
        case 407:
            return new DownloadError("PROXY", `${line} (the proxy wants credentials: put them in the proxy URL, http://user:password@host:port, or in http.proxyAuthorization)`);
        default:
            return new DownloadError("HTTP_STATUS", line);
    }
}

export function cancelled(destination: string): DownloadError {
    return new DownloadError("CANCELLED", `Download cancelled; run it again to resume: ${path.basename(destination)}`);
}

/**
 * A proxy, certificate or network-settings failure as one DownloadError naming the setting that
 * fixes it; undefined for any other error. `hop`: the URL that failed when a redirect led there (only
 * its host is named: redirect targets carry signed tokens).
 */
export function networkFailure(error: unknown, proxy: URL | undefined, url: string, hop?: URL): DownloadError | undefined {
    if (error instanceof DownloadError) return error;
    if (error instanceof NetworkSetupError) return new DownloadError(error.code === "CA" ? "CERTIFICATE" : "PROXY", error.message);
    const server = hop ? `${hop.protocol}//${hop.host}` : url;
    const certificate = describeCertificateError(error, server);
    if (certificate) return new DownloadError("CERTIFICATE", `${certificate} Downloading ${url}`);
    const viaProxy = describeProxyError(error, proxy, url);
    return viaProxy ? new DownloadError("PROXY", viaProxy.message) : undefined;
}

/** Maps a socket or file-system error to a DownloadError; `where` is the URL or the file concerned. */
export function systemError(error: unknown, url: string, file: string): DownloadError {
    if (error instanceof DownloadError) return error;
    const network = networkFailure(error, undefined, url);
    if (network) return network;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const detail = error instanceof Error ? error.message : String(error);
    const host = hostOf(url);
    switch (code) {
        case "ENOTFOUND":
        case "EAI_AGAIN":
        case "EAI_FAIL":
            return new DownloadError("DNS", `DNS lookup failed for ${host}: ${url} (offline? on an air-gapped network set solarComplete.downloadEndpoint to a mirror)`);
        case "ECONNREFUSED":
        case "ECONNRESET":
        case "EHOSTUNREACH":
        case "ENETUNREACH":
        case "EPIPE":
            return new DownloadError("CONNECTION", `Connection to ${host} failed (${code}): ${url}`);
        case "ETIMEDOUT":
            return new DownloadError("TIMEOUT", `Timed out connecting to ${host}: ${url}`);
        case "ENOSPC":
        case "EDQUOT":
            return new DownloadError("DISK_FULL", `Disk full while writing ${file}: free some space and run the download again (it resumes).`);
        case "EACCES":
        case "EPERM":
        case "EROFS":
            return new DownloadError("NO_PERMISSION", `Cannot write ${file} (${code}): choose another folder (solarComplete.storageFolder or --dir).`);
        default:
            return new DownloadError("CONNECTION", `Download failed (${code ?? detail}): ${url}`);
    }
}

function hostOf(url: string): string {
    try {
        return new URL(url).host;
    } catch {
        return url;
    }
}
