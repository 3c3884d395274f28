/**
 * The seven labels of Google's toxicity model. Every scorer reports a
 * probability for each of them, or null where its model has no honest signal.
 */
export const LABELS = [
  'toxicity',
  'severe_toxicity',
  'identity_attack',
  'insult',
  'threat',
  'sexual_explicit',
  'obscene',
] as const;

export type Label = (typeof LABELS)[number];

/** A probability in [0, 1] per label; null where the model lacks the label. */
export type LabelScores = Record<Label, number | null>;

export function isLabel(value: string): value is Label {
  return (LABELS as readonly string[]).includes(value);
}
