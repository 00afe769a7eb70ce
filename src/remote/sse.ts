// Server-sent events as OpenAI-compatible servers stream them: `data: {json}` lines, a blank line
// between events, `data: [DONE]` at the end. Pure and incremental: bytes arrive in arbitrary chunks
// (a line, a JSON object or a UTF-8 character may be split between two of them).

export type SseEvent =
    | { readonly kind: "data"; readonly json: unknown }
    | { readonly kind: "done" };

export class SseError extends Error {
    readonly code = "REMOTE_BAD_STREAM";
}

/** Feed it chunks; it returns the complete events they finished. Throws SseError on a malformed event. */
export class SseParser {
    private readonly decoder = new TextDecoder("utf-8", { fatal: false });
    private buffer = "";
    private data: string[] = [];
    private finished = false;

    push(chunk: Uint8Array | string): SseEvent[] {
        this.buffer += typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
        const events: SseEvent[] = [];
        let newline: number;
        while ((newline = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
            // A lone "\r" at the end of the buffer may be the first half of "\r\n": wait for more.
            if (this.buffer[newline] === "\r" && newline === this.buffer.length - 1) break;
            const line = this.buffer.slice(0, newline);
            this.buffer = this.buffer.slice(newline + (this.buffer.startsWith("\r\n", newline) ? 2 : 1));
            const event = this.line(line);
            if (event) events.push(event);
        }
        return events;
    }

    /** The stream ended: an event still open counts (some servers omit the final blank line). */
    end(): SseEvent[] {
        const rest = this.buffer + this.decoder.decode();
        this.buffer = "";
        const events: SseEvent[] = [];
        if (rest) {
            const event = this.line(rest);
            if (event) events.push(event);
        }
        const last = this.dispatch();
        if (last) events.push(last);
        return events;
    }

    private line(line: string): SseEvent | undefined {
        if (line === "") return this.dispatch();
        if (line.startsWith(":")) return undefined; // a comment, e.g. a keep-alive
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "data") this.data.push(value);
        else if (field === "error") throw new SseError(`The server reported an error in the stream: ${value}`);
        // Other field names are ignored, as the spec says; a line that is no field at all (an HTML
        // error page from a proxy) means this is not an event stream.
        else if (!/^[\w-]+$/.test(field)) throw new SseError(`Malformed event stream line: ${JSON.stringify(line.slice(0, 120))}`);
        return undefined;
    }

    private dispatch(): SseEvent | undefined {
        if (this.data.length === 0) return undefined;
        const payload = this.data.join("\n");
        this.data = [];
        if (this.finished) throw new SseError("Data after [DONE] in the event stream.");
        if (payload.trim() === "[DONE]") {
            this.finished = true;
            return { kind: "done" };
        }
        try {
            return { kind: "data", json: JSON.parse(payload) };
        } catch {
            throw new SseError(`Malformed JSON in the event stream: ${JSON.stringify(payload.slice(0, 120))}`);
        }
    }
}
