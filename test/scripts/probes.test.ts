import { describe, expect, it } from 'vitest';
import { LABELS } from '../../server/scoring/labels.ts';
import { DEFAULT_THRESHOLDS } from '../../server/thresholds/defaults.ts';
import { flaggedLabels, loadProbeGroups, scoreFor } from '../../scripts/lib/probes.ts';

describe('probe suites', () => {
  it('cover the groups issue 10 asks for, each with both classes', () => {
    const groups = loadProbeGroups();
    expect(groups.map((g) => g.group).sort()).toEqual(['counter-speech', 'identity', 'obfuscation', 'sexual', 'slurs in context', 'threats']);
    for (const g of groups) {
      expect(g.items.filter((i) => i.toxic === 1).length, g.group).toBeGreaterThanOrEqual(10);
      expect(g.items.filter((i) => i.toxic === 0).length, g.group).toBeGreaterThanOrEqual(10);
      expect(new Set(g.items.map((i) => i.text)).size, `${g.group}: duplicate texts`).toBe(g.items.length);
    }
  });

  it('obfuscation covers every kind of dodge, with invisible characters really in the texts', () => {
    const g = loadProbeGroups().find((x) => x.group === 'obfuscation')!;
    expect(new Set(g.items.map((i) => i.kind))).toEqual(new Set(['leetspeak', 'spacing', 'repeats', 'stars', 'bidi', 'zero-width', 'homoglyphs', 'accents']));
    expect(g.items.filter((i) => i.kind === 'bidi').every((i) => i.text.includes('\u202E'))).toBe(true);
    expect(g.items.filter((i) => i.kind === 'zero-width').every((i) => /[\u200B-\u200D\u2060\uFEFF]/.test(i.text))).toBe(true);
  });
});

describe('scoreFor and flaggedLabels', () => {
  const scores = Object.fromEntries(LABELS.map((l) => [l, null])) as Record<(typeof LABELS)[number], number | null>;
  it('falls back to toxicity where the scorer lacks the label', () => {
    expect(scoreFor({ ...scores, toxicity: 0.4 }, 'sexual_explicit')).toBe(0.4);
    expect(scoreFor({ ...scores, toxicity: 0.4, threat: 0.9 }, 'threat')).toBe(0.9);
  });
  it('flags the labels at or above their threshold; null never flags', () => {
    expect(flaggedLabels({ ...scores, toxicity: DEFAULT_THRESHOLDS.toxicity!, insult: 0 }, DEFAULT_THRESHOLDS)).toEqual(['toxicity']);
    expect(flaggedLabels({ ...scores, sexual_explicit: 1 }, { ...DEFAULT_THRESHOLDS, sexual_explicit: null })).toEqual([]);
  });
});
