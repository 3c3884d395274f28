import type { Db } from '../db/open.ts';
import { LABELS, type Label, type LabelScores } from '../scoring/labels.ts';
import type { CommentFacts, FlagReason } from './rules.ts';

/**
 * The flag rule in SQL, twin of `reaches` in rules.ts: 1 when the score
 * reaches the threshold, 0 otherwise (a NULL score or threshold never flags).
 * Arguments are SQL expressions written here, never input.
 */
export const reachesSql = (score: string, threshold: string): string => `coalesce(${score} >= ${threshold}, 0)`;

/**
 * Whether a comment is flagged, in SQL, twin of `isFlagged(facts, reasonsFor(facts), policy)`
 * in rules.ts. `c` is the comments row; `scoreFlag(counts)` an SQL expression
 * that is true when a score flag exists for which the SQL condition `counts`
 * (given the flag row's alias) holds; `@reportsToQueue` and `@trustedBar` are bound parameters.
 */
export const isFlaggedSql = (c: string, scoreFlag: (counts: (f: string) => string) => string): string =>
  `(${c}.deleted_at IS NULL AND (${scoreFlag((f) => `(${c}.author_trusted = 0 OR ${f}.score >= @trustedBar)`)}
     OR (${c}.report_count > 0 AND ${c}.report_count >= @reportsToQueue) OR ${c}.edited_after_approval = 1 OR ${c}.author_watched = 1))`;

/**
 * The review queue in SQL, twin of `inReviewQueue` in rules.ts. The partial
 * queue indexes of 001_init.sql carry the same condition, so queries that use
 * it can read them.
 */
export const inReviewQueueSql = (alias: string): string => `${alias}.flagged = 1 AND ${alias}.status = 'pending'`;

/** What one re-evaluation changed. */
export interface Reevaluation {
  /** New flag rows (label reached its new threshold). */
  flagsRaised: number;
  /** Flag rows removed (label fell below its new threshold or was switched off). */
  flagsRemoved: number;
  /** Comments that had no flag and now have one. */
  commentsFlagged: number;
  /** Comments whose last flag went: they return to "not flagged". */
  commentsUnflagged: number;
  /** Of those, the pending comments that entered the review queue. */
  queueEntered: number;
  /** Of those, the pending comments that left the review queue. */
  queueLeft: number;
}

export const NO_REEVALUATION: Reevaluation = { flagsRaised: 0, flagsRemoved: 0, commentsFlagged: 0, commentsUnflagged: 0, queueEntered: 0, queueLeft: 0 };

/** One unfinished threshold change: which labels, whose scores, how far it got. */
export interface ReflagJob {
  version: number;
  changes: { label: Label; value: number | null }[];
  model: string;
  /** Comments with ids below this are done. */
  nextComment: number;
  /** The highest comment id when the change was saved: later comments are flagged when scored. */
  lastComment: number;
  totals: Reevaluation;
  startedAt: number;
}

/** Who raised a flag: the threshold version and model in force, and when. */
export interface FlagProvenance {
  version: number;
  model: string;
  now: number;
}

/** What flagging reads about a comment: the rules' facts and where it stands now. */
export interface StoredFacts extends CommentFacts {
  commentId: number;
  status: string;
  flagged: boolean;
  /** Rows in `flags`: the score flags standing, maybe from text since edited. */
  scoreFlags: number;
}

/** The score of the label named in `labelExpr`, read from the wide scores row `s`. Labels come from LABELS, never from input. */
const SCORE_OF_LABEL = (labelExpr: string) => `CASE ${labelExpr} ${LABELS.map((l) => `WHEN '${l}' THEN s.${l}`).join(' ')} END`;

/**
 * The only writer of the `flags` table and of the queue columns of
 * `comments` (`flagged`, `max_score`). Call its writes inside the caller's
 * transaction.
 */
export function createFlagStore(db: Db) {
  const factsOf = db.prepare<
    { ids: string; model: string | null },
    Record<string, number | null> & {
      comment_id: number;
      status: string;
      flagged: number;
      deleted: number;
      report_count: number;
      edited: number;
      watched: number;
      trusted: number;
      scored: number;
      score_flags: number;
    }
  >(
    `SELECT c.id AS comment_id, c.status, c.flagged, c.deleted_at IS NOT NULL AS deleted, c.report_count, c.edited_after_approval AS edited, c.author_watched AS watched, c.author_trusted AS trusted,
            s.comment_id IS NOT NULL AS scored, (SELECT count(*) FROM flags f WHERE f.comment_id = c.id) AS score_flags, ${LABELS.map((l) => `s.${l}`).join(', ')}
     FROM json_each(@ids) j JOIN comments c ON c.id = j.value
     LEFT JOIN scores s ON s.comment_id = c.id AND s.model = @model`,
  );
  const deleteFlags = db.prepare<{ commentId: number }>('DELETE FROM flags WHERE comment_id = @commentId');
  const insertFlag = db.prepare<{ commentId: number; label: string; score: number; threshold: number; version: number; model: string; now: number }>(
    `INSERT INTO flags (comment_id, label, score, threshold, threshold_version, model, flagged_at)
     VALUES (@commentId, @label, @score, @threshold, @version, @model, @now)`,
  );
  const setQueueColumns = db.prepare<{ commentId: number; flagged: 0 | 1; maxScore: number | null }>(
    'UPDATE comments SET flagged = @flagged, max_score = @maxScore WHERE id = @commentId',
  );
  const setFlagged = db.prepare<{ commentId: number; flagged: 0 | 1 }>('UPDATE comments SET flagged = @flagged WHERE id = @commentId');
  const reported = db.prepare<[], { id: number }>('SELECT id FROM comments WHERE report_count > 0');
  const reopen = db.prepare<{ commentId: number }>("UPDATE comments SET status = 'pending', edited_after_approval = 1 WHERE id = @commentId AND status = 'approved'");
  const settle = db.prepare<{ commentId: number }>('UPDATE comments SET edited_after_approval = 0 WHERE id = @commentId AND edited_after_approval = 1');

  // Scratch tables for re-evaluation: per connection, emptied inside each run.
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS reeval_labels (label TEXT PRIMARY KEY, t REAL) WITHOUT ROWID;
           CREATE TEMP TABLE IF NOT EXISTS reeval_raise (comment_id INTEGER NOT NULL, label TEXT NOT NULL, score REAL NOT NULL);
           CREATE TEMP TABLE IF NOT EXISTS reeval_touched (comment_id INTEGER PRIMARY KEY);
           CREATE TEMP TABLE IF NOT EXISTS reeval_flip (comment_id INTEGER PRIMARY KEY, now_flagged INTEGER NOT NULL, pending INTEGER NOT NULL);`);
  const clearScratch = ['reeval_labels', 'reeval_raise', 'reeval_touched', 'reeval_flip'].map((t) => db.prepare(`DELETE FROM temp.${t}`));
  const addLabel = db.prepare<{ label: string; t: number | null }>('INSERT INTO temp.reeval_labels (label, t) VALUES (@label, @t)');
  // Flags of the changed labels whose score no longer reaches the new threshold
  // (or whose label was switched off). The flag's own score is the current
  // model's score; flags of an older model wait until the comment is rescored.
  // Each statement covers the comments of one chunk, [@from, @to).
  const DROPPED = `FROM flags f JOIN temp.reeval_labels l ON l.label = f.label
                   WHERE f.comment_id >= @from AND f.comment_id < @to AND f.model = @model AND NOT ${reachesSql('f.score', 'l.t')}`;
  type Chunk = { model: string; from: number; to: number };
  const touchDropped = db.prepare<Chunk>(`INSERT OR IGNORE INTO temp.reeval_touched (comment_id) SELECT f.comment_id ${DROPPED}`);
  const dropFlags = db.prepare<Chunk>(`DELETE FROM flags WHERE (comment_id, label) IN (SELECT f.comment_id, f.label ${DROPPED})`);
  // One pass over the scores for every changed label: scores that reach the new
  // threshold where no flag exists yet. Flags that still hold keep the version that raised them.
  const collectRaised = db.prepare<Chunk>(
    `INSERT INTO temp.reeval_raise (comment_id, label, score)
     SELECT s.comment_id, l.label, ${SCORE_OF_LABEL('l.label')}
     FROM scores s CROSS JOIN temp.reeval_labels l
     WHERE s.comment_id >= @from AND s.comment_id < @to AND s.model = @model AND ${reachesSql(SCORE_OF_LABEL('l.label'), 'l.t')}
       AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.comment_id = s.comment_id AND f.label = l.label)`,
  );
  const raiseFlags = db.prepare<FlagProvenance>(
    `INSERT INTO flags (comment_id, label, score, threshold, threshold_version, model, flagged_at)
     SELECT r.comment_id, r.label, r.score, l.t, @version, @model, @now
     FROM temp.reeval_raise r JOIN temp.reeval_labels l ON l.label = r.label`,
  );
  const touchRaised = db.prepare('INSERT OR IGNORE INTO temp.reeval_touched (comment_id) SELECT comment_id FROM temp.reeval_raise');
  // Comments whose flagged state changes; only those rows are written, since
  // every write to comments.flagged updates several queue indexes. CROSS JOIN
  // keeps the touched comments outermost: without statistics on the temp
  // table, SQLite would scan every comment of the database for each chunk.
  const collectFlips = db.prepare<{ reportsToQueue: number; trustedBar: number }>(
    `INSERT INTO temp.reeval_flip (comment_id, now_flagged, pending)
     SELECT c.id, NOT c.flagged, c.status = 'pending'
     FROM temp.reeval_touched t CROSS JOIN comments c ON c.id = t.comment_id
     WHERE c.flagged != ${isFlaggedSql('c', (counts) => `EXISTS (SELECT 1 FROM flags f WHERE f.comment_id = t.comment_id AND ${counts('f')})`)}`,
  );
  const enteredQueue = db.prepare<[], { comment_id: number }>('SELECT comment_id FROM temp.reeval_flip WHERE now_flagged AND pending ORDER BY comment_id');
  const countFlips = db.prepare<[], { flagged: number; unflagged: number; entered: number; left: number }>(
    `SELECT coalesce(sum(now_flagged), 0) AS flagged, coalesce(sum(NOT now_flagged), 0) AS unflagged,
            coalesce(sum(now_flagged AND pending), 0) AS entered, coalesce(sum(NOT now_flagged AND pending), 0) AS left
     FROM temp.reeval_flip`,
  );
  // Status stays as it is: decided comments keep their decision, undecided ones stay pending.
  const applyFlips = db.prepare<{ flagged: 0 | 1 }>(
    `UPDATE comments SET flagged = @flagged WHERE id IN (SELECT comment_id FROM temp.reeval_flip WHERE now_flagged = @flagged)`,
  );

  const maxCommentId = db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM comments');
  const insertJob = db.prepare<{ version: number; changes: string; model: string; nextComment: number; lastComment: number; totals: string; startedAt: number }>(
    `INSERT INTO reflag_jobs (version_id, changes, model, next_comment, last_comment, totals, started_at)
     VALUES (@version, @changes, @model, @nextComment, @lastComment, @totals, @startedAt)`,
  );
  const advanceJob = db.prepare<{ version: number; nextComment: number; totals: string }>(
    'UPDATE reflag_jobs SET next_comment = @nextComment, totals = @totals WHERE version_id = @version',
  );
  const deleteJob = db.prepare<{ version: number }>('DELETE FROM reflag_jobs WHERE version_id = @version');
  const allJobs = db.prepare<[], { version_id: number; changes: string; model: string; next_comment: number; last_comment: number; totals: string; started_at: number }>(
    'SELECT * FROM reflag_jobs ORDER BY version_id',
  );

  return {
    /** The highest comment id stored, 0 when none. */
    maxCommentId: (): number => maxCommentId.get()?.id ?? 0,

    /** Records a threshold change still to re-flag; call inside the transaction that saves the version. */
    insertJob(job: ReflagJob): void {
      insertJob.run({ ...job, changes: JSON.stringify(job.changes), totals: JSON.stringify(job.totals) });
    },
    /** Records how far a job got; call inside the chunk's transaction. */
    advanceJob: (version: number, nextComment: number, totals: Reevaluation) => advanceJob.run({ version, nextComment, totals: JSON.stringify(totals) }),
    deleteJob: (version: number) => deleteJob.run({ version }),
    /** Unfinished jobs, oldest version first. */
    listJobs: (): ReflagJob[] =>
      allJobs.all().map((r) => ({
        version: r.version_id,
        changes: JSON.parse(r.changes) as ReflagJob['changes'],
        model: r.model,
        nextComment: r.next_comment,
        lastComment: r.last_comment,
        totals: JSON.parse(r.totals) as Reevaluation,
        startedAt: r.started_at,
      })),

    /** What the rules need to know about these comments, with the scores of `model` (null where it has not scored them). */
    factsOf(commentIds: number[], model: string | null): StoredFacts[] {
      return factsOf.all({ ids: JSON.stringify(commentIds), model }).map((row) => {
        let scores: LabelScores | null = null;
        if (row.scored) {
          scores = {} as LabelScores;
          for (const label of LABELS) scores[label] = row[label] ?? null;
        }
        return {
          commentId: row.comment_id,
          status: row.status,
          flagged: row.flagged === 1,
          scores,
          reportCount: row.report_count,
          editedAfterApproval: row.edited === 1,
          deleted: row.deleted === 1,
          authorWatched: row.watched === 1,
          authorTrusted: row.trusted === 1,
          scoreFlags: row.score_flags,
        };
      });
    },

    /** An approved comment the site edited goes back to pending, with the reason why; false when it was not approved. */
    reopenApproved: (commentId: number): boolean => reopen.run({ commentId }).changes > 0,
    /** A decision settles an edit after approval; true when there was one to settle. */
    settleEdit: (commentId: number): boolean => settle.run({ commentId }).changes > 0,

    /** Ids of the comments readers reported. */
    listReported: (): number[] => reported.all().map((r) => r.id),

    /**
     * Sets a comment's flags from `reasons` and its queue columns. Score flags
     * are rows of `flags`, replaced only when the model's scores are known
     * (`maxScore` given); the other reasons live on the comment itself.
     */
    setFlags(commentId: number, reasons: FlagReason[], flagged: boolean, maxScore: number | null | undefined, by: FlagProvenance | null): void {
      if (maxScore === undefined || by === null) {
        setFlagged.run({ commentId, flagged: flagged ? 1 : 0 });
        return;
      }
      deleteFlags.run({ commentId });
      for (const r of reasons) if (r.kind === 'score') insertFlag.run({ commentId, label: r.label, score: r.score, threshold: r.threshold, ...by });
      setQueueColumns.run({ commentId, flagged: flagged ? 1 : 0, maxScore });
    },

    /**
     * Re-evaluates the flags of the given labels against their new thresholds
     * from the stored scores of `by.model`, set-based, for the comments with
     * ids in [from, to), then brings their `comments.flagged` in line. Labels
     * not listed keep their flags and versions.
     */
    reevaluate(
      changed: { label: Label; value: number | null }[],
      by: FlagProvenance & { reportsToQueue: number; trustedBar: number },
      range: { from: number; to: number },
    ): Reevaluation & { entered: number[] } {
      for (const stmt of clearScratch) stmt.run();
      for (const { label, value } of changed) addLabel.run({ label, t: value });
      const chunk = { model: by.model, ...range };
      touchDropped.run(chunk);
      const flagsRemoved = dropFlags.run(chunk).changes;
      collectRaised.run(chunk);
      const flagsRaised = raiseFlags.run({ version: by.version, model: by.model, now: by.now }).changes;
      touchRaised.run();
      collectFlips.run({ reportsToQueue: by.reportsToQueue, trustedBar: by.trustedBar });
      const moves = countFlips.get()!;
      const entered = moves.entered > 0 ? enteredQueue.all().map((r) => r.comment_id) : [];
      applyFlips.run({ flagged: 1 });
      applyFlips.run({ flagged: 0 });
      for (const stmt of clearScratch) stmt.run();
      return {
        entered,
        flagsRaised,
        flagsRemoved,
        commentsFlagged: moves.flagged,
        commentsUnflagged: moves.unflagged,
        queueEntered: moves.entered,
        queueLeft: moves.left,
      };
    },
  };
}

export type FlagStore = ReturnType<typeof createFlagStore>;
