// ggml's tensor element types and llama.cpp's file types, as stored in GGUF files.
// Ids are on-disk values, so they must never be renumbered. Block and type sizes come from ggml's
// type_traits table and were checked against the llama.cpp bundled with node-llama-cpp
// (getBlockSizeForGgmlType / getTypeSizeForGgmlType for every id).

export interface GgmlType {
    readonly name: string;
    /** Elements per block: 1 for plain types, 32 or 256 for quantized ones. */
    readonly blockSize: number;
    /** Bytes per block. */
    readonly typeSize: number;
}

// Ids 4, 5 (Q4_2, Q4_3) and 31-33, 36-38 (repacked Q4_0 / IQ4_NL variants) were removed from ggml
// and can't appear in a loadable file, so they are unknown here on purpose.
const GGML_TYPES: ReadonlyMap<number, GgmlType> = new Map(
    (
        [
            [0, "F32", 1, 4],
            [1, "F16", 1, 2],
            [2, "Q4_0", 32, 18],
            [3, "Q4_1", 32, 20],
            [6, "Q5_0", 32, 22],
            [7, "Q5_1", 32, 24],
            [8, "Q8_0", 32, 34],
            [9, "Q8_1", 32, 36],
            [10, "Q2_K", 256, 84],
            [11, "Q3_K", 256, 110],
            [12, "Q4_K", 256, 144],
            [13, "Q5_K", 256, 176],
            [14, "Q6_K", 256, 210],
            [15, "Q8_K", 256, 292],
            [16, "IQ2_XXS", 256, 66],
            [17, "IQ2_XS", 256, 74],
            [18, "IQ3_XXS", 256, 98],
            [19, "IQ1_S", 256, 50],
            [20, "IQ4_NL", 32, 18],
            [21, "IQ3_S", 256, 110],
            [22, "IQ2_S", 256, 82],
            [23, "IQ4_XS", 256, 136],
            [24, "I8", 1, 1],
            [25, "I16", 1, 2],
            [26, "I32", 1, 4],
            [27, "I64", 1, 8],
            [28, "F64", 1, 8],
            [29, "IQ1_M", 256, 56],
            [30, "BF16", 1, 2],
            [34, "TQ1_0", 256, 54],
            [35, "TQ2_0", 256, 66],
            [39, "MXFP4", 32, 17],
        ] as const
    ).map(([id, name, blockSize, typeSize]) => [id, { name, blockSize, typeSize }]),
);

export function ggmlType(id: number): GgmlType | undefined {
    return GGML_TYPES.get(id);
}

/**
 * Bytes a tensor occupies in the file (ggml_nbytes for a contiguous tensor), or a reason it can't
 * exist. Uses bigint because dims are uint64 on disk and a corrupt one must not round to a sane size.
 */
export function tensorByteSize(type: GgmlType, dims: readonly bigint[]): bigint | string {
    const rowLength = dims[0] ?? 1n;
    if (rowLength % BigInt(type.blockSize) !== 0n) {
        return `row length ${rowLength} is not a multiple of the ${type.name} block size ${type.blockSize}`;
    }
    let size = (rowLength / BigInt(type.blockSize)) * BigInt(type.typeSize);
    for (const dim of dims.slice(1)) size *= dim;
    return size;
}

// `enum llama_ftype` in llama.h. Gaps are file types llama.cpp removed.
const LLAMA_FILE_TYPES: readonly (string | undefined)[] = [
    "F32", "F16", "Q4_0", "Q4_1", undefined, undefined, undefined, "Q8_0", "Q5_0", "Q5_1",
    "Q2_K", "Q3_K_S", "Q3_K_M", "Q3_K_L", "Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M", "Q6_K", "IQ2_XXS",
    "IQ2_XS", "Q2_K_S", "IQ3_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S", "IQ3_M", "IQ2_S", "IQ2_M",
    "IQ4_XS", "IQ1_M", "BF16", undefined, undefined, undefined, "TQ1_0", "TQ2_0", "MXFP4_MOE",
];

// llama.cpp ORs this flag in when it guessed the type from the tensors instead of reading it.
const LLAMA_FTYPE_GUESSED = 1024;

/** A name like "Q4_K_M" for general.file_type; unknown values still get a stable, readable name. */
export function llamaFileTypeName(fileType: number): string {
    return LLAMA_FILE_TYPES[fileType & ~LLAMA_FTYPE_GUESSED] ?? `UNKNOWN_${fileType}`;
}
