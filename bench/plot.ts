// A dependency-free SVG line chart: latency per keystroke along a trace, one line per method, on a
// log scale (the methods differ by orders of magnitude). Pure: data in, SVG text out.

export interface Series {
    readonly label: string;
    readonly color: string;
    /** One value per keystroke; non-finite or non-positive values leave a gap. */
    readonly values: readonly (number | null)[];
}

export interface PlotOptions {
    readonly title: string;
    readonly xLabel: string;
    readonly yLabel: string;
    readonly series: readonly Series[];
    /** x positions to mark with a vertical dashed line (e.g. where the window moved). */
    readonly markers?: readonly number[];
    readonly markerLabel?: string;
    readonly width?: number;
    readonly height?: number;
}

const MARGIN = { left: 64, right: 16, top: 40, bottom: 64 };

function escapeXml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function usable(v: number | null | undefined): v is number {
    return typeof v === "number" && Number.isFinite(v) && v > 0;
}

/** 1-2-5 steps per decade between two powers of ten. */
export function logTicks(min: number, max: number): number[] {
    const ticks: number[] = [];
    for (let decade = Math.floor(Math.log10(min)); decade <= Math.ceil(Math.log10(max)); decade++) {
        for (const m of [1, 2, 5]) {
            const t = m * 10 ** decade;
            if (t >= min * 0.999 && t <= max * 1.001) ticks.push(t);
        }
    }
    return ticks;
}

/** The smallest 1-2-5 step that puts at most 10 labels on an axis of `count` keystrokes. */
export function niceStep(count: number): number {
    for (let decade = 1; ; decade *= 10) {
        for (const m of [1, 2, 5]) if (count / (m * decade) <= 10) return m * decade;
    }
}

/** The largest 1-2-5 value at or below v, and the smallest at or above it: tidy axis ends. */
export function niceBelow(v: number): number {
    const decade = 10 ** Math.floor(Math.log10(v));
    return [5, 2, 1].map((m) => m * decade).find((t) => t <= v) ?? decade;
}

export function niceAbove(v: number): number {
    const decade = 10 ** Math.floor(Math.log10(v));
    return [1, 2, 5, 10].map((m) => m * decade).find((t) => t >= v) ?? 10 * decade;
}

function tickLabel(v: number): string {
    return v >= 1000 ? `${v / 1000}k` : v >= 1 ? String(v) : v.toPrecision(1);
}

const fmt = (n: number) => n.toFixed(1);

/** The canvas, the plot area inside its margins, and the scales onto it (x linear, y log). */
interface Frame {
    readonly width: number;
    readonly height: number;
    readonly plotW: number;
    readonly plotH: number;
    /** Keystrokes along x: the longest series. */
    readonly count: number;
    readonly yMin: number;
    readonly yMax: number;
    x(i: number): number;
    y(v: number): number;
}

function frameOf(options: PlotOptions): Frame {
    const width = options.width ?? 800;
    const height = options.height ?? 360;
    const plotW = width - MARGIN.left - MARGIN.right;
    const plotH = height - MARGIN.top - MARGIN.bottom;
    const all = options.series.flatMap((s) => s.values.filter(usable));
    const count = Math.max(1, ...options.series.map((s) => s.values.length));
    const yMin = all.length ? niceBelow(Math.min(...all)) : 1;
    const yMax = all.length ? niceAbove(Math.max(...all)) : 10;
    const span = Math.max(Math.log10(yMax) - Math.log10(yMin), 1e-9);
    const x = (i: number) => MARGIN.left + (count <= 1 ? plotW / 2 : (i / (count - 1)) * plotW);
    const y = (v: number) => MARGIN.top + plotH - ((Math.log10(v) - Math.log10(yMin)) / span) * plotH;
    return { width, height, plotW, plotH, count, yMin, yMax, x, y };
}

/** Grid lines and labels on both axes, the plot's frame and the axis titles. */
function axes(f: Frame, options: PlotOptions): string[] {
    const parts: string[] = [];
    for (const t of logTicks(f.yMin, f.yMax)) {
        parts.push(
            `<line x1="${MARGIN.left}" x2="${MARGIN.left + f.plotW}" y1="${fmt(f.y(t))}" y2="${fmt(f.y(t))}" stroke="#ddd"/>`,
            `<text x="${MARGIN.left - 6}" y="${fmt(f.y(t) + 4)}" text-anchor="end">${tickLabel(t)}</text>`,
        );
    }
    const xStep = niceStep(f.count);
    for (let k = xStep; k <= f.count; k += xStep) {
        parts.push(`<text x="${fmt(f.x(k - 1))}" y="${MARGIN.top + f.plotH + 16}" text-anchor="middle">${k}</text>`);
    }
    parts.push(
        `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${f.plotW}" height="${f.plotH}" fill="none" stroke="#888"/>`,
        `<text x="${MARGIN.left + f.plotW / 2}" y="${f.height - 28}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
        `<text transform="translate(16 ${MARGIN.top + f.plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
    );
    return parts;
}

/** One polyline per run of usable values (a lone value becomes a dot), so gaps stay visible. */
function seriesLines(f: Frame, series: readonly Series[]): string[] {
    const parts: string[] = [];
    for (const s of series) {
        for (const run of runsOf(s.values)) {
            const points = run.map((i) => `${fmt(f.x(i))},${fmt(f.y(s.values[i] as number))}`).join(" ");
            parts.push(
                run.length === 1
                    ? `<circle cx="${points.split(",")[0]}" cy="${points.split(",")[1]}" r="2" fill="${s.color}"/>`
                    : `<polyline points="${points}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`,
            );
        }
    }
    return parts;
}

/** A row along the bottom: one entry per series, and one for the markers when they have a label. */
function legend(f: Frame, options: PlotOptions): string[] {
    const entries = [...options.series.map((s) => ({ label: s.label, color: s.color, dashed: false }))];
    if (options.markers?.length && options.markerLabel) entries.push({ label: options.markerLabel, color: "#999", dashed: true });
    return entries.flatMap((entry, i) => {
        const lx = MARGIN.left + i * 250;
        const ly = f.height - 10;
        const dash = entry.dashed ? ` stroke-dasharray="4 3"` : "";
        return [
            `<line x1="${lx}" x2="${lx + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${entry.color}" stroke-width="2"${dash}/>`,
            `<text x="${lx + 30}" y="${ly}">${escapeXml(entry.label)}</text>`,
        ];
    });
}

export function renderLatencyPlot(options: PlotOptions): string {
    const f = frameOf(options);
    const parts: string[] = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" font-family="sans-serif" font-size="12">`,
        `<rect width="${f.width}" height="${f.height}" fill="white"/>`,
        `<text x="${f.width / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(options.title)}</text>`,
        ...axes(f, options),
    ];
    for (const m of options.markers ?? []) {
        parts.push(`<line x1="${fmt(f.x(m))}" x2="${fmt(f.x(m))}" y1="${MARGIN.top}" y2="${MARGIN.top + f.plotH}" stroke="#999" stroke-dasharray="4 3"/>`);
    }
    parts.push(...seriesLines(f, options.series), ...legend(f, options), "</svg>");
    return parts.join("\n") + "\n";
}

/** Index runs of consecutive usable values: each becomes one polyline. */
function runsOf(values: readonly (number | null)[]): number[][] {
    const runs: number[][] = [];
    let current: number[] = [];
    values.forEach((v, i) => {
        if (usable(v)) current.push(i);
        else if (current.length) {
            runs.push(current);
            current = [];
        }
    });
    if (current.length) runs.push(current);
    return runs;
}
