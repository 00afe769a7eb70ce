// TLS on 127.0.0.1 with a certificate authority made for the test: `openssl` (the CLI; node:crypto
// cannot issue certificates) makes a CA, a second unrelated CA, and a server certificate for
// 127.0.0.1 and localhost signed by the first. `startTlsFront` puts an HTTPS server with that
// certificate in front of a plain HTTP server (the model mirror, llama-server), forwarding every
// request unchanged and recording its path.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export interface TestCertificates {
    readonly dir: string;
    /** PEM of the CA that signed the server's certificate. */
    readonly caFile: string;
    /** PEM of another CA: trusting it does not make the server trusted. */
    readonly otherCaFile: string;
    readonly key: string;
    readonly cert: string;
    remove(): void;
}

export function makeCertificates(): TestCertificates {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "solar-tls-"));
    const file = (name: string) => path.join(dir, name);
    const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    for (const name of ["ca", "other-ca"]) {
        openssl("req", "-x509", ...ec, "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "2", "-subj", `/CN=Solar Complete test ${name}`,
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    }
    openssl("req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
    fs.writeFileSync(file("server.ext"), "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n");
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext");
    return {
        dir,
        caFile: file("ca.pem"),
        otherCaFile: file("other-ca.pem"),
        key: fs.readFileSync(file("server.key"), "utf8"),
        cert: fs.readFileSync(file("server.pem"), "utf8"),
        remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}

export interface TlsFront {
    /** https://127.0.0.1:<port> */
    readonly url: string;
    /** "GET /path" of every request that reached it. */
    readonly requests: string[];
    close(): Promise<void>;
}

export async function startTlsFront(target: string, certificates: Pick<TestCertificates, "key" | "cert">): Promise<TlsFront> {
    const requests: string[] = [];
    const sockets = new Set<Socket>();
    const server = https.createServer({ key: certificates.key, cert: certificates.cert }, (req, res) => {
        requests.push(`${req.method} ${req.url}`);
        const upstream = http.request(new URL(req.url ?? "/", target), { method: req.method, headers: req.headers }, (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
        });
        upstream.on("error", () => res.destroy());
        res.on("close", () => upstream.destroy());
        req.pipe(upstream);
    });
    server.on("connection", (socket: Socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
    });
    // A client that rejects the certificate closes the connection mid-handshake: not the server's error.
    server.on("tlsClientError", () => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        close() {
            for (const socket of sockets) socket.destroy();
            return new Promise((resolve) => server.close(() => resolve()));
        },
    };
}
