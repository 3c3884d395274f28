import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURIZER } from '../../server/scoring/featurize.ts';
import type { Label } from '../../server/scoring/labels.ts';
import type { DataRow } from '../../scripts/lib/datasets.ts';
import { LEARNED, encode, parseSetBoost } from '../../scripts/train.ts';

const rows: DataRow[] = [
  { set: 'gab', text: 'a post about a group', split: 'train', labels: { toxicity: 1, identity_attack: 1, threat: 0, obscene: 1 } },
  { set: 'civil-spans', text: 'a news comment', split: 'train', labels: { toxicity: 1, identity_attack: 0, insult: 1 } },
  { set: 'davidson', text: 'a tweet', split: 'train', labels: { toxicity: 1, identity_attack: 1 } },
];

const weightOf = (mask: Float32Array, row: number, label: Label): number => mask[row * LEARNED.length + LEARNED.indexOf(label)]!;

describe('training loss weights', () => {
  it('weighs proxy labels less, boosted sets more, and leaves unknown labels out', () => {
    const { mask } = encode(rows, DEFAULT_FEATURIZER, false, { setWeight: 0, proxyWeight: 0.4, setBoost: { 'civil-spans': 2 } });
    // Gab: hate as identity attack, calls for violence as threat, vulgarity as obscene are proxies; its toxicity is not.
    expect([weightOf(mask, 0, 'toxicity'), weightOf(mask, 0, 'identity_attack'), weightOf(mask, 0, 'threat'), weightOf(mask, 0, 'obscene')]).toEqual([
      1,
      expect.closeTo(0.4, 6),
      expect.closeTo(0.4, 6),
      expect.closeTo(0.4, 6),
    ]);
    expect(weightOf(mask, 0, 'insult')).toBe(0);
    // Every label Civil Comments gives counts twice.
    expect([weightOf(mask, 1, 'toxicity'), weightOf(mask, 1, 'identity_attack'), weightOf(mask, 1, 'insult')]).toEqual([2, 2, 2]);
    // Davidson's hate speech is its own label, not a proxy.
    expect(weightOf(mask, 2, 'identity_attack')).toBe(1);
  });

  it('weighs every known label 1 without weights (validation)', () => {
    const { mask } = encode(rows, DEFAULT_FEATURIZER);
    expect(weightOf(mask, 0, 'identity_attack')).toBe(1);
    expect(weightOf(mask, 1, 'toxicity')).toBe(1);
  });
});

describe('--set-boost', () => {
  it('reads set=weight pairs, and an empty value as none', () => {
    expect(parseSetBoost('civil-spans=2, olid=1.5')).toEqual({ 'civil-spans': 2, olid: 1.5 });
    expect(parseSetBoost('')).toEqual({});
  });

  it('names an unknown set or a weight that is not positive', () => {
    expect(() => parseSetBoost('civil=2')).toThrow(InvalidArgumentError);
    expect(() => parseSetBoost('civil=2')).toThrow(/no set "civil"/);
    expect(() => parseSetBoost('olid=0')).toThrow(/weight of olid must be a positive number, not "0"/);
    expect(() => parseSetBoost('olid')).toThrow(/weight of olid must be a positive number, not ""/);
  });
});
