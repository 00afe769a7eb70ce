import { readFileSync } from "node:fs";

export function parseInventory(csvPath: string): Map<string, number> {
    const stockBySku = new Map();
