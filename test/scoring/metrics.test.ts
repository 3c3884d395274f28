import { describe, expect, it } from 'vitest';
import { averagePrecision, rocAuc, thresholdForBestF1, thresholdForPrecision } from '../../scripts/lib/metrics.ts';

describe('rocAuc', () => {
  it('is 1 for a perfect ranking and 0 for a reversed one', () => {
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0])).toBe(1);
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0])).toBe(0);
  });

  it('counts each mis-ordered pair (hand-computed: 3 of 4 pairs right)', () => {
    // Positives 0.8 and 0.4; negatives 0.6 and 0.2. Pairs: (0.8>0.6) (0.8>0.2) (0.4<0.6) (0.4>0.2) -> 3/4.
    expect(rocAuc([0.8, 0.6, 0.4, 0.2], [1, 0, 1, 0])).toBe(0.75);
  });

  it('counts a tie between a positive and a negative as one half', () => {
    // Pairs: (0.5 vs 0.5) tie = 0.5, (0.5 > 0.1) = 1 -> 1.5 / 2.
    expect(rocAuc([0.5, 0.5, 0.1], [1, 0, 0])).toBe(0.75);
    // All scores equal: every pair ties.
    expect(rocAuc([0.3, 0.3, 0.3, 0.3], [1, 0, 1, 0])).toBe(0.5);
  });

  it('does not depend on input order', () => {
    expect(rocAuc([0.2, 0.8, 0.4, 0.6], [0, 1, 1, 0])).toBe(0.75);
  });

  it('is null when a class is missing, and rejects mismatched lengths', () => {
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNull();
    expect(rocAuc([0.1, 0.2], [0, 0])).toBeNull();
    expect(() => rocAuc([0.1], [1, 0])).toThrow(/1 scores but 2 labels/);
  });
});

describe('averagePrecision', () => {
  it('is 1 when all positives come first', () => {
    expect(averagePrecision([0.9, 0.8, 0.1], [1, 1, 0])).toBe(1);
  });

  it('sums recall steps times precision (hand-computed)', () => {
    // Ranked: 1 (P=1, R=0.5), 0, 1 (P=2/3, R=1). AP = 0.5*1 + 0.5*(2/3) = 5/6.
    expect(averagePrecision([0.9, 0.5, 0.3], [1, 0, 1])).toBeCloseTo(5 / 6, 12);
  });

  it('treats tied scores as one threshold', () => {
    // 0.7 holds one positive and one negative: one step to R=0.5 at P=1/2, then R=1 at P=2/3.
    // AP = 0.5*0.5 + 0.5*(2/3) = 7/12.
    expect(averagePrecision([0.7, 0.7, 0.2, 0.1], [1, 0, 1, 0])).toBeCloseTo(0.5 * 0.5 + 0.5 * (2 / 3), 12);
  });

  it('is null without positives', () => {
    expect(averagePrecision([0.4, 0.3], [0, 0])).toBeNull();
  });
});

describe('thresholdForPrecision', () => {
  it('returns the lowest score that keeps the precision', () => {
    // >=0.9: 1/1; >=0.8: 2/2; >=0.7: 2/3; >=0.6: 3/4 -> for 0.75 the lowest is 0.6.
    expect(thresholdForPrecision([0.9, 0.8, 0.7, 0.6, 0.1], [1, 1, 0, 1, 0], 0.75)).toBe(0.6);
    expect(thresholdForPrecision([0.9, 0.8, 0.7, 0.6, 0.1], [1, 1, 0, 1, 0], 1)).toBe(0.8);
  });

  it('is null when no threshold reaches the precision', () => {
    expect(thresholdForPrecision([0.9, 0.1], [0, 1], 0.8)).toBeNull();
  });
});

describe('thresholdForBestF1', () => {
  it('picks the threshold with the highest F1 (hand-computed)', () => {
    // >=0.9: tp1 f1=2/(1+3)=0.5; >=0.8: tp2 f1=4/5=0.8; >=0.7: tp2 f1=4/6; >=0.6: tp3 f1=6/7=0.857; >=0.1: tp3 f1=6/8.
    expect(thresholdForBestF1([0.9, 0.8, 0.7, 0.6, 0.1], [1, 1, 0, 1, 0])).toBe(0.6);
  });

  it('is null without positives', () => {
    expect(thresholdForBestF1([0.9, 0.1], [0, 0])).toBeNull();
  });
});
