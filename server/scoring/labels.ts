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

/**
 * What is wrong with a scorer's answer, or null when every label is a
 * probability in [0, 1] or null. The pipeline asks this of every result
 * before anything is stored: SQLite would store NaN as NULL, hiding a broken
 * model as "no signal".
 */
export function scoresProblem(scores: unknown): string | null {
  if (typeof scores !== 'object' || scores === null) return 'no scores';
  for (const label of LABELS) {
    const value = (scores as Record<string, unknown>)[label];
    if (value === null) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
      return `${label} = ${typeof value === 'number' ? String(value) : JSON.stringify(value) ?? 'undefined'}, not a probability in [0, 1]`;
    }
  }
  return null;
}
