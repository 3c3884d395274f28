import type { Db } from '../db/open.ts';
import { LABELS, type LabelScores } from './labels.ts';

/** A row of `scores`, as stored. */
export interface ScoreRow {
  comment_id: number;
  model: string;
  toxicity: number | null;
  severe_toxicity: number | null;
  identity_attack: number | null;
  insult: number | null;
  threat: number | null;
  sexual_explicit: number | null;
  obscene: number | null;
  scored_at: number;
}

export interface PendingJob {
  commentId: number;
  body: string;
  attempts: number;
}

/** What one scored comment writes. */
export interface ScoreWrite {
  commentId: number;
  scores: LabelScores;
}

export interface ScoringCounts {
  total: number;
  pending: number;
  done: number;
  failed: number;
}

export function scoresOf(row: ScoreRow): LabelScores {
  const scores = {} as LabelScores;
  for (const label of LABELS) scores[label] = row[label];
  return scores;
}

export function createScoringStore(db: Db) {
  const enqueue = db.prepare<{ commentId: number; model: string; now: number }>(
    `INSERT INTO scoring_jobs (comment_id, model, state, attempts, updated_at)
     VALUES (@commentId, @model, 'pending', 0, @now) ON CONFLICT DO NOTHING`,
  );
  // A comment with a score of another model is a rescore: it waits in the background (011_rescore.sql).
  const enqueueMissing = db.prepare<{ model: string; now: number }>(
    `INSERT INTO scoring_jobs (comment_id, model, state, attempts, updated_at, background)
     SELECT c.id, @model, 'pending', 0, @now, EXISTS (SELECT 1 FROM scores o WHERE o.comment_id = c.id) FROM comments c
     WHERE NOT EXISTS (SELECT 1 FROM scores s WHERE s.comment_id = c.id AND s.model = @model)
     ON CONFLICT DO NOTHING`,
  );
  const pending = db.prepare<{ model: string; limit: number }, PendingJob>(
    `SELECT j.comment_id AS commentId, c.body, j.attempts FROM scoring_jobs j JOIN comments c ON c.id = j.comment_id
     WHERE j.model = @model AND j.state = 'pending' ORDER BY j.background, j.comment_id LIMIT @limit`,
  );
  const rescoreCounts = db.prepare<{ model: string }, { state: string; n: number }>(
    'SELECT state, count(*) AS n FROM scoring_jobs WHERE model = @model AND background = 1 GROUP BY state',
  );
  const scoredBy = db.prepare<[], { model: string; n: number }>('SELECT model, count(*) AS n FROM scores GROUP BY model ORDER BY model');
  const jobState = db.prepare<{ commentId: number; model: string }, { state: string }>(
    'SELECT state FROM scoring_jobs WHERE comment_id = @commentId AND model = @model',
  );
  const insertScore = db.prepare(
    `INSERT INTO scores (comment_id, model, ${LABELS.join(', ')}, scored_at)
     VALUES (@commentId, @model, ${LABELS.map((l) => '@' + l).join(', ')}, @now)`,
  );
  const markDone = db.prepare<{ commentId: number; model: string; now: number }>(
    `UPDATE scoring_jobs SET state = 'done', attempts = attempts + 1, error = NULL, updated_at = @now
     WHERE comment_id = @commentId AND model = @model`,
  );
  const markAttempt = db.prepare<{ commentId: number; model: string; error: string; maxAttempts: number; now: number }>(
    `UPDATE scoring_jobs SET attempts = attempts + 1, error = @error, updated_at = @now,
       state = CASE WHEN attempts + 1 >= @maxAttempts THEN 'failed' ELSE 'pending' END
     WHERE comment_id = @commentId AND model = @model AND state = 'pending'`,
  );
  const dropScore = db.prepare<{ commentId: number; model: string }>('DELETE FROM scores WHERE comment_id = @commentId AND model = @model');
  const requeue = db.prepare<{ commentId: number; model: string; now: number }>(
    `INSERT INTO scoring_jobs (comment_id, model, state, attempts, updated_at) VALUES (@commentId, @model, 'pending', 0, @now)
     ON CONFLICT (comment_id, model) DO UPDATE SET state = 'pending', attempts = 0, error = NULL, updated_at = @now`,
  );
  const retryFailed = db.prepare<{ model: string; now: number }>(
    `UPDATE scoring_jobs SET state = 'pending', attempts = 0, updated_at = @now WHERE model = @model AND state = 'failed'`,
  );
  const counts = db.prepare<{ model: string }, { state: string; n: number }>(
    'SELECT state, count(*) AS n FROM scoring_jobs WHERE model = @model GROUP BY state',
  );
  const failedJobs = db.prepare<{ model: string; limit: number }, { commentId: number; attempts: number; error: string | null }>(
    `SELECT comment_id AS commentId, attempts, error FROM scoring_jobs WHERE model = @model AND state = 'failed'
     ORDER BY comment_id LIMIT @limit`,
  );
  const latestModel = db.prepare<[], { model: string }>('SELECT model FROM scores ORDER BY scored_at DESC LIMIT 1');

  /**
   * Writes one batch of scores and marks their jobs done; returns the ids
   * written. A job that is no longer pending (another process scored it
   * first) is skipped: each comment is scored once per model. Call inside
   * the caller's transaction (scoring/service.ts `record`).
   */
  function writeScores(batch: ScoreWrite[], meta: { model: string; now: number }): number[] {
    const written: number[] = [];
    for (const item of batch) {
      if (jobState.get({ commentId: item.commentId, model: meta.model })?.state !== 'pending') continue;
      insertScore.run({ commentId: item.commentId, model: meta.model, now: meta.now, ...item.scores });
      markDone.run({ commentId: item.commentId, model: meta.model, now: meta.now });
      written.push(item.commentId);
    }
    return written;
  }

  return {
    /** Queues one comment for a model. Call inside the caller's transaction. */
    enqueue: (commentId: number, model: string, now: number) => enqueue.run({ commentId, model, now }),
    /** Scores a comment again (its text changed): its score of `model` goes, its job is pending again. Call inside the caller's transaction. */
    rescore(commentId: number, model: string, now: number): void {
      dropScore.run({ commentId, model });
      requeue.run({ commentId, model, now });
    },
    /** Queues every comment without a score of this model; returns how many were added. */
    enqueueMissing: (model: string, now: number) => enqueueMissing.run({ model, now }).changes,
    /** Pending jobs of new comments first, then rescores; oldest first within each, so a restart resumes in order. */
    listPending: (model: string, limit: number) => pending.all({ model, limit }),
    writeScores,
    /** Counts one failed try; after maxAttempts the job is `failed` and stays visible. */
    recordFailure: db.transaction((commentIds: number[], meta: { model: string; error: string; maxAttempts: number; now: number }) => {
      for (const commentId of commentIds) markAttempt.run({ commentId, ...meta });
    }),
    retryFailed: (model: string, now: number) => retryFailed.run({ model, now }).changes,
    counts(model: string): ScoringCounts {
      const c: ScoringCounts = { total: 0, pending: 0, done: 0, failed: 0 };
      for (const { state, n } of counts.all({ model })) {
        if (state === 'pending' || state === 'done' || state === 'failed') c[state] = n;
        c.total += n;
      }
      return c;
    },
    listFailed: (model: string, limit = 100) => failedJobs.all({ model, limit }),
    /** Progress of rescoring with `model`: the jobs of comments that had a score of another model when queued. */
    rescoreCounts(model: string): ScoringCounts {
      const c: ScoringCounts = { total: 0, pending: 0, done: 0, failed: 0 };
      for (const { state, n } of rescoreCounts.all({ model })) {
        if (state === 'pending' || state === 'done' || state === 'failed') c[state] = n;
        c.total += n;
      }
      return c;
    },
    /** How many comments each model has scored (a comment rescored by a new model counts for both). */
    scoredBy: () => scoredBy.all(),
    /** The model of the newest score, for a server or tool that runs without a scorer. */
    latestModel: () => latestModel.get()?.model ?? null,
  };
}

export type ScoringStore = ReturnType<typeof createScoringStore>;
