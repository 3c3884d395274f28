import { LABELS, type Label, type LabelScores } from '../scoring/labels.ts';

export type ThresholdValues = Record<Label, number | null>;

export interface RaisedFlag {
  label: Label;
  score: number;
  threshold: number;
}

/** The labels whose score reaches their threshold. A null score or threshold never flags. */
export function flagsFor(scores: LabelScores, thresholds: ThresholdValues): RaisedFlag[] {
  const raised: RaisedFlag[] = [];
  for (const label of LABELS) {
    const score = scores[label];
    const threshold = thresholds[label];
    if (score !== null && threshold !== null && score >= threshold) raised.push({ label, score, threshold });
  }
  return raised;
}

/** The highest non-null score: the queue's default sort key. */
export function maxScore(scores: LabelScores): number | null {
  let max: number | null = null;
  for (const label of LABELS) {
    const s = scores[label];
    if (s !== null && (max === null || s > max)) max = s;
  }
  return max;
}
