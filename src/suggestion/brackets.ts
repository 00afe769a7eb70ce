// Which closers a suggestion may write, judged by bracket balance against the code below the cursor.
// The prefix leaves some brackets open; the suffix closes some of them. A suggestion that closes one
// the suffix closes too leaves the suffix's closer unmatched: `}` typed in the middle of a function
// body, `} catch (e) {` above the document's own `} catch (err) {`, `});` above `});`. Whatever the
// suffix does not close (the end of an unfinished file, a block the user just opened) the suggestion
// may close, even when the suffix's closer would pair with it by nearest match: that closer then
// closes the opener below, which the document had left open. A closer that re-opens at once (`} else {` above a bare `}`) hands its bracket on: the
// document's `}` then closes the new branch, which is balanced, so it is allowed.
//
// Matching is "nearest opener of the same kind": a stray `)` skips over unclosed `{`s rather than
// counting as a mismatch, so one bad line in the prefix does not poison everything after it.

import type { Syntax } from "./languages";
import { IN_CODE, isOpener, openerOf, scan, type ScanState } from "./scanner";

/** Who closes an opener the prefix left open: nobody, the suffix, or a closer right after the cursor. */
export type Claim = "free" | "needed" | "replaceable";

export interface OpenBracket {
    readonly char: string;
    readonly claim: Claim;
}

export interface BracketContext {
    /** The prefix's unclosed openers, innermost last. */
    readonly open: readonly OpenBracket[];
    /** The scan state at the cursor: inside a string or a comment, brackets are text. */
    readonly state: ScanState;
}

/**
 * Reads the prefix and the suffix once. `replaceableEnd`: the length of the closers right after the
 * cursor that a suggestion may re-type, because they are replaced instead of doubled (closers.ts).
 */
export function bracketContext(prefix: string, suffix: string, replaceableEnd: number, syntax: Syntax): BracketContext {
    const stack: string[] = [];
    const { state } = scan(prefix, IN_CODE, syntax, (char) => {
        if (isOpener(char)) stack.push(char);
        else closeNearest(stack, char);
    });
    const claims: Claim[] = stack.map(() => "free");
    // The suffix's own openers are -1; a prefix opener is its index in `stack`.
    const kinds = [...stack];
    const refs = stack.map((_, i) => i);
    let prefixLeft = stack.length;
    if (prefixLeft > 0) {
        scan(suffix, state, syntax, (char, at) => {
            if (isOpener(char)) {
                kinds.push(char);
                refs.push(-1);
                return false;
            }
            const j = kinds.lastIndexOf(openerOf(char));
            if (j < 0) return false;
            if (refs[j] >= 0) claims[refs[j]] = at < replaceableEnd ? "replaceable" : "needed";
            for (let k = j; k < refs.length; k++) if (refs[k] >= 0) prefixLeft--;
            kinds.length = j;
            refs.length = j;
            return prefixLeft === 0;
        });
    }
    return { open: stack.map((char, i) => ({ char, claim: claims[i] })), state };
}

function closeNearest(stack: string[], closer: string): void {
    const j = stack.lastIndexOf(openerOf(closer));
    if (j >= 0) stack.length = j;
}

type Entry = Claim | "own" | "ownNeeded";

/**
 * Follows the model's text line by line and says where a line must be cut: at a closer that closes
 * what the suffix closes, has no opener at all, or does not match the innermost opener the model
 * wrote itself. Lines are judged whole, so a prefix of the text gets the same verdict for its lines.
 */
export class ModelBrackets {
    private readonly kinds: string[];
    private readonly entries: Entry[];
    private readonly lineOf: number[];
    private state: ScanState;
    private lineNumber = 0;

    constructor(
        context: BracketContext,
        private readonly syntax: Syntax,
        /** False to treat closers after the cursor as kept: the suggestion will not replace them. */
        private readonly mayReplace: boolean,
    ) {
        this.kinds = context.open.map((o) => o.char);
        this.entries = context.open.map((o) => o.claim);
        this.lineOf = context.open.map(() => -1);
        this.state = context.state;
    }

    /** Reads the next line; returns the offset in it where it must be cut, or undefined to keep it whole. */
    readLine(line: string): number | undefined {
        const { kinds, entries, lineOf } = this;
        const lineNumber = this.lineNumber++;
        const handedOn: { char: string; at: number }[] = [];
        let cut: number | undefined;
        const result = scan(line + "\n", this.state, this.syntax, (char, at) => {
            if (isOpener(char)) {
                kinds.push(char);
                entries.push("own");
                lineOf.push(lineNumber);
                return false;
            }
            const want = openerOf(char);
            const top = kinds.length - 1;
            if (top >= 0 && (entries[top] === "own" || entries[top] === "ownNeeded")) {
                if (kinds[top] !== want) {
                    cut = at;
                    return true;
                }
                if (entries[top] === "ownNeeded") handedOn.push({ char: want, at });
                this.pop(top);
                return false;
            }
            const j = kinds.lastIndexOf(want);
            // Skipping over an opener the suffix closes would take its closer's partner away.
            if (j < 0 || entries.slice(j + 1).some((e) => e !== "free")) {
                cut = at;
                return true;
            }
            if (entries[j] === "needed" && !this.shiftClaim(j)) handedOn.push({ char: want, at });
            else if (entries[j] === "replaceable" && !this.mayReplace) handedOn.push({ char: want, at });
            this.pop(j);
            return false;
        });
        // A bracket the suffix closes may be closed here only if this line re-opens one of its kind.
        for (const { char, at } of handedOn) {
            const k = kinds.findIndex((kind, i) => kind === char && entries[i] === "own" && lineOf[i] === lineNumber);
            if (k < 0) return Math.min(at, cut ?? at);
            entries[k] = "ownNeeded";
        }
        this.state = result.state;
        return cut;
    }

    /**
     * The suffix's closer for entry `j` can close an unclosed opener of the same kind further down
     * instead (a block the user opened and the document never closed), as long as nothing it would
     * skip is closed by the suffix too. Then that opener is the one the suffix needs.
     */
    private shiftClaim(j: number): boolean {
        const { kinds, entries } = this;
        for (let k = j - 1; k >= 0; k--) {
            if (entries[k] === "free") {
                if (kinds[k] !== kinds[j]) continue;
                entries[k] = "needed";
                return true;
            }
            if (kinds[k] !== kinds[j]) return false;
        }
        return false;
    }

    private pop(at: number): void {
        this.kinds.length = at;
        this.entries.length = at;
        this.lineOf.length = at;
    }
}

/**
 * Closers with no opener when `pieces` are read in turn after the prefix. Comparing the document as
 * it is with the document after accepting checks, whatever the rules above decided, that accepting
 * never leaves more unmatched closers than there were.
 */
export function unmatchedClosers(context: BracketContext, syntax: Syntax, pieces: readonly string[]): number {
    const stack = context.open.map((o) => o.char);
    let unmatched = 0;
    let state = context.state;
    for (const piece of pieces) {
        state = scan(piece, state, syntax, (char) => {
            if (isOpener(char)) {
                stack.push(char);
                return false;
            }
            const j = stack.lastIndexOf(openerOf(char));
            if (j < 0) unmatched++;
            else stack.length = j;
            return false;
        }).state;
    }
    return unmatched;
}
