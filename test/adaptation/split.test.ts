import { describe, expect, it } from 'vitest';
import { moderatorWeights, timeSplit } from '../../server/adaptation/split.ts';

describe('timeSplit', () => {
  it('holds out the most recent 20%, rounded up, and trains on the rest', () => {
    const rows = Array.from({ length: 11 }, (_, i) => i);
    expect(timeSplit(rows)).toEqual({ train: [0, 1, 2, 3, 4, 5, 6, 7], heldOut: [8, 9, 10] });
    expect(timeSplit(Array.from({ length: 200 }, (_, i) => i)).heldOut).toHaveLength(40);
  });

  it('never puts a row on both sides', () => {
    const rows = Array.from({ length: 257 }, (_, i) => ({ id: i }));
    const { train, heldOut } = timeSplit(rows);
    expect(train.length + heldOut.length).toBe(257);
    expect(heldOut.some((r) => train.includes(r))).toBe(false);
  });

  it('refuses a share outside (0, 1)', () => {
    expect(() => timeSplit([1, 2], 1)).toThrow(/between 0 and 1/);
  });
});

describe('moderatorWeights', () => {
  it('gives each decision 1/sqrt(n) of its moderator, scaled to mean 1 (hand-computed: 9 and 1 decisions)', () => {
    const rows = [...Array.from({ length: 9 }, () => ({ moderatorId: 1, moderator: 'ann' })), { moderatorId: 2, moderator: 'ben' }];
    const { perRow, moderators } = moderatorWeights(rows);
    // sqrt(9) + sqrt(1) = 4; scale 10 / 4 = 2.5; ann 2.5 / 3, ben 2.5 / 1; shares 3/4 and 1/4 (unweighted 9/10, 1/10).
    expect(moderators).toEqual([
      { moderatorId: 1, moderator: 'ann', decisions: 9, weight: 2.5 / 3, share: 0.75 },
      { moderatorId: 2, moderator: 'ben', decisions: 1, weight: 2.5, share: 0.25 },
    ]);
    expect(perRow[0]).toBeCloseTo(2.5 / 3, 6);
    expect(perRow[9]).toBeCloseTo(2.5, 6);
    expect(perRow.reduce((s, w) => s + w, 0)).toBeCloseTo(10, 5);
  });

  it('leaves one moderator at weight 1', () => {
    const [only] = moderatorWeights([{ moderatorId: 3, moderator: 'cy' }, { moderatorId: 3, moderator: 'cy' }]).moderators;
    expect(only!.weight).toBeCloseTo(1, 12);
    expect(only!.share).toBe(1);
  });
});
