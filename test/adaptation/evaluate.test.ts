import { describe, expect, it } from 'vitest';
import { aucStandardError, compare, TRUST_HALF_WIDTH } from '../../server/adaptation/evaluate.ts';

describe('aucStandardError (Hanley and McNeil 1982)', () => {
  it('matches hand-computed values', () => {
    // A = 0.8, 20 and 20: Q1 = 0.8/1.2, Q2 = 1.28/1.8; variance (0.16 + 19(Q1 - 0.64) + 19(Q2 - 0.64)) / 400 = 0.0050444.
    expect(aucStandardError(0.8, 20, 20)).toBeCloseTo(0.0710243, 6);
    // A = 0.5, 10 and 10: Q1 = 1/3, Q2 = 1/3; (0.25 + 9(1/12) + 9(1/12)) / 100 = 0.0175.
    expect(aucStandardError(0.5, 10, 10)).toBeCloseTo(0.1322876, 6);
    expect(aucStandardError(1, 3, 3)).toBe(0);
  });
});

describe('compare', () => {
  // Positives at 0.9, 0.8, 0.6, negatives at 0.7, 0.5, 0.4: 8 of 9 pairs in order (ROC AUC 8/9);
  // precision 1, 1, 3/4 at the three positives (PR AUC (1 + 1 + 0.75) / 3).
  const labels = [1, 1, 0, 1, 0, 0];
  const shipped = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
  const adapted = [0.9, 0.8, 0.1, 0.7, 0.2, 0.3];

  it('gives ROC AUC, PR AUC and the 95% interval of each model, with the sample sizes', () => {
    const c = compare(labels, shipped, adapted);
    expect(c).toMatchObject({ heldOut: 6, positives: 3, negatives: 3 });
    expect(c.shipped.rocAuc).toBeCloseTo(8 / 9, 10);
    expect(c.shipped.prAuc).toBeCloseTo(2.75 / 3, 10);
    expect(c.shipped.rocAucHalfWidth).toBeCloseTo(1.96 * 0.1532878, 5);
    expect(c.adapted).toEqual({ rocAuc: 1, prAuc: 1, rocAucHalfWidth: 0 });
  });

  it('warns when a class has fewer than 10 comments, and when the interval is wider than the gain to be measured', () => {
    const { warnings } = compare(labels, shipped, adapted);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toBe('the held-out slice has 3 hidden or escalated and 3 approved comments; at least 10 of each are needed to measure anything');
    expect(warnings[1]).toMatch(new RegExp(`^too small to trust: ROC AUC is known only to ±0\\.300 \\(95%\\) on 6 held-out comments, wider than the ±${TRUST_HALF_WIDTH}`));
  });

  it('does not warn on a slice large enough to resolve 0.05', () => {
    // 400 positives above 400 negatives, with a tenth of each swapped: AUC about 0.9, half-width well under 0.05.
    const n = 800;
    const l = Array.from({ length: n }, (_, i) => (i < 400 ? 1 : 0));
    const s = l.map((y, i) => (i % 10 === 0 ? 1 - y : y) + i / (10 * n));
    const c = compare(l, s, s);
    expect(c.shipped.rocAucHalfWidth!).toBeLessThan(TRUST_HALF_WIDTH);
    expect(c.warnings).toEqual([]);
  });

  it('has no AUC when the slice has one class only, and warns', () => {
    const c = compare([0, 0, 0], [0.1, 0.2, 0.3], [0.3, 0.2, 0.1]);
    expect(c.shipped.rocAuc).toBeNull();
    expect(c.shipped.prAuc).toBeNull();
    expect(c.warnings.join(' ')).toMatch(/known only to ±\?/);
  });
});
