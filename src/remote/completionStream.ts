// Reads one streamed /v1/completions answer: server-sent events until [DONE], each chunk of text
// passed on as it arrives, and a stream that goes silent for too long ended as stalled. What arrived
// stays readable when the stream ends early, because our own abort (typing on, cancel, time limit)
// keeps the partial text as the result.

import { RemoteError } from "./remoteErrors";
import { SseError, SseParser, type SseEvent } from "./sse";

/** llama-server's own figures for the request, on its last event. */
export interface Timings {
    readonly prompt_n?: number;
    readonly prompt_ms?: number;
    readonly predicted_n?: number;
    readonly predicted_ms?: number;
    readonly cache_n?: number;
}

/** The answer so far. */
export class StreamedCompletion {
    text = "";
    /** Events that carried text. */
    chunks = 0;
    /** performance.now() at the first text. */
    firstTokenAt: number | undefined;
    /** The server's finish_reason ("stop", "length", …). */
    finish: string | undefined;
    timings: Timings | undefined;
}

export interface StreamOptions {
    readonly onText?: (text: string) => void;
    /** Longest silence before the stream counts as stalled (REMOTE_SLOW_STREAM). */
    readonly stallMs: number;
    /** Aborted on a stall, so that the server stops generating. */
    readonly controller: AbortController;
    /** For messages. */
    readonly endpoint: string;
}

type CompletionEvent = { choices?: { text?: unknown; finish_reason?: unknown }[]; timings?: Timings; usage?: unknown; error?: unknown };

/** Reads `body` into `into` until [DONE]; throws SseError on a malformed stream, RemoteError on a stall. */
export async function readCompletionStream(body: NonNullable<Response["body"]>, into: StreamedCompletion, options: StreamOptions): Promise<StreamedCompletion> {
    const parser = new SseParser();
    let done = false;
    const handle = (events: SseEvent[]) => {
        for (const event of events) {
            if (event.kind === "done") done = true;
            else add(into, event.json as CompletionEvent, options.onText);
        }
    };
    const reader = body.getReader();
    for (;;) {
        const next = await withStallTimeout(reader.read(), options);
        if (next.done) break;
        handle(parser.push(next.value));
        // [DONE] ends the answer even if the server keeps the connection open.
        if (done) break;
    }
    handle(parser.end());
    if (!done && into.finish === undefined) throw new SseError(`The stream from ${options.endpoint} ended before [DONE].`);
    return into;
}

function add(into: StreamedCompletion, data: CompletionEvent, onText: ((text: string) => void) | undefined): void {
    if (data.error !== undefined) throw new SseError(`The server reported an error in the stream: ${JSON.stringify(data.error).slice(0, 200)}`);
    const choice = data.choices?.[0];
    if (!Array.isArray(data.choices) && !data.timings && !data.usage) throw new SseError(`Unexpected event in the stream: ${JSON.stringify(data).slice(0, 120)}`);
    if (data.timings) into.timings = data.timings;
    if (choice && typeof choice.text === "string" && choice.text) {
        into.firstTokenAt ??= performance.now();
        into.chunks++;
        into.text += choice.text;
        onText?.(choice.text);
    }
    if (choice && typeof choice.finish_reason === "string") into.finish = choice.finish_reason;
}

/** The next read, or REMOTE_SLOW_STREAM (and the request aborted) after stallMs of silence. */
async function withStallTimeout<T>(read: Promise<T>, options: StreamOptions): Promise<T> {
    const { stallMs } = options;
    let timer: NodeJS.Timeout | undefined;
    let stalled: RemoteError | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
            stalled = new RemoteError("REMOTE_SLOW_STREAM", `The stream from ${options.endpoint} stalled for ${stallMs} ms; retrying later.`, true);
            reject(stalled);
            options.controller.abort();
        }, stallMs);
    });
    try {
        return await Promise.race([read, timeout]);
    } catch (error) {
        // Aborting makes the read fail too, possibly first: the stall is the reason.
        throw stalled ?? error;
    } finally {
        clearTimeout(timer);
    }
}
