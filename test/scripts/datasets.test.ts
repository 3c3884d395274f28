import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadConvAbuse,
  loadGab,
  loadHatemoji,
  loadImplicitHate,
  loadMadlibs,
  loadStormfront,
  stratifiedSplit,
} from '../../scripts/lib/datasets.ts';

// Tiny hand-made files in the sets' own formats (not their rows): the label
// mappings of the second-round loaders, without ../shared.
const DIR = join(import.meta.dirname, '..', 'fixtures', 'datasets');

describe('second-round loaders', () => {
  it('Gab: hate from hd or cv, threat from cv, obscene from vo; the official test held out', () => {
    const rows = loadGab(DIR);
    expect(rows.map((r) => [r.text, r.split, r.labels])).toEqual([
      ['He said "hello" to us', 'train', { toxicity: 0, identity_attack: 0, threat: 0, obscene: 0 }],
      ['some vulgar post', 'train', { toxicity: 1, identity_attack: 0, threat: 0, obscene: 1 }],
      ['a hateful post', 'train', { toxicity: 1, identity_attack: 1, threat: 0, obscene: 0 }],
      ['a violent call', 'train', { toxicity: 1, identity_attack: 1, threat: 1, obscene: 0 }],
      ['held plain', 'heldout', { toxicity: 0, identity_attack: 0, threat: 0, obscene: 0 }],
      ['held violent', 'heldout', { toxicity: 1, identity_attack: 1, threat: 1, obscene: 1 }],
    ]);
  });

  it('Implicit Hate: explicit and implicit hate are identity attacks', () => {
    expect(loadImplicitHate(DIR).map((r) => [r.text, r.labels.identity_attack, r.labels.toxicity])).toEqual([
      ['plain politics', 0, 0],
      ['coded "hate"', 1, 1],
      ['open hate', 1, 1],
    ]);
  });

  it('Stormfront: drops relation and idk/skip, keeps a post on one side of the split', () => {
    const rows = loadStormfront(DIR);
    expect(rows.map((r) => r.text).sort()).toEqual(['first sentence', 'hate post', 'other post', 'second sentence']);
    const post1 = rows.filter((r) => r.text.endsWith('sentence'));
    expect(new Set(post1.map((r) => r.split)).size).toBe(1);
    expect(rows.find((r) => r.text === 'second sentence')!.labels).toEqual({ toxicity: 1, identity_attack: 1 });
  });

  it('ConvAbuse: labels by at least half of the raters; duplicate cells averaged; unrated rows dropped', () => {
    const rows = loadConvAbuse(DIR);
    expect(rows.map((r) => [r.text, r.split, r.labels])).toEqual([
      ['show me your body', 'train', { toxicity: 1, identity_attack: 0, sexual_explicit: 1 }],
      ['you are a robot', 'train', { toxicity: 1, identity_attack: 1, sexual_explicit: 0 }],
      ['hello there', 'train', { toxicity: 0, identity_attack: 0, sexual_explicit: 0 }],
      ['test row', 'heldout', { toxicity: 0, identity_attack: 0, sexual_explicit: 0 }],
    ]);
    expect(rows[0]!.soft!.sexual_explicit).toBeCloseTo(2 / 3);
  });

  it('HatemojiBuild: hate is identity_attack; only threatening hate is a threat', () => {
    expect(loadHatemoji(DIR).map((r) => [r.split, r.labels])).toEqual([
      ['train', { toxicity: 1, identity_attack: 1, threat: 1 }],
      ['train', { toxicity: 1, identity_attack: 1, threat: 0 }],
      ['train', { toxicity: 0, identity_attack: 0, threat: 0 }],
      ['train', { toxicity: 0, identity_attack: 0, threat: 0 }],
      ['heldout', { toxicity: 1, identity_attack: 1, threat: 0 }],
    ]);
  });

  it('madlibs: toxicity only; a quarter held out; name_adj training rows thinned, held-out rows all kept', () => {
    const rows = loadMadlibs(DIR);
    expect(rows.every((r) => Object.keys(r.labels).join() === 'toxicity')).toBe(true);
    const held = rows.filter((r) => r.split === 'heldout');
    // 25% of each stratum's 42 rows: 10 or 11 (the quota's phase is random).
    for (const y of [0, 1]) expect([10, 11]).toContain(held.filter((r) => r.labels.toxicity === y).length);
    const trainNameAdj = rows.filter((r) => r.split === 'train' && r.text.startsWith('Jim'));
    expect(trainNameAdj.length).toBeLessThan(30);
    expect(loadMadlibs(DIR)).toEqual(rows); // seeded
  });
});

describe('stratifiedSplit', () => {
  it('is seeded and keeps each stratum its share', () => {
    const rows = Array.from({ length: 400 }, (_, i) => ({ i, labels: { toxicity: (i % 4 === 0 ? 1 : 0) as 0 | 1 } }));
    const a = stratifiedSplit(rows, 0.25, 1);
    expect(a.out).toHaveLength(100);
    expect(a.out.filter((r) => r.labels.toxicity === 1)).toHaveLength(25);
    expect(stratifiedSplit(rows, 0.25, 1).out.map((r) => r.i)).toEqual(a.out.map((r) => r.i));
    expect(stratifiedSplit(rows, 0.25, 2).out.map((r) => r.i)).not.toEqual(a.out.map((r) => r.i));
  });
});
