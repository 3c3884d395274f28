import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFANITY_CHECK_PATH, ProfanityCheck, loadProfanityCheck } from '../../server/scoring/profanity-check.ts';
import { DEFAULT_DATA_DIR, loadAllSets, type DataRow } from '../../scripts/lib/datasets.ts';
import { rocAuc } from '../../scripts/lib/metrics.ts';

describe('ProfanityCheck (hand-made weights)', () => {
  // Two words, two folds: easy to compute by hand.
  const model = new ProfanityCheck({
    tokenPattern: '(?u)\\b\\w\\w+\\b',
    lowercase: true,
    vocabulary: { idiot: 0, hello: 1 },
    folds: [
      { coef: [2, -1], intercept: -1, a: -1, b: 0 },
      { coef: [1, 0], intercept: 0, a: -2, b: 0.5 },
    ],
  });
  const sigmoidOf = (a: number, b: number, d: number): number => 1 / (1 + Math.exp(a * d + b));

  it('counts lowercased tokens of two or more word characters and averages the folds', () => {
    // "Idiot idiot! a hello": idiot x2, hello x1, "a" is too short.
    const d1 = -1 + 2 * 2 - 1;
    const d2 = 0 + 1 * 2;
    expect(model.score('Idiot idiot! a hello')).toBeCloseTo((sigmoidOf(-1, 0, d1) + sigmoidOf(-2, 0.5, d2)) / 2, 12);
  });

  it('scores text without known words from the intercepts alone', () => {
    expect(model.score('')).toBeCloseTo((sigmoidOf(-1, 0, -1) + sigmoidOf(-2, 0.5, 0)) / 2, 12);
  });

  it('treats underscores and non-Latin letters as word characters, as Python does', () => {
    expect(model.score('idiot_x')).toBe(model.score(''));
    expect(model.score('идиот idiot')).toBe(model.score('idiot'));
  });

  it('reports toxicity only, other labels null', async () => {
    const [r] = await model.scoreBatch(['idiot']);
    expect(r!.scores.toxicity).toBeCloseTo(model.score('idiot'), 12);
    expect(r!.scores.insult).toBeNull();
  });

  it('rejects weights that do not fit the vocabulary', () => {
    expect(
      () => new ProfanityCheck({ tokenPattern: '(?u)\\b\\w\\w+\\b', lowercase: true, vocabulary: { a: 0 }, folds: [{ coef: [1, 2], intercept: 0, a: 1, b: 0 }] }),
    ).toThrow(/folds\[0\]\.coef has 2 weights for 1 words/);
  });
});

// The published weights and the labelled sets live in ../shared (not in a clone).
const shared = existsSync(DEFAULT_PROFANITY_CHECK_PATH) && existsSync(DEFAULT_DATA_DIR);
describe.skipIf(!shared)('ProfanityCheck on the shared baseline weights (needs ../shared)', () => {
  it('reproduces the reference ROC AUCs on all rows', async () => {
    const model = await loadProfanityCheck();
    const rows = loadAllSets();
    const auc = (pick: (r: DataRow) => boolean, label: 'toxicity' | 'identity_attack'): number => {
      const sel = rows.filter((r) => pick(r) && r.labels[label] !== undefined);
      return rocAuc(sel.map((r) => model.score(r.text)), sel.map((r) => r.labels[label]!))!;
    };
    expect(auc((r) => r.set === 'olid', 'toxicity')).toBeCloseTo(0.77, 1.7);
    expect(auc((r) => r.set === 'hateval' && r.split === 'heldout', 'identity_attack')).toBeCloseTo(0.58, 1.7);
    expect(auc((r) => r.set === 'toxichat', 'toxicity')).toBeCloseTo(0.75, 1.7);
    expect(auc((r) => r.set === 'wiki-detox-gc', 'toxicity')).toBeCloseTo(0.66, 1.7);
    expect(auc((r) => r.set === 'wiki-detox-gn', 'toxicity')).toBeCloseTo(0.87, 1.7);
    expect(model.score('you are a fucking idiot')).toBeGreaterThan(0.9);
    expect(model.score('thank you for the lovely photos')).toBeLessThan(0.2);
  });
});
