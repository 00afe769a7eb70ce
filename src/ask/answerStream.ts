// What happens to each chunk of an answer on its way into the document: the answer's leading blank
// space is dropped, everything generated is kept for the run's record, and progress goes to the
// notification at most every 250 ms. Every report is a message to the workbench, which re-renders
// the notification: a few a second.

export const REPORT_EVERY_MS = 250;

export interface AnswerStreamOptions {
    /** Drop blank space before the first visible character (answers), or keep it (Continue Here). */
    readonly trimStart: boolean;
    /** Where the text goes: the StreamInserter. */
    readonly push: (chunk: string) => void;
    /** The notification's message, e.g. "1,234 characters". */
    readonly report: (message: string) => void;
    readonly now?: () => number;
}

export class AnswerStream {
    private text = "";
    private leading: boolean;
    private reportedAt = 0;
    private readonly now: () => number;

    constructor(private readonly options: AnswerStreamOptions) {
        this.leading = options.trimStart;
        this.now = options.now ?? (() => performance.now());
    }

    /** All the text generated so far, leading blank space included. */
    get generated(): string {
        return this.text;
    }

    /** The backend's onText. */
    readonly onText = (chunk: string): void => {
        this.text += chunk;
        if (this.leading) {
            chunk = chunk.replace(/^\s+/, "");
            if (!chunk) return;
            this.leading = false;
        }
        this.options.push(chunk);
        if (this.now() - this.reportedAt > REPORT_EVERY_MS) {
            this.reportedAt = this.now();
            this.options.report(`${this.text.length.toLocaleString("en-US")} characters`);
        }
    };
}
