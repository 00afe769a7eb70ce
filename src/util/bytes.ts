// Byte counts as people read them, in decimal units, as download pages and file managers show sizes.

/** The unit that suits the size, one decimal: "6.5 GB", "512.0 KB", "999 bytes". */
export function formatBytes(bytes: number): string {
    const units = ["KB", "MB", "GB", "TB"];
    if (bytes < 1000) return `${bytes} bytes`;
    let value = bytes;
    let unit = "";
    for (const next of units) {
        if (value < 1000) break;
        value /= 1000;
        unit = next;
    }
    return `${value.toFixed(1)} ${unit}`;
}

/** Always GB, to 0.1 GB, so model sizes and memory figures line up: "6.5 GB file, ~7.6 GB to run". */
export function formatGB(bytes: number): string {
    return `${(Math.round(bytes / 1e8) / 10).toFixed(1)} GB`;
}

/**
 * GB with two decimals, MB with one below a GB: for two figures set against each other, such as the
 * space a download needs and the space free ("needs 6.46 GB more, 6.50 GB free"), which one decimal
 * would print alike.
 */
export function formatBytesPrecise(bytes: number): string {
    return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}
