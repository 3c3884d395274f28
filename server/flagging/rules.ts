/**
 * Why a comment needs a human: the reasons it is in the review queue, as pure
 * functions of what is known about the comment and the policy in force.
 *
 * A comment is flagged when any rule gives a reason and the site has not
 * deleted it; it waits in the review queue while it is flagged and nobody
 * has decided it. The rules: a label's score reached its threshold, enough
 * readers reported it, the site changed it after a moderator approved it, or
 * its author is watched. A trusted author's comment is flagged by its scores
 * only at or above the trusted bar.
 *
 * The SQL twins of `reaches` and `isFlagged` live beside the statements that
 * use them, in store.ts, and test/flagging/rules.test.ts proves they agree.
 */
import { LABELS, type Label, type LabelScores } from '../scoring/labels.ts';

/** A threshold per label; null switches the label off (it never flags). */
export type ThresholdValues = Record<Label, number | null>;

/** What a rule knows about a comment. */
export interface CommentFacts {
  /** Scores of the model in force; null until scored. */
  scores: LabelScores | null;
  /** Distinct readers who reported it on the site. */
  reportCount: number;
  /** The site changed its text after a moderator approved it. */
  editedAfterApproval: boolean;
  /** The site removed it: whatever the reasons, it needs no human now. */
  deleted: boolean;
  /** A moderator watches its author: each of their comments needs a human. */
  authorWatched: boolean;
  /** A moderator trusts its author: their scores must reach the trusted bar. */
  authorTrusted: boolean;
}

/** What a rule measures the facts against. */
export interface FlagPolicy {
  thresholds: ThresholdValues;
  /** Readers' reports that bring a comment to the queue (TRIAGE_REPORTS_TO_QUEUE, default 1). */
  reportsToQueue: number;
  /** The score a trusted author's comment must reach to be flagged by it (TRIAGE_TRUSTED_BAR, default 0.95). */
  trustedBar: number;
}

/** A label's score reached its threshold. */
export interface ScoreFlag {
  label: Label;
  score: number;
  threshold: number;
}

export type FlagReason =
  | ({ kind: 'score' } & ScoreFlag)
  | { kind: 'reports'; count: number; needed: number }
  | { kind: 'editedAfterApproval' }
  | { kind: 'watchedAuthor' };

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

/** Rule: enough distinct readers reported it. */
export const readersReported: FlagRule = (facts, policy) =>
  facts.reportCount > 0 && facts.reportCount >= policy.reportsToQueue ? [{ kind: 'reports', count: facts.reportCount, needed: policy.reportsToQueue }] : [];

/** Rule: the site changed it after a moderator approved it. */
export const editedAfterApproval: FlagRule = (facts) => (facts.editedAfterApproval ? [{ kind: 'editedAfterApproval' }] : []);

/** Rule: a moderator watches its author. */
export const watchedAuthor: FlagRule = (facts) => (facts.authorWatched ? [{ kind: 'watchedAuthor' }] : []);

/** Every rule, in the order their reasons are listed. */
export const FLAG_RULES: readonly FlagRule[] = [scoreReachedThreshold, readersReported, editedAfterApproval, watchedAuthor];

/**
 * Every reason the comment needs a human. A deleted comment keeps its
 * reasons (the record of why it was flagged) but is not flagged.
 */
export function reasonsFor(facts: CommentFacts, policy: FlagPolicy): FlagReason[] {
  return FLAG_RULES.flatMap((rule) => rule(facts, policy));
}

/**
 * Whether a comment with these reasons is flagged: the site has not deleted
 * it, and it has a reason, a score reason counting for a trusted author only
 * at or above the trusted bar.
 */
export function isFlagged(facts: Pick<CommentFacts, 'deleted' | 'authorTrusted'>, reasons: readonly FlagReason[], policy: Pick<FlagPolicy, 'trustedBar'>): boolean {
  if (facts.deleted) return false;
  return reasons.some((r) => r.kind !== 'score' || !facts.authorTrusted || r.score >= policy.trustedBar);
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
