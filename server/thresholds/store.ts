import type { Db } from '../db/open.ts';
import { LABELS, type Label } from '../scoring/labels.ts';
import { DEFAULT_THRESHOLDS } from './defaults.ts';
import type { ThresholdValues } from './flags.ts';

export interface ThresholdVersion {
  id: number;
  moderatorId: number | null;
  reason: string | null;
  createdAt: number;
  values: ThresholdValues;
}

/** A version as the history shows it: who, when, why, and what changed from the version before. */
export interface ThresholdHistoryEntry extends ThresholdVersion {
  /** Username of the admin who saved it; null for the defaults of a fresh install. */
  moderator: string | null;
  changes: { label: Label; old: number | null; new: number | null }[];
}

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

interface VersionRow {
  id: number;
  moderator_id: number | null;
  reason: string | null;
  created_at: number;
  username?: string | null;
}

/** The score of the label named in `labelExpr`, read from the wide scores row `s`. Labels come from LABELS, never from input. */
const SCORE_OF_LABEL = (labelExpr: string) => `CASE ${labelExpr} ${LABELS.map((l) => `WHEN '${l}' THEN s.${l}`).join(' ')} END`;

export function createThresholdStore(db: Db) {
  const latestVersion = db.prepare<[], VersionRow>('SELECT * FROM threshold_versions ORDER BY id DESC LIMIT 1');
  const versionById = db.prepare<{ id: number }, VersionRow>('SELECT * FROM threshold_versions WHERE id = @id');
  const allVersions = db.prepare<[], VersionRow>(
    `SELECT v.*, m.username FROM threshold_versions v LEFT JOIN moderators m ON m.id = v.moderator_id ORDER BY v.id`,
  );
  const valuesOf = db.prepare<{ id: number }, { label: string; value: number | null }>(
    'SELECT label, value FROM thresholds WHERE version_id = @id',
  );
  const allValues = db.prepare<[], { version_id: number; label: string; value: number | null }>(
    'SELECT version_id, label, value FROM thresholds',
  );
  const insertVersion = db.prepare<{ moderatorId: number | null; reason: string | null; createdAt: number }>(
    'INSERT INTO threshold_versions (moderator_id, reason, created_at) VALUES (@moderatorId, @reason, @createdAt)',
  );
  const insertValue = db.prepare<{ versionId: number; label: string; value: number | null }>(
    'INSERT INTO thresholds (version_id, label, value) VALUES (@versionId, @label, @value)',
  );
  const latestModel = db.prepare<[], { model: string }>('SELECT model FROM scores ORDER BY scored_at DESC LIMIT 1');

  // Scratch tables for re-evaluation: per connection, emptied inside each run.
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS reeval_labels (label TEXT PRIMARY KEY, t REAL) WITHOUT ROWID;
           CREATE TEMP TABLE IF NOT EXISTS reeval_raise (comment_id INTEGER NOT NULL, label TEXT NOT NULL, score REAL NOT NULL);
           CREATE TEMP TABLE IF NOT EXISTS reeval_touched (comment_id INTEGER PRIMARY KEY);
           CREATE TEMP TABLE IF NOT EXISTS reeval_flip (comment_id INTEGER PRIMARY KEY, now_flagged INTEGER NOT NULL, pending INTEGER NOT NULL);`);
  const clearScratch = db.prepare(`DELETE FROM temp.reeval_labels`);
  const clearRaise = db.prepare(`DELETE FROM temp.reeval_raise`);
  const clearTouched = db.prepare(`DELETE FROM temp.reeval_touched`);
  const clearFlip = db.prepare(`DELETE FROM temp.reeval_flip`);
  const addLabel = db.prepare<{ label: string; t: number | null }>('INSERT INTO temp.reeval_labels (label, t) VALUES (@label, @t)');
  // Flags of the changed labels whose score no longer reaches the new threshold
  // (or whose label was switched off). The flag's own score is the current
  // model's score; flags of an older model wait until the comment is rescored.
  const DROPPED = `FROM flags f JOIN temp.reeval_labels l ON l.label = f.label
                   WHERE f.model = @model AND (l.t IS NULL OR f.score < l.t)`;
  const touchDropped = db.prepare<{ model: string }>(`INSERT OR IGNORE INTO temp.reeval_touched (comment_id) SELECT f.comment_id ${DROPPED}`);
  const dropFlags = db.prepare<{ model: string }>(
    `DELETE FROM flags WHERE (comment_id, label) IN (SELECT f.comment_id, f.label ${DROPPED})`,
  );
  // One pass over the scores for every changed label: scores that reach the new
  // threshold where no flag exists yet. Flags that still hold keep the version that raised them.
  const collectRaised = db.prepare<{ model: string }>(
    `INSERT INTO temp.reeval_raise (comment_id, label, score)
     SELECT s.comment_id, l.label, ${SCORE_OF_LABEL('l.label')}
     FROM scores s CROSS JOIN temp.reeval_labels l
     WHERE s.model = @model AND l.t IS NOT NULL AND ${SCORE_OF_LABEL('l.label')} >= l.t
       AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.comment_id = s.comment_id AND f.label = l.label)`,
  );
  const raiseFlags = db.prepare<{ model: string; version: number; now: number }>(
    `INSERT INTO flags (comment_id, label, score, threshold, threshold_version, model, flagged_at)
     SELECT r.comment_id, r.label, r.score, l.t, @version, @model, @now
     FROM temp.reeval_raise r JOIN temp.reeval_labels l ON l.label = r.label`,
  );
  const touchRaised = db.prepare('INSERT OR IGNORE INTO temp.reeval_touched (comment_id) SELECT comment_id FROM temp.reeval_raise');
  // Comments whose flagged state changes; only those rows are written, since
  // every write to comments.flagged updates several queue indexes.
  const collectFlips = db.prepare(
    `INSERT INTO temp.reeval_flip (comment_id, now_flagged, pending)
     SELECT c.id, NOT c.flagged, c.status = 'pending'
     FROM temp.reeval_touched t JOIN comments c ON c.id = t.comment_id
     WHERE c.flagged != EXISTS (SELECT 1 FROM flags f WHERE f.comment_id = t.comment_id)`,
  );
  const countFlips = db.prepare<[], { flagged: number; unflagged: number; entered: number; left: number }>(
    `SELECT coalesce(sum(now_flagged), 0) AS flagged, coalesce(sum(NOT now_flagged), 0) AS unflagged,
            coalesce(sum(now_flagged AND pending), 0) AS entered, coalesce(sum(NOT now_flagged AND pending), 0) AS left
     FROM temp.reeval_flip`,
  );
  // Status stays as it is: decided comments keep their decision, undecided ones stay pending.
  const applyFlips = db.prepare<{ flagged: 0 | 1 }>(
    `UPDATE comments SET flagged = @flagged WHERE id IN (SELECT comment_id FROM temp.reeval_flip WHERE now_flagged = @flagged)`,
  );

  function valuesFrom(rows: { label: string; value: number | null }[]): ThresholdValues {
    const values = { ...DEFAULT_THRESHOLDS };
    for (const { label, value } of rows) {
      if (label in values) values[label as Label] = value;
    }
    return values;
  }

  function toVersion(row: VersionRow): ThresholdVersion {
    return { id: row.id, moderatorId: row.moderator_id, reason: row.reason, createdAt: row.created_at, values: valuesFrom(valuesOf.all({ id: row.id })) };
  }

  /** Writes a full set of values as a new version. Call inside the caller's transaction. */
  function insert(values: ThresholdValues, meta: { moderatorId: number | null; reason: string | null; now: number }): number {
    const versionId = Number(insertVersion.run({ moderatorId: meta.moderatorId, reason: meta.reason, createdAt: meta.now }).lastInsertRowid);
    for (const label of LABELS) insertValue.run({ versionId, label, value: values[label] });
    return versionId;
  }

  /**
   * Re-evaluates the flags of the given labels against their new thresholds
   * from the stored scores of `model`, set-based, then brings
   * `comments.flagged` in line. Labels not listed keep their flags and
   * versions. Call inside the caller's transaction, with the version already
   * inserted.
   */
  function reevaluate(changed: { label: Label; value: number | null }[], meta: { version: number; model: string; now: number }): Reevaluation {
    for (const stmt of [clearScratch, clearRaise, clearTouched, clearFlip]) stmt.run();
    for (const { label, value } of changed) addLabel.run({ label, t: value });
    touchDropped.run({ model: meta.model });
    const flagsRemoved = dropFlags.run({ model: meta.model }).changes;
    collectRaised.run({ model: meta.model });
    const flagsRaised = raiseFlags.run({ model: meta.model, version: meta.version, now: meta.now }).changes;
    touchRaised.run();
    collectFlips.run();
    const moves = countFlips.get()!;
    applyFlips.run({ flagged: 1 });
    applyFlips.run({ flagged: 0 });
    for (const stmt of [clearScratch, clearRaise, clearTouched, clearFlip]) stmt.run();
    return {
      flagsRaised,
      flagsRemoved,
      commentsFlagged: moves.flagged,
      commentsUnflagged: moves.unflagged,
      queueEntered: moves.entered,
      queueLeft: moves.left,
    };
  }

  return {
    insert,
    reevaluate,
    /** The thresholds in force. */
    current(): ThresholdVersion {
      const row = latestVersion.get();
      if (!row) throw new Error('No thresholds stored: ensureDefaults() runs at start');
      return toVersion(row);
    },
    get(id: number): ThresholdVersion | undefined {
      const row = versionById.get({ id });
      return row && toVersion(row);
    },
    /** Every version, oldest first, with what it changed. */
    history(): ThresholdHistoryEntry[] {
      const byVersion = new Map<number, { label: string; value: number | null }[]>();
      for (const r of allValues.all()) {
        let list = byVersion.get(r.version_id);
        if (!list) byVersion.set(r.version_id, (list = []));
        list.push(r);
      }
      let previous: ThresholdValues | null = null;
      return allVersions.all().map((row) => {
        const values = valuesFrom(byVersion.get(row.id) ?? []);
        const changes = previous === null ? [] : LABELS.filter((l) => previous![l] !== values[l]).map((l) => ({ label: l, old: previous![l], new: values[l] }));
        previous = values;
        return { id: row.id, moderatorId: row.moderator_id, moderator: row.username ?? null, reason: row.reason, createdAt: row.created_at, values, changes };
      });
    },
    /** The model of the most recent score: the one whose scores count when no scorer says otherwise. */
    latestModel(): string | null {
      return latestModel.get()?.model ?? null;
    },
    /** A fresh database starts at version 1 with the defaults (or the values given). */
    ensureDefaults(now: number, values: ThresholdValues = DEFAULT_THRESHOLDS): void {
      if (!latestVersion.get()) db.transaction(() => insert(values, { moderatorId: null, reason: 'defaults', now }))();
    },
  };
}

export type ThresholdStore = ReturnType<typeof createThresholdStore>;
