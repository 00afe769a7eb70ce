// Pure statistics for the benchmark: summaries over repetitions and ratios of paired measurements.
// Paired ratios (each keystroke measured both ways, one right after the other) cancel most of the
// noise of a shared machine better than a ratio of two separately taken medians.

export interface Summary {
    readonly n: number;
    readonly mean: number;
    readonly p50: number;
    readonly p95: number;
    readonly min: number;
    readonly max: number;
}

function finite(xs: readonly number[]): number[] {
    return xs.filter((x) => Number.isFinite(x));
}

/** The q-quantile (0..1) with linear interpolation between order statistics; NaN when empty. */
export function quantile(xs: readonly number[], q: number): number {
    const sorted = finite(xs).sort((a, b) => a - b);
    if (sorted.length === 0) return NaN;
    const position = Math.min(Math.max(q, 0), 1) * (sorted.length - 1);
    const below = Math.floor(position);
    const above = Math.min(below + 1, sorted.length - 1);
    return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

export function median(xs: readonly number[]): number {
    return quantile(xs, 0.5);
}

export function mean(xs: readonly number[]): number {
    const values = finite(xs);
    return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

export function summarize(xs: readonly number[]): Summary {
    const values = finite(xs);
    return {
        n: values.length,
        mean: mean(values),
        p50: quantile(values, 0.5),
        p95: quantile(values, 0.95),
        min: values.length ? Math.min(...values) : NaN,
        max: values.length ? Math.max(...values) : NaN,
    };
}

/** numerators[i] / denominators[i] for each pair where both are finite and the denominator is > 0. */
export function pairedRatios(numerators: readonly number[], denominators: readonly number[]): number[] {
    const ratios: number[] = [];
    for (let i = 0; i < Math.min(numerators.length, denominators.length); i++) {
        const [a, b] = [numerators[i], denominators[i]];
        if (Number.isFinite(a) && Number.isFinite(b) && b > 0) ratios.push(a / b);
    }
    return ratios;
}

/** How many leading items two token sequences share: what a prefix cache can reuse. */
export function sharedPrefixLength(a: ArrayLike<number>, b: ArrayLike<number>): number {
    const n = Math.min(a.length, b.length);
    let i = 0;
    while (i < n && a[i] === b[i]) i++;
    return i;
}

/** Rounds for display and JSON: 3 significant digits below 100, whole numbers above. */
export function round(x: number): number {
    if (!Number.isFinite(x)) return x;
    if (Math.abs(x) >= 100) return Math.round(x);
    return Number(x.toPrecision(3));
}

/** A Summary with every field rounded, for the results file. */
export function rounded(summary: Summary): Summary {
    const { n, mean: m, p50, p95, min, max } = summary;
    return { n, mean: round(m), p50: round(p50), p95: round(p95), min: round(min), max: round(max) };
}

/** `count` delays evenly spread over [low, high], taken alternately from both ends so none drift. */
export function spreadDelays(count: number, low: number, high: number): number[] {
    const even = Array.from({ length: count }, (_, i) => low + ((high - low) * i) / Math.max(1, count - 1));
    return even.map((_, i) => even[i % 2 === 0 ? i / 2 : count - 1 - (i - 1) / 2]);
}
