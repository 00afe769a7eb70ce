// Token counts without the server: a vocabulary-only load of a Solar GGUF (no weights, no context;
// a second or so), for servers that have no /tokenize (Ollama). It counts as the server evaluates:
// BOS (when the model wants it) + the text, which is what llama.cpp-based servers do.

import type { Llama } from "node-llama-cpp";

export interface VocabTokenizer {
    countTokens(text: string): number;
    dispose(): Promise<void>;
}

export async function loadVocabTokenizer(llama: Llama, modelPath: string): Promise<VocabTokenizer> {
    const model = await llama.loadModel({ modelPath, vocabOnly: true });
    const bos = model.tokens.bos;
    const withBos = bos != null && model.tokens.shouldPrependBosToken ? 1 : 0;
    return {
        countTokens: (text) => withBos + model.tokenize(text).length,
        dispose: () => model.dispose(),
    };
}
