import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frozenFeatures, readFrozenModel, type FrozenModel } from '../../server/adaptation/features.ts';
import { LABELS } from '../../server/scoring/labels.ts';
import { DEFAULT_MODEL_DIR, loadLocalModel } from '../../server/scoring/local-model.ts';
import type { Scorer } from '../../server/scoring/types.ts';

// The "shipped" column of the comparison must be what the scorer gives the queue.
describe('frozen features of the shipped model', () => {
  let frozen: FrozenModel;
  let scorer: Scorer;
  const texts = [
    'I think the bus route is a sensible idea.',
    'You are an idiot and nobody wants you here',
    '',
    `${'A calm and long comment about the library budget. '.repeat(60)}and then, at the very end, shut up you pathetic loser`,
  ];

  beforeAll(async () => {
    frozen = await readFrozenModel(DEFAULT_MODEL_DIR);
    scorer = await loadLocalModel();
  });
  afterAll(async () => {
    frozen.dispose();
    await scorer.dispose();
  });

  it("gives each text the scorer's highest label score, long texts (several windows) included", async () => {
    const f = frozenFeatures(frozen, texts);
    const scored = await scorer.scoreBatch(texts);
    const maxLabel = scored.map((s) => Math.max(...LABELS.map((l) => s.scores[l] ?? 0)));
    expect(texts[3]!.length).toBeGreaterThan(2_000);
    for (let i = 0; i < texts.length; i++) expect(f.shipped[i]).toBeCloseTo(maxLabel[i]!, 5);
    expect(frozen.model).toBe(scorer.model);
  });

  it('has the output logits and each member\'s hidden layer per text, and every n-gram id under its text', () => {
    const f = frozenFeatures(frozen, texts);
    const { outputs, hidden, members = 1 } = frozen.manifest.architecture;
    expect(f.denseDim).toBe(outputs + hidden * members);
    expect(f.dense).toHaveLength(texts.length * f.denseDim);
    expect(f.ids.length).toBe(f.segments.length);
    // Ascending, as the head's segment sums need, and every text present (each has at least its bias id).
    expect([...new Set(f.segments)]).toEqual([0, 1, 2, 3]);
    expect(f.segments.every((s, k) => k === 0 || s >= f.segments[k - 1]!)).toBe(true);
  });
});
