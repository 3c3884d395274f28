/**
 * Measured before trusted: the site head beside the shipped model on the
 * held-out slice (pure). The ranking metrics are scripts/lib/metrics.ts's,
 * the ones the model card's figures come from.
 */
import { averagePrecision, rocAuc } from '../../scripts/lib/metrics.ts';

/**
 * The widest 95% interval on ROC AUC (1.96 standard errors either side) we
 * call trustworthy: 0.05, the gain issue 11 sets as the adapted model's
 * target. A slice whose interval is wider cannot tell that gain from noise.
 */
export const TRUST_HALF_WIDTH = 0.05;

/** Fewer positives or negatives than this and the slice is too small, whatever the interval says. */
export const MIN_PER_CLASS = 10;

/**
 * The standard error of a ROC AUC of `auc` measured on `positives` and
 * `negatives` (Hanley and McNeil 1982, the exponential approximation).
 */
export function aucStandardError(auc: number, positives: number, negatives: number): number {
  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  const variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) / (positives * negatives);
  return Math.sqrt(Math.max(0, variance));
}

/** One model's figures on the held-out slice. */
export interface ModelFigures {
  /** Null when the slice lacks a class. */
  rocAuc: number | null;
  /** Average precision; its floor is the slice's positive rate. Null without positives. */
  prAuc: number | null;
  /** 1.96 × the standard error of rocAuc. */
  rocAucHalfWidth: number | null;
}

export interface Comparison {
  heldOut: number;
  positives: number;
  negatives: number;
  shipped: ModelFigures;
  adapted: ModelFigures;
  /** Why these figures should not be trusted yet; empty when they can be. */
  warnings: string[];
}

function figures(scores: ArrayLike<number>, labels: ArrayLike<number>, positives: number, negatives: number): ModelFigures {
  const auc = rocAuc(scores, labels);
  return {
    rocAuc: auc,
    prAuc: averagePrecision(scores, labels),
    rocAucHalfWidth: auc === null ? null : 1.96 * aucStandardError(auc, positives, negatives),
  };
}

/** Both models against the moderators on the held-out slice (labels: 1 hidden or escalated, 0 approved). */
export function compare(labels: ArrayLike<number>, shipped: ArrayLike<number>, adapted: ArrayLike<number>): Comparison {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] === 1 ? 1 : 0;
  const negatives = labels.length - positives;
  const s = figures(shipped, labels, positives, negatives);
  const a = figures(adapted, labels, positives, negatives);
  const warnings: string[] = [];
  if (positives < MIN_PER_CLASS || negatives < MIN_PER_CLASS) {
    warnings.push(`the held-out slice has ${positives} hidden or escalated and ${negatives} approved comments; at least ${MIN_PER_CLASS} of each are needed to measure anything`);
  }
  const widest = Math.max(s.rocAucHalfWidth ?? Infinity, a.rocAucHalfWidth ?? Infinity);
  if (widest > TRUST_HALF_WIDTH) {
    warnings.push(
      `too small to trust: ROC AUC is known only to ±${Number.isFinite(widest) ? widest.toFixed(3) : '?'} (95%) on ${labels.length} held-out comments, ` +
        `wider than the ±${TRUST_HALF_WIDTH} a real gain must exceed`,
    );
  }
  return { heldOut: labels.length, positives, negatives, shipped: s, adapted: a, warnings };
}
