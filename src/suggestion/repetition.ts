// Greedy decoding falls into loops: the same line again and again (`push(item);` six times), the same
// block of lines twice, a mapping key the object already has, or one token repeated to the end of a
// line (`a = a = a = a`, `0000000000`). Each check looks at one more line given the lines before it,
// so a prefix of the model's text already gives the verdict the whole text would.

import { codeOf, indentWidth, isBlank } from "./lines";

/** Longest block of lines that may repeat: longer loops are rare and cost more to find. */
const MAX_PERIOD = 8;

/** What two lines must share to count as the same: their indentation and their code. */
export function lineKey(line: string): string {
    const code = codeOf(line);
    return `${indentWidth(line)}:${code === "" ? line.trim() : code}`;
}

/**
 * Lines in order, the ones above the cursor first; says when a new line completes a block that
 * repeats the block right before it.
 */
export class RepeatWatch {
    private readonly keys: string[];

    constructor(history: readonly string[]) {
        // Blank lines never repeat anything: each gets a key no other line has.
        this.keys = history.map((line, i) => (isBlank(line) ? `\u0000${i}` : lineKey(line)));
    }

    /**
     * Adds `line`. When it completes a repeat, returns how many lines before it also belong to the
     * repeated copy (the period minus one): the copy, which the caller cuts, starts that many lines up.
     */
    readLine(line: string): number | undefined {
        const keys = this.keys;
        keys.push(isBlank(line) ? `\u0000${keys.length}` : lineKey(line));
        const last = keys.length - 1;
        for (let period = 1; period <= MAX_PERIOD && 2 * period <= keys.length; period++) {
            let same = true;
            for (let k = 0; k < period && same; k++) same = keys[last - k] === keys[last - k - period];
            if (same) return period - 1;
        }
        return undefined;
    }
}

/** The numbers of a data row (`0, 0, 0,`, `-1.5, -1.5,`) repeat on purpose. */
const NUMBER_LIST_UNIT = /^(?=.*,)[\s\d.,+-]*$/;
const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * Whether the line ends in one unit written over and over. One character must repeat at least 10
 * times and be a letter or digit (`-----` and `=====` are rulers; a 64-bit hex literal is allowed its
 * 16 digits); a longer unit at least 3 times over 8 or more characters, and contain a letter or
 * digit (`| --- | --- |` is a table).
 */
export function endsInRepetition(line: string): boolean {
    const text = line.trimEnd();
    const n = text.length;
    // A hex literal of up to 64 bits may repeat its digits: 0xFFFFFFFFFFFFFFFF.
    const hexDigits = /0[xX]([\da-fA-F]{1,16})$/.exec(text)?.[1].length ?? 0;
    for (let unit = 1; unit <= 20 && 2 * unit <= n; unit++) {
        // The longest end of the text with this period.
        let j = n - 1 - unit;
        while (j >= 0 && text[j] === text[j + unit]) j--;
        const span = n - 1 - j;
        if (span <= hexDigits) continue;
        const repeats = Math.floor(span / unit);
        const piece = text.slice(n - unit);
        // "00" is "0" twice: judged with the shorter unit, by its own thresholds.
        if (!isPrimitive(piece)) continue;
        if (unit === 1 ? repeats >= 10 && WORD_CHAR.test(piece) : repeats >= 3 && span >= 8 && WORD_CHAR.test(piece) && !NUMBER_LIST_UNIT.test(piece)) return true;
    }
    return false;
}

function isPrimitive(piece: string): boolean {
    for (let d = 1; d < piece.length; d++) {
        if (piece.length % d === 0 && piece.slice(0, d).repeat(piece.length / d) === piece) return false;
    }
    return true;
}

type KeyStyle = "json" | "yaml";

const JSON_KEY = /^\s*"((?:[^"\\]|\\.)*)"\s*:/;
const YAML_ITEM = /^(\s*)-\s+/;
const YAML_KEY = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^\s#'"{[\]-][^:#]*?)\s*:(?:\s|$)/;

interface KeyLine {
    /** The key's column. */
    readonly column: number;
    /** Columns deeper than this end their mapping on this line. */
    readonly closesAbove: number;
    readonly key: string | undefined;
}

function readKeyLine(line: string, style: KeyStyle): KeyLine | undefined {
    if (isBlank(line)) return undefined;
    const indent = indentWidth(line);
    if (style === "json") {
        const match = JSON_KEY.exec(line);
        return { column: indent, closesAbove: indent, key: match?.[1] };
    }
    if (line.trimStart().startsWith("#")) return undefined;
    const item = YAML_ITEM.exec(line);
    // `- key: v` starts a new mapping at the key's column (YAML indents with spaces only), so the
    // previous item's keys, at that same column, end on this line.
    const start = item ? item[0].length : line.length - line.trimStart().length;
    const key = YAML_KEY.exec(line.slice(start))?.[1];
    return { column: item ? start : indent, closesAbove: indent, key };
}

/**
 * JSON and YAML keys per mapping, by column: a key the same mapping already has (above the cursor,
 * in the suggestion, or below the cursor at the cursor's level) is a loop or a duplicate.
 */
export class KeyWatch {
    private readonly seen = new Map<number, Set<string>>();
    private readonly below: ReadonlySet<string>;

    constructor(
        private readonly style: KeyStyle,
        above: readonly string[],
        belowLines: readonly string[],
        private readonly cursorColumn: number,
    ) {
        this.below = keysBelow(style, belowLines, cursorColumn);
        for (const line of above) this.readLine(line);
    }

    /** Adds `line`; true when its key repeats one of its mapping. */
    readLine(line: string): boolean {
        const read = readKeyLine(line, this.style);
        if (read === undefined) return false;
        for (const column of [...this.seen.keys()]) {
            if (column > read.closesAbove) this.seen.delete(column);
        }
        if (read.key === undefined) return false;
        let keys = this.seen.get(read.column);
        if (keys === undefined) this.seen.set(read.column, (keys = new Set()));
        const repeated = keys.has(read.key) || (read.column === this.cursorColumn && read.column === read.closesAbove && this.below.has(read.key));
        keys.add(read.key);
        return repeated;
    }
}

/** Keys of the cursor's mapping below the cursor: up to the first line that leaves it. */
function keysBelow(style: KeyStyle, lines: readonly string[], column: number): Set<string> {
    const keys = new Set<string>();
    for (const line of lines) {
        const read = readKeyLine(line, style);
        if (read === undefined) continue;
        if (read.closesAbove < column || read.column !== read.closesAbove) break;
        if (read.column === column && read.key !== undefined) keys.add(read.key);
    }
    return keys;
}
