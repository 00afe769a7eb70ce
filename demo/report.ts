// A second file to try with a real model (SOLAR_MODEL=…): the generated copy model only knows
// inventory.ts, so here it stays quiet or guesses.
import { parseInventory, totalUnits } from "./inventory";

/** Prints every SKU with its count, then the total. */
export function printReport(csvPath: string): void {
    const stock = parseInventory(csvPath);
    for (const [sku, count] of stock) {
        console.log(`${sku.padEnd(12)} ${count}`);
    }
    console.log(`total        ${totalUnits([...stock.values()])}`);
}

/** SKUs with fewer than `threshold` units, lowest first. */
export function lowStock(csvPath: string, threshold = 5): string[] {
}
