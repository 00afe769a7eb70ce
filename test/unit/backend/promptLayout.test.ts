import * as assert from "node:assert/strict";
import { layoutPrompt, promptTextOf } from "../../../src/backend/promptLayout";
import type { PromptContext } from "../../../src/backend/types";
import type { WindowAnchor } from "../../../src/backend/window";

let encode: (text: string) => number[];
/** The real Llama-2 tokenizer, BOS included: what the engine evaluates. */
const count = (text: string): number => (text.length === 0 ? 1 : encode(text).length);

before(async () => {
    const tokenizer = (await import("llama-tokenizer-js")).default;
    encode = (text) => tokenizer.encode(text, true);
});

const block = (path: string, body: string) => `// Path: ${path}\n${body.split("\n").map((line) => `// ${line}`).join("\n")}\n`;
const MONEY = block("src/money.ts", "export function toCents(amount: number): number {\n    return Math.round(amount * 100);\n}");
const DATES = block("src/dates.ts", "export function isoDay(date: Date): string {\n    return date.toISOString().slice(0, 10);\n}");
const CONTEXT: PromptContext = { blocks: [DATES, MONEY], maxTokens: 1024 };

function longFile(lines: number): string {
    return Array.from({ length: lines }, (_, i) => `const value${i} = compute(${i}, "item number ${i}");`).join("\n") + "\n";
}

describe("prompt layout: context blocks before the window", () => {
    it("puts the blocks, in order, before the window, and counts the whole prompt exactly", () => {
        const text = "const price = toCents(";
        const laid = layoutPrompt({ text, cursor: text.length, budget: 3800, countTokens: count, context: CONTEXT });
        assert.equal(laid.text, DATES + MONEY + text);
        assert.equal(laid.promptTokens, count(laid.text));
        assert.deepEqual(laid.context, { blocks: 2, tokens: count(DATES + MONEY) - 1 });
        assert.equal(promptTextOf(CONTEXT, laid.context, laid.window.prompt), laid.text);
    });

    it("drops the least relevant (first) blocks until the rest fit the context budget", () => {
        const text = "const price = toCents(";
        const maxTokens = count(MONEY) - 1;
        const laid = layoutPrompt({ text, cursor: text.length, budget: 3800, countTokens: count, context: { ...CONTEXT, maxTokens } });
        assert.equal(laid.text, MONEY + text);
        assert.equal(laid.context?.blocks, 1);
        assert.equal(promptTextOf({ ...CONTEXT, maxTokens }, laid.context, laid.window.prompt), laid.text);
    });

    it("keeps no block when none fits, and never lets context take over half the budget", () => {
        const text = "x = 1\n";
        const none = layoutPrompt({ text, cursor: text.length, budget: 3800, countTokens: count, context: { ...CONTEXT, maxTokens: 5 } });
        assert.equal(none.text, text);
        assert.deepEqual(none.context, { blocks: 0, tokens: 0 });
        const capped = layoutPrompt({ text, cursor: text.length, budget: 2 * (count(MONEY) - 1) - 1, countTokens: count, context: CONTEXT });
        assert.equal(capped.context?.blocks, 0);
    });

    it("never exceeds the budget, however long the file, and the window gets what the blocks leave", () => {
        const text = longFile(3000);
        const budget = 1500;
        const laid = layoutPrompt({ text, cursor: text.length, budget, countTokens: count, context: CONTEXT });
        assert.ok(laid.text.startsWith(DATES + MONEY));
        assert.equal(count(laid.text), laid.promptTokens);
        assert.ok(laid.promptTokens <= budget, `${laid.promptTokens} > ${budget}`);
        const alone = layoutPrompt({ text, cursor: text.length, budget, countTokens: count });
        assert.ok(laid.window.prompt.length < alone.window.prompt.length);
        assert.equal(alone.context, undefined);
    });

    it("keeps the window's anchor while typing, so successive prompts share everything but the tail", () => {
        const text = longFile(3000);
        const first = layoutPrompt({ text, cursor: text.length, budget: 1500, countTokens: count, context: CONTEXT });
        const typed = text + "const next = ";
        const second = layoutPrompt({ text: typed, cursor: typed.length, budget: 1500, countTokens: count, context: CONTEXT, previous: first.window.anchor });
        assert.equal(second.window.moved, false);
        assert.equal(second.window.start, first.window.start);
        const [a, b] = [encode(first.text), encode(second.text)];
        let shared = 0;
        while (shared < a.length && a[shared] === b[shared]) shared++;
        assert.ok(b.length - shared <= 8, `${b.length - shared} tokens differ`);
    });

    it("finds an older anchor among several: a jump away and back returns to the window it left", () => {
        const text = longFile(3000);
        const far = layoutPrompt({ text, cursor: text.length, budget: 1500, countTokens: count });
        const nearTop = text.indexOf("const value40 ");
        const top = layoutPrompt({ text, cursor: nearTop, budget: 1500, countTokens: count, previous: far.window.anchor });
        assert.equal(top.window.moved, true);
        const anchors: WindowAnchor[] = [top.window.anchor, far.window.anchor];
        const back = layoutPrompt({ text, cursor: text.length, budget: 1500, countTokens: count, previous: anchors });
        assert.equal(back.window.moved, false);
        assert.equal(back.window.start, far.window.start);
    });
});
