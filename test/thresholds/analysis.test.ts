import { describe, expect, it } from 'vitest';
import {
  agreement,
  histogram,
  pointAt,
  prCurve,
  prepare,
  sampleOf,
  suggest,
  thinCurve,
  whatIf,
  type ScoredOutcome,
  type WhatIfItem,
} from '../../server/thresholds/analysis.ts';

// Hand-computed example: positives (hidden/escalated) at 0.9, 0.8, 0.4;
// negatives (approved) at 0.85, 0.3, 0.2; undecided at 0.95 and 0.5.
const items: ScoredOutcome[] = [
  { score: 0.9, outcome: 'positive' },
  { score: 0.8, outcome: 'positive' },
  { score: 0.4, outcome: 'positive' },
  { score: 0.85, outcome: 'negative' },
  { score: 0.3, outcome: 'negative' },
  { score: 0.2, outcome: 'negative' },
  { score: 0.95, outcome: 'undecided' },
  { score: 0.5, outcome: 'undecided' },
];

describe('precision-recall curve', () => {
  it('has a point at every distinct decided score, highest first, with hand-computed figures', () => {
    const curve = prCurve(prepare(items));
    expect(curve.map((p) => [p.threshold, p.truePositives, p.falsePositives, p.precision, p.recall, p.flagged])).toEqual([
      [0.9, 1, 0, 1, 1 / 3, 2],
      [0.85, 1, 1, 0.5, 1 / 3, 3],
      [0.8, 2, 1, 2 / 3, 2 / 3, 4],
      [0.4, 3, 1, 0.75, 1, 6],
      [0.3, 3, 2, 0.6, 1, 7],
      [0.2, 3, 3, 0.5, 1, 8],
    ]);
  });

  it('merges equal scores into one point', () => {
    const curve = prCurve(prepare([
      { score: 0.5, outcome: 'positive' },
      { score: 0.5, outcome: 'negative' },
      { score: 0.5, outcome: 'positive' },
    ]));
    expect(curve).toHaveLength(1);
    expect(curve[0]).toMatchObject({ threshold: 0.5, truePositives: 2, falsePositives: 1, falseNegatives: 0 });
  });

  it('gives figures between curve points and for a switched-off label', () => {
    const p = prepare(items);
    expect(pointAt(p, 0.6)).toMatchObject({ truePositives: 2, falsePositives: 1, falseNegatives: 1, precision: 2 / 3, recall: 2 / 3, flagged: 4 });
    expect(pointAt(p, null)).toMatchObject({ truePositives: 0, falsePositives: 0, precision: null, recall: 0, flagged: 0 });
    expect(pointAt(prepare([]), 0.5)).toMatchObject({ precision: null, recall: null, flagged: 0 });
  });

  it('says when a sample is too small to trust', () => {
    const p = pointAt(prepare(items), 0.8);
    const s = sampleOf(p, 6);
    expect(s).toMatchObject({ precisionSample: 3, recallSample: 3, decided: 6, trusted: false });
    expect(s.note).toContain('precision rests on 3 decided flagged comments');
    expect(sampleOf(p, 6, 3)).toMatchObject({ trusted: true, note: null });
  });

  it('thins a long curve for drawing but keeps both ends', () => {
    const curve = prCurve(prepare(Array.from({ length: 1000 }, (_, i) => ({ score: i / 1000, outcome: i % 3 ? 'negative' : 'positive' }) as ScoredOutcome)));
    const thin = thinCurve(curve, 50);
    expect(thin).toHaveLength(50);
    expect(thin[0]).toBe(curve[0]);
    expect(thin.at(-1)).toBe(curve.at(-1));
  });
});

describe('suggested threshold', () => {
  const curve = prCurve(prepare(items));

  it('for a target precision: the lowest threshold that keeps it', () => {
    expect(suggest(curve, { precision: 0.7 }).threshold).toBe(0.4);
    expect(suggest(curve, { precision: 0.8 }).threshold).toBe(0.9);
    expect(suggest(curve, { precision: 0.5 }).threshold).toBe(0.2);
    const none = suggest(curve, { precision: 1.01 });
    expect(none.threshold).toBeNull();
    expect(none.reason).toContain('no threshold reaches precision');
  });

  it('for a target recall: the highest threshold that keeps it', () => {
    expect(suggest(curve, { recall: 0.6 }).threshold).toBe(0.8);
    expect(suggest(curve, { recall: 1 }).threshold).toBe(0.4);
    expect(suggest(curve, { recall: 0.3 }).threshold).toBe(0.9);
    expect(suggest(curve, { recall: 0.6 }).point).toMatchObject({ precision: 2 / 3, recall: 2 / 3 });
  });

  it('needs a target', () => {
    expect(() => suggest(curve, {})).toThrow(/target/);
  });
});

describe('histogram', () => {
  it('splits each bin by approved, hidden or escalated, and undecided', () => {
    const h = histogram([...items, { score: 1, outcome: 'positive' }, { score: 0, outcome: 'undecided' }], 4);
    expect(h.map((b) => [b.from, b.to, b.approved, b.hiddenOrEscalated, b.undecided])).toEqual([
      [0, 0.25, 1, 0, 1],
      [0.25, 0.5, 1, 1, 0],
      [0.5, 0.75, 0, 0, 1],
      [0.75, 1, 1, 3, 1],
    ]);
  });

  it('rejects a bad bin count', () => {
    expect(() => histogram(items, 0)).toThrow(/bins/);
  });
});

/** A tiny deterministic generator so the brute-force comparison is repeatable. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('what-if', () => {
  it('matches a brute-force count of queue membership before and after', () => {
    const rand = rng(42);
    const outcomes = ['positive', 'negative', 'undecided'] as const;
    const pool: WhatIfItem[] = Array.from({ length: 2000 }, (_, i) => ({
      id: i + 1,
      score: Math.round(rand() * 100) / 100,
      outcome: outcomes[Math.floor(rand() * 3)]!,
      pending: rand() < 0.8,
      flaggedByOther: rand() < 0.2,
    }));
    for (const [current, candidate] of [[0.8, 0.6], [0.6, 0.8], [0.5, 0.5], [null, 0.3], [0.3, null], [0.75, 0.77]] as const) {
      const got = whatIf(pool, current, candidate);
      const inQueue = (x: WhatIfItem, t: number | null) => x.outcome === 'undecided' && x.pending && (x.flaggedByOther || (t !== null && x.score >= t));
      const enteringIds = pool.filter((x) => !inQueue(x, current) && inQueue(x, candidate)).map((x) => x.id).sort((a, b) => a - b);
      const leavingIds = pool.filter((x) => inQueue(x, current) && !inQueue(x, candidate)).map((x) => x.id).sort((a, b) => a - b);
      expect(got.entering.map((x) => x.id).sort((a, b) => a - b)).toEqual(enteringIds);
      expect(got.leaving.map((x) => x.id).sort((a, b) => a - b)).toEqual(leavingIds);
      const flagged = (x: WhatIfItem, t: number | null) => x.flaggedByOther || (t !== null && x.score >= t);
      const pos = pool.filter((x) => x.outcome === 'positive');
      const neg = pool.filter((x) => x.outcome === 'negative');
      expect(got.decided).toEqual({
        caught: pos.filter((x) => flagged(x, candidate)).length,
        missed: pos.filter((x) => !flagged(x, candidate)).length,
        falseAlarms: neg.filter((x) => flagged(x, candidate)).length,
        newlyCaught: pos.filter((x) => !flagged(x, current) && flagged(x, candidate)).length,
        newlyMissed: pos.filter((x) => flagged(x, current) && !flagged(x, candidate)).length,
        newFalseAlarms: neg.filter((x) => !flagged(x, current) && flagged(x, candidate)).length,
        clearedFalseAlarms: neg.filter((x) => flagged(x, current) && !flagged(x, candidate)).length,
      });
    }
  });

  it('lists entering comments highest score first and ignores ones another label keeps flagged', () => {
    const got = whatIf(
      [
        { id: 1, score: 0.7, outcome: 'undecided', pending: true, flaggedByOther: false },
        { id: 2, score: 0.75, outcome: 'undecided', pending: true, flaggedByOther: false },
        { id: 3, score: 0.72, outcome: 'undecided', pending: true, flaggedByOther: true },
        { id: 4, score: 0.9, outcome: 'undecided', pending: true, flaggedByOther: false },
        { id: 5, score: 0.71, outcome: 'positive', pending: false, flaggedByOther: false },
      ],
      0.8,
      0.7,
    );
    expect(got.entering).toEqual([{ id: 2, score: 0.75 }, { id: 1, score: 0.7 }]);
    expect(got.leaving).toEqual([]);
    expect(got.decided).toMatchObject({ caught: 1, newlyCaught: 1, missed: 0 });
  });
});

describe('agreement', () => {
  it('counts matches, model-only and moderator-only disagreements', () => {
    const a = agreement([
      { modelFlagged: true, positive: true },
      { modelFlagged: false, positive: false },
      { modelFlagged: true, positive: false },
      { modelFlagged: false, positive: true },
      { modelFlagged: false, positive: true },
    ]);
    expect(a).toEqual({ n: 5, agree: 2, share: 0.4, modelOnly: 1, moderatorOnly: 2 });
    expect(agreement([]).share).toBeNull();
  });
});
