// 12. Prompt-lookup drafting (speculative decoding): greedy generations with and without drafting,
// alternating, in one run. Hardware-independent figures: the share of drafted tokens the model
// confirmed, and tokens per evaluation step (each step evaluates the last token plus its drafts in
// one batch; a confirmed draft saves a step). Those carry over to a GPU, where a step with a few
// extra tokens costs about as much as one without. The speedup is this CPU's, where a wider batch
// costs nearly proportionally more, so drafting is off here by default ("auto" = GPUs only).
// - copy-code model: its output repeats the prompt's text, like code that repeats a pattern;
// - medium model (random weights, Solar's layout at 1/4 width) on code and prose: real speed, and
//   how rarely gibberish matches the prompt.

import { LlamaEngine } from "../../src/engine/llamaEngine";
import { COPY_CODE_TEXT, COPY_TEXT } from "../../test/fixtures/copy-texts";
import { ensureModel } from "../../test/fixtures/models";
import { round } from "../stats";
import type { Bench } from "../harness";

interface Arm {
    readonly accepted: number;
    readonly refuted: number;
    readonly generated: number;
    readonly genMs: number;
    readonly sameText: number;
}

async function compare(bench: Bench, modelPath: string, texts: readonly string[], prompts: number, maxTokens: number) {
    const quiet = () => undefined;
    const options = { modelPath, gpu: bench.gpu, threads: bench.threads };
    const plain = await LlamaEngine.load(async () => bench.llama, { ...options, speculative: "off" }, quiet);
    const drafting = await LlamaEngine.load(async () => bench.llama, { ...options, speculative: "on" }, quiet);
    const on: Arm = { accepted: 0, refuted: 0, generated: 0, genMs: 0, sameText: 0 };
    let offMs = 0;
    try {
        for (let i = 0; i < prompts; i++) {
            const text = texts[i % texts.length];
            const cut = 200 + Math.floor(((text.length - 400) * i) / prompts);
            const request = { prompt: { kind: "text" as const, text: text.slice(0, cut) }, maxTokens };
            // Alternate which arm goes first, so neither always finds the machine warmer.
            const [first, second] = i % 2 === 0 ? [plain, drafting] : [drafting, plain];
            const results = new Map([[first, await first.complete(request)], [second, await second.complete(request)]]);
            const [p, d] = [results.get(plain)!, results.get(drafting)!];
            offMs += p.stats.genMs;
            Object.assign(on, {
                accepted: on.accepted + (d.stats.draft?.accepted ?? 0),
                refuted: on.refuted + (d.stats.draft?.refuted ?? 0),
                generated: on.generated + d.stats.generatedTokens,
                genMs: on.genMs + d.stats.genMs,
                sameText: on.sameText + (d.text === p.text ? 1 : 0),
            });
        }
    } finally {
        await plain.dispose();
        await drafting.dispose();
    }
    const drafted = on.accepted + on.refuted;
    // Steps: one per generated token, less one for each confirmed draft (it came out of a step already run).
    const steps = Math.max(1, on.generated - on.accepted);
    return {
        prompts,
        generated_tokens: on.generated,
        drafted_tokens: drafted,
        acceptance_rate: drafted ? round(on.accepted / drafted) : 0,
        tokens_per_step: round(on.generated / steps),
        speedup_on_this_cpu: on.genMs > 0 ? round(offMs / on.genMs) : null,
        same_text_fraction: round(on.sameText / prompts),
    };
}

export async function speculative(bench: Bench) {
    const { prompts, maxTokens } = bench.plan.speculative;
    const copyCode = await compare(bench, await ensureModel("copy-code"), [COPY_CODE_TEXT], prompts, maxTokens);
    bench.progress(`speculative (copy-code): acceptance ${copyCode.acceptance_rate}, ${copyCode.tokens_per_step} tokens/step`);
    const medium = await compare(bench, bench.models.medium, [COPY_CODE_TEXT, COPY_TEXT], Math.max(2, Math.round(prompts / 3)), maxTokens);
    bench.progress(`speculative (medium): acceptance ${medium.acceptance_rate}, speedup ${medium.speedup_on_this_cpu}`);
    return { ...copyCode, medium };
}
