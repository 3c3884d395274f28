import type { Label } from '../scoring/labels.ts';

/**
 * Thresholds a fresh install starts with (version 1). A comment is flagged
 * when any label's score reaches its threshold; null switches a label off.
 * Chosen from the local model's held-out results (see models/README.md).
 */
export const DEFAULT_THRESHOLDS: Record<Label, number | null> = {
  toxicity: 0.8,
  severe_toxicity: 0.8,
  identity_attack: 0.8,
  insult: 0.8,
  threat: 0.8,
  sexual_explicit: 0.8,
  obscene: 0.8,
};
