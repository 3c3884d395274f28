import { describe, expect, it } from 'vitest';
import { atThresholds, aucStandardError, compare, flaggedByScores, queueMovement, TRUST_HALF_WIDTH, type ModelScores } from '../../server/adaptation/evaluate.ts';
import { DEFAULT_THRESHOLDS } from '../../server/thresholds/defaults.ts';
import type { LabelScores } from '../../server/scoring/labels.ts';

/** Scores only (the flags at 0.5), for the ranking figures. */
const ranked = (scores: number[]): ModelScores => ({ scores, flagged: scores.map((s) => s >= 0.5) });
const models = (shipped: number[], adapted: number[]) => ({ shipped: ranked(shipped), current: { model: 'shipped', ...ranked(shipped) }, adapted: ranked(adapted) });

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
    const c = compare(labels, models(shipped, adapted), DEFAULT_THRESHOLDS);
    expect(c).toMatchObject({ heldOut: 6, positives: 3, negatives: 3 });
    expect(c.shipped.rocAuc).toBeCloseTo(8 / 9, 10);
    expect(c.shipped.prAuc).toBeCloseTo(2.75 / 3, 10);
    expect(c.shipped.rocAucHalfWidth).toBeCloseTo(1.96 * 0.1532878, 5);
    expect(c.adapted).toMatchObject({ rocAuc: 1, prAuc: 1, rocAucHalfWidth: 0 });
    expect(c.current).toEqual({ model: 'shipped', ...c.shipped });
  });

  it('warns when a class has fewer than 10 comments, and when the interval is wider than the gain to be measured', () => {
    const { warnings } = compare(labels, models(shipped, adapted), DEFAULT_THRESHOLDS);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toBe('the held-out slice has 3 hidden or escalated and 3 approved comments; at least 10 of each are needed to measure anything');
    expect(warnings[1]).toMatch(new RegExp(`^too small to trust: ROC AUC is known only to ±0\\.300 \\(95%\\) on 6 held-out comments, wider than the ±${TRUST_HALF_WIDTH}`));
  });

  it('does not warn on a slice large enough to resolve 0.05', () => {
    // 400 positives above 400 negatives, with a tenth of each swapped: AUC about 0.9, half-width well under 0.05.
    const n = 800;
    const l = Array.from({ length: n }, (_, i) => (i < 400 ? 1 : 0));
    const s = l.map((y, i) => (i % 10 === 0 ? 1 - y : y) + i / (10 * n));
    const c = compare(l, models(s, s), DEFAULT_THRESHOLDS);
    expect(c.shipped.rocAucHalfWidth!).toBeLessThan(TRUST_HALF_WIDTH);
    expect(c.warnings).toEqual([]);
  });

  it('has no AUC when the slice has one class only, and warns', () => {
    const c = compare([0, 0, 0], models([0.1, 0.2, 0.3], [0.3, 0.2, 0.1]), DEFAULT_THRESHOLDS);
    expect(c.shipped.rocAuc).toBeNull();
    expect(c.shipped.prAuc).toBeNull();
    expect(c.warnings.join(' ')).toMatch(/known only to ±\?/);
  });
});

describe('the comparison at the thresholds in force', () => {
  const none: LabelScores = { toxicity: null, severe_toxicity: null, identity_attack: null, insult: null, threat: null, sexual_explicit: null, obscene: null };
  const thresholds = { ...DEFAULT_THRESHOLDS, toxicity: 0.8, insult: 0.7, threat: null };

  it('flags by scores when any label reaches its threshold (the flag rule), never on a switched-off label', () => {
    expect(flaggedByScores({ ...none, toxicity: 0.8 }, thresholds)).toBe(true); // equal counts, as in reaches()
    expect(flaggedByScores({ ...none, toxicity: 0.79, insult: 0.7 }, thresholds)).toBe(true);
    expect(flaggedByScores({ ...none, toxicity: 0.79, insult: 0.69 }, thresholds)).toBe(false);
    expect(flaggedByScores({ ...none, threat: 1 }, thresholds)).toBe(false);
  });

  it('gives precision and recall against the moderators, checked by hand', () => {
    // Moderators hid 1, 2, 4; flagged 1, 3, 4, 6: 2 of 4 flagged were hidden, 2 of 3 hidden were flagged.
    const labels = [1, 1, 0, 1, 0, 0];
    const flagged = [true, false, true, true, false, true];
    expect(atThresholds(labels, flagged)).toEqual({ flagged: 4, precision: 0.5, recall: 2 / 3 });
    expect(atThresholds(labels, labels.map(() => false))).toEqual({ flagged: 0, precision: null, recall: 0 });
    expect(atThresholds([0, 0], [true, false])).toEqual({ flagged: 1, precision: 0, recall: null });
  });

  it('counts queue movement: in under the candidate only, out under the model in force only', () => {
    const now = [true, true, false, false, true, false];
    const after = [true, false, true, true, false, false];
    expect(queueMovement(now, after)).toEqual({ compared: 6, flaggedNow: 3, flaggedAfter: 3, enter: 2, leave: 2 });
    expect(queueMovement([], [])).toEqual({ compared: 0, flaggedNow: 0, flaggedAfter: 0, enter: 0, leave: 0 });
  });

  it('puts the figures of both models and the queue movement into the comparison', () => {
    const labels = [1, 1, 0, 1, 0, 0];
    const current = { model: 'triage-site@1', scores: [0.9, 0.4, 0.8, 0.85, 0.2, 0.1], flagged: [true, false, true, true, false, false] };
    const adapted = { scores: [0.9, 0.8, 0.1, 0.7, 0.2, 0.3], flagged: [true, true, false, true, false, false] };
    const queue = queueMovement([true, false], [false, false]);
    const c = compare(labels, { shipped: current, current, adapted }, thresholds, queue);
    expect(c.current.model).toBe('triage-site@1');
    expect(c.current.atThresholds).toEqual({ flagged: 3, precision: 2 / 3, recall: 2 / 3 });
    expect(c.adapted.atThresholds).toEqual({ flagged: 3, precision: 1, recall: 1 });
    expect(c.queue).toEqual({ compared: 2, flaggedNow: 1, flaggedAfter: 0, enter: 0, leave: 1 });
    expect(c.thresholds).toBe(thresholds);
  });
});
