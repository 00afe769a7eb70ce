// Demo file for host and browser tests, which open a fresh copy of this folder each run.

export function greet(name: string): string {
    return `Hello, ${name}!`;
}
