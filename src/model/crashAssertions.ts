// Metadata values that make llama.cpp abort the process (GGML_ASSERT) instead of failing the load
// with an error. Each rule was found by fuzzing GGUF files against node-llama-cpp 3.21.1's llama.cpp
// (test/fixtures/crashing-models.ts rebuilds one file per rule; the assertion it hits is quoted).
// The engine runs in its own process, so such a file cannot take the editor down, but refusing it
// here gives one clear message instead of a crash and a restart.

import { integerValue, type MetadataValue } from "./ggufHeader";

/** llama-hparams.h */
const LLAMA_MAX_LAYERS = 512;
const LLAMA_MAX_EXPERTS = 1024;
/** llama-model.cpp LLAMA_ROPE_SCALING_TYPES; anything else asserts "!= UNSPECIFIED". */
const ROPE_SCALING_TYPES = ["none", "linear", "yarn", "longrope"];
/** llama-vocab.cpp: "none" and "no_vocab" load, then assert "Tokenizer not initialized" at the first tokenize. */
const TOKENIZER_MODELS = ["llama", "bert", "gpt2", "hybriddna", "whitespace", "t5", "rwkv", "plamo2", "gemma4"];

/** The first value llama.cpp is known to assert on, described for the user; undefined when none. */
export function findCrashingValue(metadata: ReadonlyMap<string, MetadataValue>, architecture: string): string | undefined {
    const key = (name: string) => `${architecture}.${name}`;
    const integer = (name: string) => integerValue(metadata.get(key(name)));

    const tokens = metadata.get("tokenizer.ggml.tokens");
    if (typeof tokens === "object" && tokens.firstDuplicate) {
        // llama-vocab.cpp: GGML_ASSERT(id_to_token.size() == token_to_id.size())
        return `the vocabulary has the piece ${JSON.stringify(tokens.firstDuplicate.value)} twice, again at #${tokens.firstDuplicate.index}`;
    }
    const tokenizer = metadata.get("tokenizer.ggml.model");
    if (typeof tokenizer === "string" && !TOKENIZER_MODELS.includes(tokenizer)) {
        return `tokenizer.ggml.model is "${tokenizer}", not a tokenizer llama.cpp can run`;
    }

    for (const name of ["attention.layer_norm_rms_epsilon", "attention.layer_norm_epsilon"]) {
        const value = metadata.get(key(name));
        // ggml-cpu ops.cpp: GGML_ASSERT(eps >= 0.0f), at the first evaluation (NaN fails it too).
        if (value !== undefined && !(typeof value === "number" && value >= 0 && Number.isFinite(value))) {
            return `${key(name)} is ${String(value)}, not a small positive number`;
        }
    }

    const scaling = metadata.get(key("rope.scaling.type"));
    if (scaling !== undefined && !(typeof scaling === "string" && ROPE_SCALING_TYPES.includes(scaling))) {
        return `${key("rope.scaling.type")} is ${JSON.stringify(scaling)}, not one of ${ROPE_SCALING_TYPES.join(", ")}`;
    }

    const blocks = integer("block_count");
    if (blocks !== undefined && blocks > LLAMA_MAX_LAYERS) return `${key("block_count")} is ${blocks}, over llama.cpp's ${LLAMA_MAX_LAYERS} layers`;

    const experts = integer("expert_count") ?? 0;
    const used = integer("expert_used_count") ?? 0;
    if (experts > 0 || used > 0) {
        // llama-model.cpp: GGML_ASSERT(n_expert_used_max > 0), (n_expert_used_max <= n_expert), n_expert <= LLAMA_MAX_EXPERTS
        if (experts > LLAMA_MAX_EXPERTS) return `${key("expert_count")} is ${experts}, over llama.cpp's ${LLAMA_MAX_EXPERTS}`;
        if (!(used > 0 && used <= experts)) return `${key("expert_used_count")} is ${used} with ${key("expert_count")} ${experts}; it must be between 1 and the expert count`;
    }

    // llama-model-loader.cpp: GGML_ASSERT(t_meta.ne[dim] >= 1) while shaping the feed-forward tensors.
    const feedForward = metadata.get(key("feed_forward_length"));
    const perLayer = typeof feedForward === "object"; // one length per layer: an array
    if (!perLayer && !((integerValue(feedForward) ?? 0) > 0)) {
        return feedForward === undefined ? `${key("feed_forward_length")} is missing` : `${key("feed_forward_length")} is ${String(feedForward)}`;
    }
    return undefined;
}
