import { openDatabase, type Db } from '../../server/db/open.ts';
import { LABELS, type Label, type LabelScores } from '../../server/scoring/labels.ts';
import { flagsFor, maxScore, type ThresholdValues } from '../../server/flagging/rules.ts';
import { createThresholdStore } from '../../server/thresholds/store.ts';

/** Test data written straight into a fresh in-memory database, the way ingest and moderation store it. */

export const MODEL = 'local@1';

/** Every label at 0.8: the thresholds the hand-computed examples assume, whatever the product's defaults. */
export const FIXTURE_THRESHOLDS = Object.fromEntries(LABELS.map((l) => [l, 0.8])) as ThresholdValues;

export function freshDb(): Db {
  const db = openDatabase(':memory:');
  createThresholdStore(db).ensureDefaults(1_000, FIXTURE_THRESHOLDS);
  return db;
}

export function addModerator(db: Db, username: string, role: 'moderator' | 'lead' | 'admin' = 'moderator'): number {
  return Number(
    db.prepare("INSERT INTO moderators (username, password_hash, role, created_at) VALUES (?, 'x', ?, 0)").run(username, role).lastInsertRowid,
  );
}

export function addThread(db: Db, title: string): number {
  return Number(
    db.prepare("INSERT INTO threads (source, external_id, title, imported_at) VALUES ('test', ?, ?, 0)").run(title, title).lastInsertRowid,
  );
}

export function scoresOf(partial: Partial<LabelScores>): LabelScores {
  const s = {} as LabelScores;
  for (const l of LABELS) s[l] = partial[l] ?? null;
  return s;
}

let externalSeq = 0;

/** A comment with its scores, flagged at the thresholds in force, as the scoring pipeline leaves it. */
export function addComment(
  db: Db,
  c: { threadId: number; scores?: Partial<LabelScores> | null; model?: string; importedAt?: number; scoredAt?: number; author?: string | null; body?: string },
): number {
  const id = Number(
    db
      .prepare(
        'INSERT INTO comments (thread_id, external_id, position, author, body, imported_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(c.threadId, `e${++externalSeq}`, externalSeq, c.author ?? 'someone', c.body ?? `comment ${externalSeq}`, c.importedAt ?? 1_000).lastInsertRowid,
  );
  if (c.scores === null) return id;
  const scores = scoresOf(c.scores ?? {});
  const model = c.model ?? MODEL;
  db.prepare(
    `INSERT INTO scores (comment_id, model, ${LABELS.join(', ')}, scored_at) VALUES (?, ?, ${LABELS.map(() => '?').join(', ')}, ?)`,
  ).run(id, model, ...LABELS.map((l) => scores[l]), c.scoredAt ?? c.importedAt ?? 1_000);
  const version = createThresholdStore(db).current();
  const raised = flagsFor(scores, version.values);
  for (const f of raised) {
    db.prepare('INSERT INTO flags (comment_id, label, score, threshold, threshold_version, model, flagged_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      id,
      f.label,
      f.score,
      f.threshold,
      version.id,
      model,
      c.importedAt ?? 1_000,
    );
  }
  db.prepare('UPDATE comments SET flagged = ?, max_score = ? WHERE id = ?').run(raised.length > 0 ? 1 : 0, maxScore(scores), id);
  return id;
}

const STATUS_AFTER = { approve: 'approved', hide: 'hidden', escalate: 'escalated' } as const;

/** Appends a decision and moves the comment's status, as moderation does. */
export function decide(db: Db, commentId: number, moderatorId: number, action: 'approve' | 'hide' | 'escalate', at = 2_000, note: string | null = null): number {
  const before = (db.prepare('SELECT status FROM comments WHERE id = ?').get(commentId) as { status: string }).status;
  const version = createThresholdStore(db).current().id;
  const id = Number(
    db
      .prepare(
        'INSERT INTO decisions (comment_id, moderator_id, action, status_before, status_after, note, threshold_version, model, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(commentId, moderatorId, action, before, STATUS_AFTER[action], note, version, MODEL, at).lastInsertRowid,
  );
  db.prepare('UPDATE comments SET status = ? WHERE id = ?').run(STATUS_AFTER[action], commentId);
  return id;
}

/** Undoes a decision: a new row pointing at it, and the status it had before. */
export function undo(db: Db, decisionId: number, moderatorId: number, at = 3_000): number {
  const d = db.prepare('SELECT comment_id, status_before, status_after FROM decisions WHERE id = ?').get(decisionId) as {
    comment_id: number;
    status_before: string;
    status_after: string;
  };
  const id = Number(
    db
      .prepare(
        "INSERT INTO decisions (comment_id, moderator_id, action, status_before, status_after, undoes_id, decided_at) VALUES (?, ?, 'undo', ?, ?, ?, ?)",
      )
      .run(d.comment_id, moderatorId, d.status_after, d.status_before, decisionId, at).lastInsertRowid,
  );
  db.prepare('UPDATE comments SET status = ? WHERE id = ?').run(d.status_before, d.comment_id);
  return id;
}

export function flagsOf(db: Db, commentId: number): { label: Label; threshold: number; threshold_version: number }[] {
  return db.prepare('SELECT label, threshold, threshold_version FROM flags WHERE comment_id = ? ORDER BY label').all(commentId) as {
    label: Label;
    threshold: number;
    threshold_version: number;
  }[];
}

export function commentState(db: Db, id: number): { status: string; flagged: number } {
  return db.prepare('SELECT status, flagged FROM comments WHERE id = ?').get(id) as { status: string; flagged: number };
}
