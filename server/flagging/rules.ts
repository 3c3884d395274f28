/**
 * Why a comment needs a human: the reasons it is in the review queue, as pure
 * functions of what is known about the comment and the policy in force.
 *
 * A comment is flagged when any rule gives a reason; it waits in the review
 * queue while it is flagged and nobody has decided it. Today one rule exists
 * (a label's score reached its threshold); readers' reports, watched authors
 * and edits after a decision join FLAG_RULES as rules of their own.
 *
 * The SQL twin of `reaches` lives beside the statements that use it, in
 * store.ts, and test/flagging/rules.test.ts proves the two agree.
 */
import { LABELS, type Label, type LabelScores } from '../scoring/labels.ts';

/** A threshold per label; null switches the label off (it never flags). */
export type ThresholdValues = Record<Label, number | null>;

/** What a rule knows about a comment. */
export interface CommentFacts {
  /** Scores of the model in force; null until scored. */
  scores: LabelScores | null;
}

/** What a rule measures the facts against. */
export interface FlagPolicy {
  thresholds: ThresholdValues;
}

/** A label's score reached its threshold. */
export interface ScoreFlag {
  label: Label;
  score: number;
  threshold: number;
}

export type FlagReason = { kind: 'score' } & ScoreFlag;

export type FlagRule = (facts: CommentFacts, policy: FlagPolicy) => FlagReason[];

/** The flag rule: a score reaches its threshold. A null score or threshold never flags. */
export function reaches(score: number | null, threshold: number | null): boolean {
  return score !== null && threshold !== null && score >= threshold;
}

/** The labels whose score reaches their threshold, in LABELS order. */
export function flagsFor(scores: LabelScores, thresholds: ThresholdValues): ScoreFlag[] {
  const raised: ScoreFlag[] = [];
  for (const label of LABELS) {
    const score = scores[label];
    const threshold = thresholds[label];
    if (reaches(score, threshold)) raised.push({ label, score: score!, threshold: threshold! });
  }
  return raised;
}

/** Rule: a label's score reached its threshold. */
export const scoreReachedThreshold: FlagRule = (facts, policy) =>
  facts.scores ? flagsFor(facts.scores, policy.thresholds).map((f) => ({ kind: 'score' as const, ...f })) : [];

/** Every rule, in the order their reasons are listed. */
export const FLAG_RULES: readonly FlagRule[] = [scoreReachedThreshold];

/** Every reason the comment needs a human; empty when it does not. */
export function reasonsFor(facts: CommentFacts, policy: FlagPolicy): FlagReason[] {
  return FLAG_RULES.flatMap((rule) => rule(facts, policy));
}

/** The review queue: flagged comments nobody has decided yet. */
export function inReviewQueue(comment: { status: string; flagged: boolean }): boolean {
  return comment.flagged && comment.status === 'pending';
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
