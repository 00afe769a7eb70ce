// Which llama.cpp backend the user asks for: the one list the settings, the CLI and the engine share
// (a unit test checks it against package.json's enum).

export const GPU_SETTINGS = ["auto", "cuda", "vulkan", "metal", "cpu"] as const;

export type GpuSetting = (typeof GPU_SETTINGS)[number];
