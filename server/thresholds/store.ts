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

/** Statements that re-evaluate one label; the column name comes from LABELS, never from input. */
function labelStatements(db: Db, label: Label) {
  return {
    // Flags whose comment's current-model score no longer reaches the threshold.
    // Comments not yet scored by the current model keep their flags until they are.
    collectDropped: db.prepare<{ model: string; t: number | null }>(
      `INSERT INTO temp.reeval_step (comment_id)
       SELECT f.comment_id FROM flags f
       JOIN scores s ON s.comment_id = f.comment_id AND s.model = @model
       WHERE f.label = '${label}' AND (@t IS NULL OR s.${label} IS NULL OR s.${label} < @t)`,
    ),
    drop: db.prepare(
      `DELETE FROM flags WHERE label = '${label}' AND comment_id IN (SELECT comment_id FROM temp.reeval_step)`,
    ),
    // Scores that reach the threshold where no flag exists yet; flags that still
    // hold keep the version that raised them.
    collectRaised: db.prepare<{ model: string; t: number }>(
      `INSERT INTO temp.reeval_step (comment_id)
       SELECT s.comment_id FROM scores s
       WHERE s.model = @model AND s.${label} >= @t
         AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.comment_id = s.comment_id AND f.label = '${label}')`,
    ),
    raise: db.prepare<{ model: string; t: number; version: number; now: number }>(
      `INSERT INTO flags (comment_id, label, score, threshold, threshold_version, model, flagged_at)
       SELECT s.comment_id, '${label}', s.${label}, @t, @version, @model, @now
       FROM temp.reeval_step r JOIN scores s ON s.comment_id = r.comment_id AND s.model = @model`,
    ),
  };
}

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
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS reeval_step (comment_id INTEGER PRIMARY KEY);
           CREATE TEMP TABLE IF NOT EXISTS reeval_touched (comment_id INTEGER PRIMARY KEY);`);
  const clearStep = db.prepare('DELETE FROM temp.reeval_step');
  const clearTouched = db.prepare('DELETE FROM temp.reeval_touched');
  const touchStep = db.prepare('INSERT OR IGNORE INTO temp.reeval_touched (comment_id) SELECT comment_id FROM temp.reeval_step');
  const countQueueMoves = db.prepare<[], { entered: number; left: number; flagged: number; unflagged: number }>(
    `SELECT
       coalesce(sum(now_flagged AND NOT c.flagged AND c.status = 'pending'), 0) AS entered,
       coalesce(sum(NOT now_flagged AND c.flagged AND c.status = 'pending'), 0) AS left,
       coalesce(sum(now_flagged AND NOT c.flagged), 0) AS flagged,
       coalesce(sum(NOT now_flagged AND c.flagged), 0) AS unflagged
     FROM (SELECT t.comment_id, EXISTS (SELECT 1 FROM flags f WHERE f.comment_id = t.comment_id) AS now_flagged
           FROM temp.reeval_touched t) x
     JOIN comments c ON c.id = x.comment_id`,
  );
  // Status stays as it is: decided comments keep their decision, undecided ones stay pending.
  const syncFlagged = db.prepare(
    `UPDATE comments SET flagged = EXISTS (SELECT 1 FROM flags f WHERE f.comment_id = comments.id)
     WHERE id IN (SELECT comment_id FROM temp.reeval_touched)`,
  );
  const perLabel = new Map(LABELS.map((l) => [l, labelStatements(db, l)]));

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
    let flagsRaised = 0;
    let flagsRemoved = 0;
    clearTouched.run();
    for (const { label, value } of changed) {
      const s = perLabel.get(label)!;
      clearStep.run();
      s.collectDropped.run({ model: meta.model, t: value });
      flagsRemoved += s.drop.run().changes;
      touchStep.run();
      if (value !== null) {
        clearStep.run();
        s.collectRaised.run({ model: meta.model, t: value });
        flagsRaised += s.raise.run({ model: meta.model, t: value, version: meta.version, now: meta.now }).changes;
        touchStep.run();
      }
    }
    const moves = countQueueMoves.get()!;
    syncFlagged.run();
    clearStep.run();
    clearTouched.run();
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
    /** A fresh database starts at version 1 with the defaults. */
    ensureDefaults(now: number): void {
      if (!latestVersion.get()) db.transaction(() => insert(DEFAULT_THRESHOLDS, { moderatorId: null, reason: 'defaults', now }))();
    },
  };
}

export type ThresholdStore = ReturnType<typeof createThresholdStore>;
