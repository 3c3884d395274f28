import { describe, expect, it } from 'vitest';
import { percentile, rankThreadsByHidden, versionsInForce } from '../../server/reports/summary.ts';

describe('percentile', () => {
  it('interpolates between the closest ranks', () => {
    expect(percentile([5, 1, 3], 50)).toBe(3);
    expect(percentile([4, 1, 3, 2], 50)).toBe(2.5);
    // 10 values 1..10: rank 0.9 * 9 = 8.1 -> 9 + 0.1 * (10 - 9)
    expect(percentile([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 90)).toBeCloseTo(9.1, 10);
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([1, 2], 0)).toBe(1);
    expect(percentile([1, 2], 100)).toBe(2);
    expect(percentile([], 50)).toBeNull();
  });

  it('rejects a percentile outside 0..100', () => {
    expect(() => percentile([1], 101)).toThrow(/0..100/);
  });
});

describe('threads ranked by hidden share', () => {
  it('orders by share, then hidden count, then id, and leaves out threads with nothing hidden', () => {
    const ranked = rankThreadsByHidden([
      { threadId: 1, title: 'a', comments: 10, hidden: 2 },
      { threadId: 2, title: 'b', comments: 4, hidden: 2 },
      { threadId: 3, title: 'c', comments: 2, hidden: 1 },
      { threadId: 4, title: 'd', comments: 5, hidden: 0 },
      { threadId: 5, title: 'e', comments: 1, hidden: 1 },
    ]);
    expect(ranked.map((t) => [t.threadId, t.share])).toEqual([[5, 1], [2, 0.5], [3, 0.5], [1, 0.2]]);
  });
});

describe('threshold versions in force', () => {
  it('keeps the versions whose time in force overlaps the period', () => {
    const v = [{ since: 0 }, { since: 100 }, { since: 200 }, { since: 300 }];
    expect(versionsInForce(v, 150, 250)).toEqual([{ since: 100, until: 200 }, { since: 200, until: 300 }]);
    expect(versionsInForce(v, 400, 500)).toEqual([{ since: 300, until: null }]);
    expect(versionsInForce(v, 100, 101)).toEqual([{ since: 100, until: 200 }]);
  });
});
