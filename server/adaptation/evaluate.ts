/**
 * Measured before trusted: the site head beside the shipped model on the
 * held-out slice (pure). The ranking metrics are scripts/lib/metrics.ts's,
 * the ones the model card's figures come from.
 */
import { averagePrecision, rocAuc } from '../../scripts/lib/metrics.ts';
import type { LabelScores } from '../scoring/labels.ts';
import { flagsFor, type ThresholdValues } from '../flagging/rules.ts';

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

/**
 * "Flagged by scores": some label's score reached its threshold, by the flag
 * rule itself (flagging/rules.ts). The other reasons to flag (readers'
 * reports, watched authors, edits) do not depend on the model, so they are
 * the same under both models and left out of the comparison.
 */
export function flaggedByScores(scores: LabelScores, thresholds: ThresholdValues): boolean {
  return flagsFor(scores, thresholds).length > 0;
}

/** A model's flags at the thresholds in force, against the moderators. */
export interface AtThresholds {
  /** Comments flagged by scores. */
  flagged: number;
  /** Of those flagged, the share the moderators hid or escalated; null when none is flagged. */
  precision: number | null;
  /** Of those hidden or escalated, the share flagged; null without any. */
  recall: number | null;
}

/** Precision and recall of `flagged` against `labels` (1 hidden or escalated, 0 approved). */
export function atThresholds(labels: ArrayLike<number>, flagged: ArrayLike<boolean>): AtThresholds {
  let tp = 0;
  let fp = 0;
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    positives += labels[i] === 1 ? 1 : 0;
    if (flagged[i]) {
      if (labels[i] === 1) tp++;
      else fp++;
    }
  }
  return { flagged: tp + fp, precision: tp + fp ? tp / (tp + fp) : null, recall: positives ? tp / positives : null };
}

/**
 * How the review queue would change if the candidate replaced the model in
 * force, on pending comments nobody has decided: `enter`, flagged by scores
 * under the candidate and not now; `leave`, the reverse; out of `compared`.
 */
export interface QueueMovement {
  compared: number;
  /** Flagged by scores under the model in force, and under the candidate. */
  flaggedNow: number;
  flaggedAfter: number;
  enter: number;
  leave: number;
}

export function queueMovement(current: ArrayLike<boolean>, candidate: ArrayLike<boolean>): QueueMovement {
  if (current.length !== candidate.length) throw new RangeError(`queueMovement: ${current.length} and ${candidate.length} comments`);
  const m: QueueMovement = { compared: current.length, flaggedNow: 0, flaggedAfter: 0, enter: 0, leave: 0 };
  for (let i = 0; i < current.length; i++) {
    if (current[i]) m.flaggedNow++;
    if (candidate[i]) m.flaggedAfter++;
    if (candidate[i] && !current[i]) m.enter++;
    if (current[i] && !candidate[i]) m.leave++;
  }
  return m;
}

/** One model's figures on the held-out slice. */
export interface ModelFigures {
  /** Null when the slice lacks a class. */
  rocAuc: number | null;
  /** Average precision; its floor is the slice's positive rate. Null without positives. */
  prAuc: number | null;
  /** 1.96 × the standard error of rocAuc. */
  rocAucHalfWidth: number | null;
  /** At the thresholds in force. */
  atThresholds: AtThresholds;
}

/** One model on the held-out slice: its score for ranking (its highest label score) and whether its scores flag each comment. */
export interface ModelScores {
  scores: ArrayLike<number>;
  flagged: ArrayLike<boolean>;
}

export interface Comparison {
  heldOut: number;
  positives: number;
  negatives: number;
  /** The shipped model (the same figures as `current` while it is in force). */
  shipped: ModelFigures;
  /** The model in force when this was trained, `<name>`: the shipped model or a site model. */
  current: ModelFigures & { model: string };
  /** The candidate: the site head just trained. */
  adapted: ModelFigures;
  /** The thresholds the flags were counted at. */
  thresholds: ThresholdValues;
  /** Queue movement on pending undecided comments; null when none was given. */
  queue: QueueMovement | null;
  /** Why these figures should not be trusted yet; empty when they can be. */
  warnings: string[];
}

function figures(m: ModelScores, labels: ArrayLike<number>, positives: number, negatives: number): ModelFigures {
  const auc = rocAuc(m.scores, labels);
  return {
    rocAuc: auc,
    prAuc: averagePrecision(m.scores, labels),
    rocAucHalfWidth: auc === null ? null : 1.96 * aucStandardError(auc, positives, negatives),
    atThresholds: atThresholds(labels, m.flagged),
  };
}

/**
 * The candidate beside the model in force (and the shipped model) against
 * the moderators on the held-out slice (labels: 1 hidden or escalated, 0
 * approved), and the queue movement measured elsewhere.
 */
export function compare(
  labels: ArrayLike<number>,
  models: { shipped: ModelScores; current: ModelScores & { model: string }; adapted: ModelScores },
  thresholds: ThresholdValues,
  queue: QueueMovement | null = null,
): Comparison {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] === 1 ? 1 : 0;
  const negatives = labels.length - positives;
  const s = figures(models.shipped, labels, positives, negatives);
  const c = { model: models.current.model, ...figures(models.current, labels, positives, negatives) };
  const a = figures(models.adapted, labels, positives, negatives);
  const warnings: string[] = [];
  if (positives < MIN_PER_CLASS || negatives < MIN_PER_CLASS) {
    warnings.push(`the held-out slice has ${positives} hidden or escalated and ${negatives} approved comments; at least ${MIN_PER_CLASS} of each are needed to measure anything`);
  }
  const widest = Math.max(c.rocAucHalfWidth ?? Infinity, a.rocAucHalfWidth ?? Infinity);
  if (widest > TRUST_HALF_WIDTH) {
    warnings.push(
      `too small to trust: ROC AUC is known only to ±${Number.isFinite(widest) ? widest.toFixed(3) : '?'} (95%) on ${labels.length} held-out comments, ` +
        `wider than the ±${TRUST_HALF_WIDTH} a real gain must exceed`,
    );
  }
  return { heldOut: labels.length, positives, negatives, shipped: s, current: c, adapted: a, thresholds, queue, warnings };
}
