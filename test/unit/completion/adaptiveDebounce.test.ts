import * as assert from "node:assert/strict";
import { AdaptiveDebounce, type DebounceLimits } from "../../../src/completion/adaptiveDebounce";

const T0 = 1_000_000;

function debounce(limits: DebounceLimits = { minMs: 50, maxMs: 600 }): AdaptiveDebounce {
    return new AdaptiveDebounce(() => limits);
}

/** Types `count` keys `gapMs` apart starting at `from`; returns the time of the last one. */
function type(d: AdaptiveDebounce, count: number, gapMs: number, from = T0): number {
    let now = from;
    for (let i = 0; i < count; i++, now += gapMs) d.recordKeystroke(now);
    return now - gapMs;
}

describe("adaptive debounce", () => {
    it("starts at 1.5 times an assumed 200 ms typing gap", () => {
        const d = debounce();
        assert.equal(d.delay(T0), 300);
        d.recordKeystroke(T0);
        assert.equal(d.delay(T0), 300, "one keystroke measures no gap");
    });

    it("waits 1.5 typing gaps for a fast typist, so a burst fires no request", () => {
        const d = debounce();
        const last = type(d, 10, 100);
        assert.equal(d.typingGapMs(), 100);
        assert.equal(d.delay(last), 150);
        assert.ok(d.delay(last) > 100, "the next keystroke of the burst comes before the request");
    });

    it("waits longer for a slow typist, up to the maximum", () => {
        const d = debounce();
        const last = type(d, 10, 350);
        assert.equal(d.delay(last), 525);
        type(d, 10, 900, last + 900);
        assert.equal(d.delay(T0 + 100_000), 0, "the wait already passed");
        assert.equal(d.targetMs(), 600);
    });

    it("does not wait longer than a fast model takes", () => {
        const d = debounce({ minMs: 20, maxMs: 600 });
        const last = type(d, 10, 150);
        for (const ms of [30, 40, 35]) d.recordLatency(ms);
        assert.equal(d.latencyMs(), 35);
        assert.equal(d.delay(last), 53, "1.5 x 35 ms, rounded");
    });

    it("never goes below the minimum", () => {
        const d = debounce({ minMs: 50, maxMs: 600 });
        const last = type(d, 10, 150);
        d.recordLatency(5);
        assert.equal(d.delay(last), 50);
    });

    it("adds a tenth of a slow model's excess latency", () => {
        const d = debounce();
        const last = type(d, 10, 100);
        d.recordLatency(2000);
        assert.equal(d.delay(last), 150 + 190);
        d.recordLatency(8000);
        d.recordLatency(8000);
        assert.equal(d.delay(last), 600, "clamped to the maximum");
    });

    it("ignores pauses, clock steps and duplicate calls when measuring typing", () => {
        const d = debounce();
        let now = type(d, 5, 120);
        for (const gap of [5000, 0, -300, 1001]) {
            now += gap;
            d.recordKeystroke(now);
        }
        assert.equal(d.typingGapMs(), 120);
    });

    it("uses the median, so one hesitation does not swing the delay", () => {
        const d = debounce();
        let now = T0;
        d.recordKeystroke(now);
        for (const gap of [100, 110, 900, 90, 100]) d.recordKeystroke((now += gap));
        assert.equal(d.typingGapMs(), 100);
    });

    it("follows a change of pace within a few keystrokes", () => {
        const d = debounce();
        const slowEnd = type(d, 20, 400);
        assert.equal(d.typingGapMs(), 400);
        const fastEnd = type(d, 10, 80, slowEnd + 80);
        assert.equal(d.typingGapMs(), 80);
        assert.equal(d.delay(fastEnd), 120);
    });

    it("forgets old latencies", () => {
        const d = debounce();
        const last = type(d, 10, 100);
        for (let i = 0; i < 5; i++) d.recordLatency(3000);
        for (let i = 0; i < 3; i++) d.recordLatency(20);
        assert.equal(d.latencyMs(), 20);
        assert.equal(d.delay(last), 50);
    });

    it("ignores latencies that are not numbers of ms", () => {
        const d = debounce();
        d.recordLatency(Number.NaN);
        d.recordLatency(-5);
        d.recordLatency(Number.POSITIVE_INFINITY);
        assert.equal(d.latencyMs(), undefined);
    });

    it("subtracts the time already passed since the last keystroke", () => {
        const d = debounce();
        const last = type(d, 10, 100);
        assert.equal(d.delay(last + 100), 50);
        assert.equal(d.delay(last + 1000), 0);
        assert.equal(d.delay(last - 500), 150, "a clock step back adds no wait");
    });

    it("reads the limits on every call, so settings apply at once", () => {
        let limits: DebounceLimits = { minMs: 50, maxMs: 600 };
        const d = new AdaptiveDebounce(() => limits);
        const last = type(d, 10, 100);
        assert.equal(d.delay(last), 150);
        limits = { minMs: 400, maxMs: 1000 };
        assert.equal(d.delay(last), 400);
        limits = { minMs: 0, maxMs: 100 };
        assert.equal(d.delay(last), 100);
        limits = { minMs: 0, maxMs: 0 };
        assert.equal(d.delay(last), 0);
    });

    it("lets the minimum win if the limits cross", () => {
        const d = debounce({ minMs: 500, maxMs: 200 });
        assert.equal(d.delay(T0), 500);
    });

    it("takes tuning overrides", () => {
        const d = new AdaptiveDebounce(() => ({ minMs: 0, maxMs: 5000 }), { gapFactor: 2, initialGapMs: 300 });
        assert.equal(d.delay(T0), 600);
    });
});
