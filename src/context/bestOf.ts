// The best k of a stream of candidates, without sorting them all: a heap whose root is the worst one
// kept. Retrieval offers every chunk that clears the score floor (thousands per keystroke) and needs a
// few dozen.

export class BestOf<T> {
    private readonly heap: T[] = [];

    /** `compare(a, b)` < 0 when a is better: a total order, so the result never depends on arrival order. */
    constructor(
        private readonly k: number,
        private readonly compare: (a: T, b: T) => number,
        private readonly scoreOf: (item: T) => number,
    ) {}

    /** Whether a candidate with this score could be kept: lets the caller skip building one that cannot. */
    admits(score: number): boolean {
        return this.k > 0 && (this.heap.length < this.k || score >= this.scoreOf(this.heap[0]));
    }

    offer(item: T): void {
        if (this.k <= 0) return;
        if (this.heap.length < this.k) {
            this.heap.push(item);
            this.siftUp(this.heap.length - 1);
        } else if (this.compare(item, this.heap[0]) < 0) {
            this.heap[0] = item;
            this.siftDown(0);
        }
    }

    /** What was kept, best first. */
    best(): T[] {
        return [...this.heap].sort(this.compare);
    }

    // The heap is ordered worst first: a parent is never better than its children.
    private worse(i: number, j: number): boolean {
        return this.compare(this.heap[i], this.heap[j]) > 0;
    }

    private swap(i: number, j: number): void {
        [this.heap[i], this.heap[j]] = [this.heap[j], this.heap[i]];
    }

    private siftUp(i: number): void {
        while (i > 0) {
            const parent = (i - 1) >> 1;
            if (!this.worse(i, parent)) return;
            this.swap(i, parent);
            i = parent;
        }
    }

    private siftDown(i: number): void {
        for (;;) {
            const [left, right] = [2 * i + 1, 2 * i + 2];
            let worst = i;
            if (left < this.heap.length && this.worse(left, worst)) worst = left;
            if (right < this.heap.length && this.worse(right, worst)) worst = right;
            if (worst === i) return;
            this.swap(i, worst);
            i = worst;
        }
    }
}
