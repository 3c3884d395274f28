import type { Db } from '../db/open.ts';
import { STANDING } from '../moderation/store.ts';

/** One labelled comment: its latest standing decision, as a training label. */
export interface TrainingDecision {
  /** The decision's id (ties on `decidedAt` are ordered by it). */
  id: number;
  commentId: number;
  /** 1: hidden or escalated; 0: approved. */
  label: 0 | 1;
  action: 'approve' | 'hide' | 'escalate';
  moderatorId: number;
  moderator: string;
  decidedAt: number;
  /** The comment's text, cut at `maxChars` (the model reads no further). */
  text: string;
  /**
   * The comment was an item of a missed-abuse sample (server/samples) and
   * its reviewer gave a verdict: drawn at random from comments the model did
   * not flag, so one of the few unbiased looks at what the queue never shows.
   */
  sampled: boolean;
}

/** A pending comment nobody has decided: what queue movement is measured on and what distillation learns from. */
export interface UndecidedComment {
  commentId: number;
  /** Cut at `maxChars`, as for decisions. */
  text: string;
}

/** The most undecided comments read for a comparison (issue 11: enough to count queue movement, few enough to featurise in seconds). */
export const MAX_UNDECIDED = 20_000;

interface Row {
  id: number;
  comment_id: number;
  action: 'approve' | 'hide' | 'escalate';
  moderator_id: number;
  username: string;
  decided_at: number;
  body: string;
  sampled: 0 | 1;
}

/**
 * The decisions the model may learn from. A comment counts once, through its
 * latest standing decision (not an undo, not undone): a comment approved,
 * then hidden by a colleague, is a hidden comment. Decisions a rule made (a
 * banned author's comment hidden on arrival, `decisions.rule`) are left out:
 * they judge the author, not the text.
 */
export function createAdaptationStore(db: Db) {
  const latestStanding = db.prepare<{ maxChars: number }, Row>(
    `SELECT d.id, d.comment_id, d.action, d.moderator_id, m.username, d.decided_at, substr(c.body, 1, @maxChars) AS body,
       EXISTS (SELECT 1 FROM sample_items si WHERE si.comment_id = d.comment_id AND si.verdict IS NOT NULL) AS sampled
     FROM decisions d
     JOIN moderators m ON m.id = d.moderator_id
     JOIN comments c ON c.id = d.comment_id
     WHERE ${STANDING}
       AND d.id = (SELECT max(l.id) FROM decisions l
                   WHERE l.comment_id = d.comment_id AND l.action != 'undo'
                     AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes_id = l.id))
       AND d.rule IS NULL
     ORDER BY d.decided_at, d.id`,
  );
  // Pending, on the site, and no standing decision (a comment whose decision
  // was undone is pending again and counts as undecided). Newest first: the
  // queue movement that matters is on what is arriving now.
  const undecided = db.prepare<{ maxChars: number; limit: number }, { id: number; body: string | null }>(
    `SELECT c.id, substr(c.body, 1, @maxChars) AS body
     FROM comments c
     WHERE c.status = 'pending' AND c.deleted_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.comment_id = c.id AND ${STANDING})
     ORDER BY c.id DESC
     LIMIT @limit`,
  );
  return {
    /** Every labelled comment, oldest decision first. */
    decisionsForTraining(maxChars = 20_000): TrainingDecision[] {
      return latestStanding.all({ maxChars }).map((r) => ({
        id: r.id,
        commentId: r.comment_id,
        label: r.action === 'approve' ? 0 : 1,
        action: r.action,
        moderatorId: r.moderator_id,
        moderator: r.username,
        decidedAt: r.decided_at,
        text: r.body ?? '',
        sampled: r.sampled === 1,
      }));
    },
    /** The most recent pending comments nobody decided, newest first, at most `limit` (capped at MAX_UNDECIDED). */
    undecidedForComparison(limit: number = MAX_UNDECIDED, maxChars = 20_000): UndecidedComment[] {
      return undecided.all({ maxChars, limit: Math.max(0, Math.min(limit, MAX_UNDECIDED)) }).map((r) => ({ commentId: r.id, text: r.body ?? '' }));
    },
  };
}

export type AdaptationStore = ReturnType<typeof createAdaptationStore>;

/** The standing decisions as training labels (see createAdaptationStore), oldest first. */
export function decisionsForTraining(db: Db, maxChars?: number): TrainingDecision[] {
  return createAdaptationStore(db).decisionsForTraining(maxChars);
}
