// The part of VS Code's Memento (globalState) that the core uses: plain code keeps small state across
// sessions through it, and tests hand it a Map-backed one.

export interface Memento {
    get<T>(key: string): T | undefined;
    update(key: string, value: unknown): Thenable<void> | Promise<void>;
}
