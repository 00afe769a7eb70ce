// The models Solar Complete can download: Solar 10.7B base and instruct, each in the common GGUF
// quantizations. Pure data plus the few functions that turn an entry into a URL or a file name.
// Every public source location lives here (SOURCE_HOST + each variant's repository), so a mirror
// endpoint replaces the host and keeps the path layout (`<repo>/resolve/<revision>/<file>`), which is
// what Hugging Face mirrors (and the tests' loopback server) serve.

import { formatGB } from "../util/bytes";
import { english, type Translate } from "../util/translate";

export const VARIANTS = ["base", "instruct"] as const;
export type Variant = (typeof VARIANTS)[number];

/** Smallest first: "auto" walks this order and keeps the largest that fits. */
export const QUANTIZATIONS = ["Q2_K", "Q3_K_M", "Q4_0", "Q4_K_S", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0"] as const;
export type Quantization = (typeof QUANTIZATIONS)[number];
export type QuantizationSetting = Quantization | "auto";
export const DEFAULT_QUANTIZATION: Quantization = "Q4_K_M";

/** The public host; `solarComplete.downloadEndpoint` (or `--endpoint`) replaces it with a mirror. */
export const SOURCE_HOST = "https://huggingface.co";
const REVISION = "main";

/** The licence of the upstream weights, which a quantized GGUF inherits whatever its own card says. */
export interface ModelLicence {
    /** SPDX identifier. */
    readonly id: "Apache-2.0" | "CC-BY-NC-4.0";
    readonly commercialUse: boolean;
    /** The licence text. */
    readonly url: string;
    /** The upstream model card that states it. */
    readonly source: string;
}

export const LICENCES = {
    apache: { id: "Apache-2.0", commercialUse: true, url: "https://www.apache.org/licenses/LICENSE-2.0", source: "https://huggingface.co/upstage/SOLAR-10.7B-v1.0" },
    nonCommercial: { id: "CC-BY-NC-4.0", commercialUse: false, url: "https://creativecommons.org/licenses/by-nc/4.0/", source: "https://huggingface.co/upstage/SOLAR-10.7B-Instruct-v1.0" },
} as const satisfies Record<string, ModelLicence>;

interface VariantSource {
    readonly title: string;
    readonly repository: string;
    /** The file name before `.<QUANT>.gguf`. */
    readonly filePrefix: string;
    readonly licence: ModelLicence;
}

// Upstage publishes the base model under Apache-2.0 and the Instruct model under CC-BY-NC-4.0
// (their model cards, 2026-12-01); TheBloke's GGUF files are quantizations of those weights and
// carry the same terms, whatever a repackaged card says.
const SOURCES: Record<Variant, VariantSource> = {
    base: { title: "Solar 10.7B", repository: "TheBloke/SOLAR-10.7B-v1.0-GGUF", filePrefix: "solar-10.7b-v1.0", licence: LICENCES.apache },
    instruct: { title: "Solar 10.7B Instruct", repository: "TheBloke/SOLAR-10.7B-Instruct-v1.0-GGUF", filePrefix: "solar-10.7b-instruct-v1.0", licence: LICENCES.nonCommercial },
};

/**
 * Memory a 4,096-token context adds to the weights: node-llama-cpp's own estimate
 * (GgufInsights.estimateContextResourceRequirements, contextSize 4096, one sequence) for Solar's
 * shape (48 blocks, 4096 wide, 8 KV heads): KV cache 0.8 GB plus compute buffers. The same on CPU and
 * GPU, and the same figure in 3.21.1 (the version we pin) as in 3.22.1. test/unit/catalog.test.ts
 * recomputes it from a Solar-shaped GGUF header with the installed node-llama-cpp.
 */
export const SOLAR_CONTEXT_4096_BYTES = 1_149_104_480;

/**
 * One more 4,096-token KV state (solarComplete.kvStates above 1): keys and values, F16, for 48 layers
 * of 8 KV heads of 128: 48 x 4096 x 2 x 1024 x 2 bytes. Each extra state is a full one: llama.cpp
 * allocates every sequence's cells when the context is created.
 */
export const SOLAR_KV_STATE_BYTES = 48 * 4096 * 2 * 1024 * 2;

interface QuantizationFacts {
    /** File size in bytes as the source lists it (decimal GB, rounded: an estimate, not a checksum). */
    readonly size: number;
    readonly quality: string;
}

// Sizes: the GGUF sizes TheBloke's model cards list for both repositories (base and instruct share
// the architecture, so their files have the same size); documented figures, rounded to 10 MB. The
// download checks the exact size against the server's Content-Length instead.
const FACTS: Record<Quantization, QuantizationFacts> = {
    Q2_K: { size: 4_550_000_000, quality: "Smallest; significant quality loss, only when nothing else fits." },
    Q3_K_M: { size: 5_200_000_000, quality: "Very small; high quality loss." },
    Q4_0: { size: 6_070_000_000, quality: "Legacy 4-bit; prefer Q4_K_S or Q4_K_M at about the same size." },
    Q4_K_S: { size: 6_100_000_000, quality: "Small; noticeable quality loss." },
    Q4_K_M: { size: 6_460_000_000, quality: "Medium; balanced quality and size (recommended)." },
    Q5_K_M: { size: 7_600_000_000, quality: "Large; very low quality loss (recommended when it fits)." },
    Q6_K: { size: 8_810_000_000, quality: "Very large; extremely low quality loss." },
    Q8_0: { size: 11_400_000_000, quality: "Largest; practically lossless, slowest on a CPU." },
};

export interface CatalogEntry {
    readonly variant: Variant;
    readonly quantization: Quantization;
    /** e.g. "Solar 10.7B Q4_K_M" */
    readonly title: string;
    readonly repository: string;
    readonly fileName: string;
    /** Estimated file size in bytes (see FACTS). */
    readonly size: number;
    /** Estimated memory to run it with a 4,096-token context: the weights plus SOLAR_CONTEXT_4096_BYTES. */
    readonly memory: number;
    readonly quality: string;
    readonly licence: ModelLicence;
    /** Published sha256 of the file, when known ahead of time (the download also takes one from the server's X-Linked-Etag). */
    readonly sha256?: string;
}

export function catalogEntry(variant: Variant, quantization: Quantization): CatalogEntry {
    const source = SOURCES[variant];
    const facts = FACTS[quantization];
    return {
        variant,
        quantization,
        title: `${source.title} ${quantization}`,
        repository: source.repository,
        fileName: `${source.filePrefix}.${quantization}.gguf`,
        size: facts.size,
        memory: facts.size + SOLAR_CONTEXT_4096_BYTES,
        quality: facts.quality,
        licence: source.licence,
    };
}

export const CATALOG: readonly CatalogEntry[] = VARIANTS.flatMap((variant) => QUANTIZATIONS.map((quant) => catalogEntry(variant, quant)));

export function isQuantization(value: unknown): value is Quantization {
    return QUANTIZATIONS.includes(value as Quantization);
}

/** `base:Q4_K_M`, `instruct:q8_0`: the CLI's way to name an entry. Undefined when it names none. */
export function parseModelRef(ref: string): CatalogEntry | undefined {
    const match = /^(base|instruct):([A-Za-z0-9_]+)$/.exec(ref.trim());
    if (!match) return undefined;
    const quantization = match[2].toUpperCase();
    return isQuantization(quantization) ? catalogEntry(match[1] as Variant, quantization) : undefined;
}

/** Where the entry is downloaded from; `endpoint` replaces the public host (a mirror, or a test server). */
export function downloadUrl(entry: Pick<CatalogEntry, "repository" | "fileName">, endpoint?: string): string {
    const host = (endpoint?.trim() || SOURCE_HOST).replace(/\/+$/, "");
    return `${host}/${entry.repository}/resolve/${REVISION}/${entry.fileName}`;
}

/** For `enumDescriptions` and the quick pick: "6.5 GB file, ~7.6 GB to run. Medium; …". */
export function describeEntry(entry: CatalogEntry, t: Translate = english): string {
    return t("{0} file, ~{1} to run. {2}", formatGB(entry.size), formatGB(entry.memory), entry.quality);
}

/** "Apache-2.0", or "CC-BY-NC-4.0: non-commercial use only": what every place a model is chosen shows. */
export function licenceLabel(licence: ModelLicence, t: Translate = english): string {
    return licence.commercialUse ? licence.id : t("{0}: non-commercial use only", licence.id);
}

export function variantTitle(variant: Variant): string {
    return SOURCES[variant].title;
}

export function variantLicence(variant: Variant): ModelLicence {
    return SOURCES[variant].licence;
}
