import { describe, expect, it } from 'vitest';
import { reservoirSample } from '../../server/samples/draw.ts';
import { seededRandom } from '../../server/random.ts';
import { estimateMissed, wilsonInterval } from '../../server/samples/estimate.ts';

describe('wilsonInterval', () => {
  it('matches published values', () => {
    // 8 of 10 (Newcombe 1998, method 3): 0.4902 to 0.9433.
    const a = wilsonInterval(8, 10)!;
    expect(a.low).toBeCloseTo(0.4902, 4);
    expect(a.high).toBeCloseTo(0.9433, 4);
    // 81 of 263: 0.2553 to 0.3662.
    const b = wilsonInterval(81, 263)!;
    expect(b.low).toBeCloseTo(0.2553, 3);
    expect(b.high).toBeCloseTo(0.3662, 3);
  });

  it('is exact and not zero-width at the ends', () => {
    const none = wilsonInterval(0, 20)!;
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.1611, 4);
    const all = wilsonInterval(20, 20)!;
    expect(all.high).toBe(1);
    expect(all.low).toBeCloseTo(0.8389, 4);
  });

  it('holds the proportion, narrows as n grows, and refuses nonsense', () => {
    for (const [x, n] of [[1, 3], [5, 50], [50, 500], [3, 1000]]) {
      const { low, high } = wilsonInterval(x, n)!;
      expect(low).toBeLessThanOrEqual(x / n);
      expect(high).toBeGreaterThanOrEqual(x / n);
    }
    const w = (n: number) => { const i = wilsonInterval(n / 10, n)!; return i.high - i.low; };
    expect(w(1000)).toBeLessThan(w(100));
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
  });

  it('estimates the count over the population', () => {
    expect(estimateMissed(0, 0, 1000)).toBeNull();
    const e = estimateMissed(2, 100, 50_000)!;
    expect(e.share).toBe(0.02);
    expect(e.count).toBe(1000);
    expect(e.countLow).toBeLessThan(1000);
    expect(e.countHigh).toBeGreaterThan(1000);
  });
});

describe('reservoirSample', () => {
  it('draws k distinct items, the same for the same seed', () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const a = reservoirSample(items, 50, seededRandom(7));
    expect(new Set(a).size).toBe(50);
    expect(reservoirSample(items, 50, seededRandom(7))).toEqual(a);
    expect(reservoirSample(items, 50, seededRandom(8))).not.toEqual(a);
    expect(reservoirSample([1, 2, 3], 10, seededRandom(1)).sort()).toEqual([1, 2, 3]);
  });

  it('gives every item the same chance', () => {
    const counts = new Array<number>(20).fill(0);
    const random = seededRandom(42);
    for (let r = 0; r < 4000; r++) for (const i of reservoirSample(Array.from({ length: 20 }, (_, i) => i), 5, random)) counts[i]++;
    // Expected 1000 each; a fair draw stays well within 15%.
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });
});
