/**
 * Threshold maths: pure functions of their inputs, no database. A comment is
 * flagged for a label when its score reaches the threshold (`reaches` in
 * flagging/rules.ts); a null threshold switches the label off. The curve
 * counts the same rule over sorted scores (`countAtLeast`).
 *
 * Moderators' decisions are the ground truth: hide or escalate is a positive,
 * approve a negative, and a comment nobody has decided is undecided.
 */

import { reaches } from '../flagging/rules.ts';

export type Outcome = 'positive' | 'negative' | 'undecided';

/** Below this many decisions a precision or recall is shown with a warning. */
export const MIN_TRUSTED_SAMPLE = 30;

export interface ScoredOutcome {
  score: number;
  outcome: Outcome;
}

export interface HistogramBin {
  /** Inclusive lower edge. */
  from: number;
  /** Exclusive upper edge, except the last bin, which includes 1. */
  to: number;
  /** Comments moderators approved. */
  approved: number;
  /** Comments moderators hid or escalated. */
  hiddenOrEscalated: number;
  undecided: number;
}

/** Counts scores in equal-width bins over [0, 1], split by the moderators' outcome. */
export function histogram(items: Iterable<ScoredOutcome>, bins = 20): HistogramBin[] {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  const out: HistogramBin[] = Array.from({ length: bins }, (_, i) => ({
    from: i / bins,
    to: (i + 1) / bins,
    approved: 0,
    hiddenOrEscalated: 0,
    undecided: 0,
  }));
  for (const { score, outcome } of items) {
    // Scores of exactly 1 belong to the last bin rather than a bin of their own.
    const i = Math.min(bins - 1, Math.max(0, Math.floor(score * bins)));
    const bin = out[i]!;
    if (outcome === 'positive') bin.hiddenOrEscalated++;
    else if (outcome === 'negative') bin.approved++;
    else bin.undecided++;
  }
  return out;
}

/** Precision and recall of one threshold against the decided comments. */
export interface CurvePoint {
  threshold: number;
  /** Decided positives at or above the threshold. */
  truePositives: number;
  /** Decided negatives at or above the threshold. */
  falsePositives: number;
  /** Decided positives below the threshold. */
  falseNegatives: number;
  /** tp / (tp + fp); null when no decided comment is flagged. */
  precision: number | null;
  /** tp / all positives; null when there are no positives. */
  recall: number | null;
  /** Every scored comment (decided or not) at or above the threshold. */
  flagged: number;
}

/** Sample sizes behind a curve point, and whether they are large enough to trust. */
export interface Sample {
  /** Decided comments flagged at the threshold: the denominator of precision. */
  precisionSample: number;
  /** Decided positives: the denominator of recall. */
  recallSample: number;
  /** All decided comments. */
  decided: number;
  trusted: boolean;
  note: string | null;
}

export function sampleOf(point: CurvePoint, decided: number, min = MIN_TRUSTED_SAMPLE): Sample {
  const precisionSample = point.truePositives + point.falsePositives;
  const recallSample = point.truePositives + point.falseNegatives;
  const small: string[] = [];
  if (precisionSample < min) small.push(`precision rests on ${precisionSample} decided flagged comment${precisionSample === 1 ? '' : 's'}`);
  if (recallSample < min) small.push(`recall rests on ${recallSample} decided positive${recallSample === 1 ? '' : 's'}`);
  return {
    precisionSample,
    recallSample,
    decided,
    trusted: small.length === 0,
    note: small.length ? `Too few decisions to trust: ${small.join('; ')} (fewer than ${min}).` : null,
  };
}

/**
 * Comments' scores prepared once so that a point, the curve and what-if
 * answers cost a sort and binary searches, not a pass per threshold.
 */
export interface PreparedScores {
  /** Decided positives' scores, ascending. */
  positives: Float64Array;
  /** Decided negatives' scores, ascending. */
  negatives: Float64Array;
  /** Every score (decided or not), ascending. */
  all: Float64Array;
}

export function prepare(items: Iterable<ScoredOutcome>): PreparedScores {
  const pos: number[] = [];
  const neg: number[] = [];
  const all: number[] = [];
  for (const { score, outcome } of items) {
    all.push(score);
    if (outcome === 'positive') pos.push(score);
    else if (outcome === 'negative') neg.push(score);
  }
  return {
    positives: Float64Array.from(pos).sort(),
    negatives: Float64Array.from(neg).sort(),
    all: Float64Array.from(all).sort(),
  };
}

/** How many values of an ascending array are >= t. */
function countAtLeast(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}

/** The curve point of one threshold; a null threshold flags nothing. */
export function pointAt(p: PreparedScores, threshold: number | null): CurvePoint {
  const t = threshold ?? Number.POSITIVE_INFINITY;
  const tp = countAtLeast(p.positives, t);
  const fp = countAtLeast(p.negatives, t);
  const positives = p.positives.length;
  return {
    threshold: threshold ?? 1,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: positives - tp,
    precision: tp + fp === 0 ? null : tp / (tp + fp),
    recall: positives === 0 ? null : tp / positives,
    flagged: countAtLeast(p.all, t),
  };
}

/**
 * The precision-recall curve with a point at every distinct score of a
 * decided comment, from the highest threshold (fewest flagged) down: only at
 * those scores can precision or recall change.
 */
export function prCurve(p: PreparedScores): CurvePoint[] {
  const decided = new Float64Array(p.positives.length + p.negatives.length);
  decided.set(p.positives);
  decided.set(p.negatives, p.positives.length);
  decided.sort();
  const points: CurvePoint[] = [];
  for (let i = decided.length - 1; i >= 0; i--) {
    const s = decided[i]!;
    if (i < decided.length - 1 && decided[i + 1] === s) continue;
    points.push(pointAt(p, s));
  }
  return points;
}

/**
 * At most `max` points of a curve for drawing, always keeping the first and
 * last; figures at the current and candidate thresholds come from pointAt.
 */
export function thinCurve(points: CurvePoint[], max: number): CurvePoint[] {
  if (points.length <= max || max < 2) return points;
  const out: CurvePoint[] = [];
  const step = (points.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(points[Math.round(i * step)]!);
  return out;
}

export interface Target {
  precision?: number;
  recall?: number;
}

export interface Suggestion {
  /** What was asked for. */
  target: { metric: 'precision' | 'recall'; value: number };
  /** null when no threshold reaches the target. */
  threshold: number | null;
  point: CurvePoint | null;
  reason: string;
}

/**
 * The threshold that meets a target. For a target precision: the lowest
 * threshold whose precision reaches it, which catches the most while keeping
 * the precision. For a target recall: the highest threshold whose recall
 * reaches it, which flags the fewest while keeping the recall.
 */
export function suggest(curve: CurvePoint[], target: Target): Suggestion {
  const metric = target.precision !== undefined ? 'precision' : target.recall !== undefined ? 'recall' : null;
  if (metric === null) throw new RangeError('suggest needs a target precision or recall');
  const value = target[metric]!;
  // Precision: the lowest threshold reaching it (most recall); recall: the highest (most precision).
  const better = metric === 'precision' ? (a: CurvePoint, b: CurvePoint) => a.threshold < b.threshold : (a: CurvePoint, b: CurvePoint) => a.threshold > b.threshold;
  let best: CurvePoint | null = null;
  for (const pt of curve) {
    const reached = pt[metric];
    if (reached !== null && reached >= value && (best === null || better(pt, best))) best = pt;
  }
  return {
    target: { metric, value },
    threshold: best?.threshold ?? null,
    point: best,
    reason: best
      ? `${metric === 'precision' ? 'lowest' : 'highest'} threshold whose ${metric} is at least ${value}`
      : `no threshold reaches ${metric} ${value} on the decisions so far`,
  };
}

/** One scored comment as the what-if sees it. */
export interface WhatIfItem {
  id: number;
  /** This label's score. */
  score: number;
  outcome: Outcome;
  /** Whether the comment waits in the review queue when flagged (status pending). */
  pending: boolean;
  /** Whether another label already flags it, so this label's threshold cannot unflag it. */
  flaggedByOther: boolean;
}

export interface WhatIf {
  current: number | null;
  candidate: number | null;
  /** Pending comments the candidate would put in the queue, highest score first. */
  entering: { id: number; score: number }[];
  /** Pending comments the candidate would take out of the queue, highest score first. */
  leaving: { id: number; score: number }[];
  /** Decided comments, counted at the candidate and as changes from the current threshold. */
  decided: {
    /** Hidden or escalated comments the candidate flags. */
    caught: number;
    /** Hidden or escalated comments the candidate does not flag. */
    missed: number;
    /** Approved comments the candidate flags. */
    falseAlarms: number;
    /** Hidden or escalated: not flagged now, flagged at the candidate. */
    newlyCaught: number;
    /** Hidden or escalated: flagged now, not at the candidate. */
    newlyMissed: number;
    /** Approved: not flagged now, flagged at the candidate. */
    newFalseAlarms: number;
    /** Approved: flagged now, not at the candidate. */
    clearedFalseAlarms: number;
  };
}

/** What moving one label's threshold from `current` to `candidate` would change, comment by comment. */
export function whatIf(items: Iterable<WhatIfItem>, current: number | null, candidate: number | null): WhatIf {
  const entering: { id: number; score: number }[] = [];
  const leaving: { id: number; score: number }[] = [];
  const d = { caught: 0, missed: 0, falseAlarms: 0, newlyCaught: 0, newlyMissed: 0, newFalseAlarms: 0, clearedFalseAlarms: 0 };
  for (const it of items) {
    const before = it.flaggedByOther || reaches(it.score, current);
    const after = it.flaggedByOther || reaches(it.score, candidate);
    if (it.outcome === 'positive') {
      if (after) d.caught++;
      else d.missed++;
      if (after && !before) d.newlyCaught++;
      if (before && !after) d.newlyMissed++;
    } else if (it.outcome === 'negative') {
      if (after) d.falseAlarms++;
      if (after && !before) d.newFalseAlarms++;
      if (before && !after) d.clearedFalseAlarms++;
    } else if (it.pending) {
      if (after && !before) entering.push({ id: it.id, score: it.score });
      if (before && !after) leaving.push({ id: it.id, score: it.score });
    }
  }
  const byScore = (a: { id: number; score: number }, b: { id: number; score: number }) => b.score - a.score || a.id - b.id;
  return { current, candidate, entering: entering.sort(byScore), leaving: leaving.sort(byScore), decided: d };
}

export interface Agreement {
  /** Decisions compared. */
  n: number;
  /** Decisions where the model's flag matched: flagged and hidden/escalated, or unflagged and approved. */
  agree: number;
  /** agree / n; null when n is 0. */
  share: number | null;
  /** Model flagged, moderator approved. */
  modelOnly: number;
  /** Moderator hid or escalated, model did not flag. */
  moderatorOnly: number;
}

/** Counts agreement one decision at a time, so large views need no per-group arrays. */
export class AgreementTally {
  n = 0;
  agree = 0;
  modelOnly = 0;
  moderatorOnly = 0;

  add(modelFlagged: boolean, positive: boolean): void {
    this.n++;
    if (modelFlagged === positive) this.agree++;
    else if (modelFlagged) this.modelOnly++;
    else this.moderatorOnly++;
  }

  result(): Agreement {
    return { n: this.n, agree: this.agree, share: this.n === 0 ? null : this.agree / this.n, modelOnly: this.modelOnly, moderatorOnly: this.moderatorOnly };
  }
}

/** How often the model's flag matches the moderators' decisions. */
export function agreement(pairs: Iterable<{ modelFlagged: boolean; positive: boolean }>): Agreement {
  const tally = new AgreementTally();
  for (const { modelFlagged, positive } of pairs) tally.add(modelFlagged, positive);
  return tally.result();
}
