// What the model quick picks and the download consent say, as plain data: each entry with its sizes,
// whether it is downloaded, and its licence, so the licence is in front of the user wherever a
// model is chosen or downloaded. The VS Code side (src/commands/modelCommands.ts,
// src/ui/modelFileResolver.ts) only shows these.

import { formatGB } from "../util/bytes";
import { english, type Translate } from "../util/translate";
import type { AutoChoice } from "./autoQuant";
import { catalogEntry, describeEntry, licenceLabel, QUANTIZATIONS, variantLicence, variantTitle, type CatalogEntry, type QuantizationSetting, type Variant } from "./catalog";

export interface PickEntry<T> {
    readonly label: string;
    readonly description?: string;
    readonly detail?: string;
    /** Undefined: a separator. */
    readonly value?: T;
    /** The setting's current value. */
    readonly current?: boolean;
}

/** What each variant is for. */
function purpose(variant: Variant, t: Translate): string {
    return variant === "base" ? t("ghost text and Continue Here") : t("answers to Solar: Prompt…");
}

/** "Choose Model…": one entry per variant, with its licence and what it is set to now. `t`: vscode.l10n.t from the adapter. */
export function modelPicks(now: Readonly<Record<Variant, string>>, t: Translate = english): PickEntry<Variant>[] {
    return (["base", "instruct"] as const).map((variant) => ({
        label: variantTitle(variant),
        description: `${purpose(variant, t)} · ${licenceLabel(variantLicence(variant), t)}`,
        detail: t("Now: {0}", now[variant]),
        value: variant,
    }));
}

export interface QuantizationPickInput {
    readonly variant: Variant;
    /** The setting's value now. */
    readonly current: QuantizationSetting | "none";
    /** What "auto" picks on this machine, with its reasoning. */
    readonly auto?: AutoChoice;
    /** The quantizations already in the storage folder. */
    readonly downloaded: ReadonlySet<string>;
}

export type InstructChoice = QuantizationSetting | "none";

/** "Choose Quantization…" for a variant: auto, each quantization largest first (Instruct also "none"), each naming the licence. */
export function quantizationPicks(input: QuantizationPickInput, t: Translate = english): PickEntry<InstructChoice>[] {
    const licence = licenceLabel(variantLicence(input.variant), t);
    const items: PickEntry<InstructChoice>[] = [];
    if (input.variant === "instruct") {
        items.push({ label: "none", description: t("prompts use solarComplete.instructModelPath, or the base model"), value: "none", current: input.current === "none" });
    }
    items.push(
        {
            label: "auto",
            description: input.auto?.summary.replace(/^auto → /, "→ "),
            detail: [licence, ...(input.auto?.reasons ?? [])].join(" · "),
            value: "auto",
            current: input.current === "auto",
        },
        { label: "" },
    );
    for (const quantization of [...QUANTIZATIONS].reverse()) {
        const entry = catalogEntry(input.variant, quantization);
        const fits = input.auto?.reasons.find((r) => r.startsWith(`${quantization}:`));
        items.push({
            label: quantization,
            description: `${fits ?? describeEntry(entry, t)}${input.downloaded.has(quantization) ? ` · ${t("downloaded")}` : ""}`,
            detail: t("{0} · Licence: {1}", entry.quality, licence),
            value: quantization,
            current: input.current === quantization,
        });
    }
    return items;
}

/**
 * The download consent: what, for what, how big, and the licence with a link to its text (VS Code
 * renders Markdown links in notifications). A non-commercial licence is said in those words.
 */
export function consentMessage(entry: CatalogEntry, t: Translate = english): string {
    const { licence } = entry;
    const terms = licence.commercialUse ? t("Licence: [{0}]({1}).", licence.id, licence.url) : t("Licence: [{0}]({1}): non-commercial use only.", licence.id, licence.url);
    return t(
        "Solar Complete needs {0} for {1} ({2} download, ~{3} of memory to run). {4} Download it now?",
        entry.title,
        purpose(entry.variant, t),
        formatGB(entry.size),
        formatGB(entry.memory),
        terms,
    );
}
