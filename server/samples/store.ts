import type { Db } from '../db/open.ts';
import { COMMENT_COLUMNS, toCommentRow, type CommentRow, type RawCommentRow } from '../moderation/store.ts';
import type { DecisionAction } from '../moderation/statuses.ts';

/** A row of `samples` with its creator's name and how its items were decided. */
export interface SampleRow {
  id: number;
  created_by: number;
  username: string;
  created_at: number;
  size: number;
  requested: number;
  seed: number;
  population: number;
  approved: number;
  hidden: number;
  escalated: number;
}

export type SampleItemRow = CommentRow & {
  thread_title: string;
  verdict: DecisionAction | null;
  decided_by_name: string | null;
  decided_at_sample: number | null;
};

/**
 * Comments the model did not flag and nobody has taken down: unflagged,
 * pending or approved, still on the site. What a missed-abuse sample draws from.
 */
const ELIGIBLE = "c.flagged = 0 AND c.status IN ('pending', 'approved') AND c.deleted_at IS NULL";

const SAMPLE_SELECT = `SELECT s.*, m.username,
    (SELECT count(*) FROM sample_items i WHERE i.sample_id = s.id AND i.verdict = 'approve') AS approved,
    (SELECT count(*) FROM sample_items i WHERE i.sample_id = s.id AND i.verdict = 'hide') AS hidden,
    (SELECT count(*) FROM sample_items i WHERE i.sample_id = s.id AND i.verdict = 'escalate') AS escalated
  FROM samples s JOIN moderators m ON m.id = s.created_by`;

export function createSampleStore(db: Db, model: () => string | null = () => null) {
  const eligibleIds = db.prepare<[], number>(`SELECT c.id FROM comments c WHERE ${ELIGIBLE} ORDER BY c.id`).pluck();
  const insertSample = db.prepare<{ createdBy: number; createdAt: number; size: number; requested: number; seed: number; population: number }>(
    `INSERT INTO samples (created_by, created_at, size, requested, seed, population)
     VALUES (@createdBy, @createdAt, @size, @requested, @seed, @population)`,
  );
  const insertItem = db.prepare<{ sampleId: number; commentId: number; position: number }>(
    'INSERT INTO sample_items (sample_id, comment_id, position) VALUES (@sampleId, @commentId, @position)',
  );
  const sampleById = db.prepare<{ id: number }, SampleRow>(`${SAMPLE_SELECT} WHERE s.id = @id`);
  const samples = db.prepare<{ limit: number }, SampleRow>(`${SAMPLE_SELECT} ORDER BY s.id DESC LIMIT @limit`);
  const items = db.prepare<{ sampleId: number; model: string | null }, RawCommentRow & Omit<SampleItemRow, keyof CommentRow>>(
    `SELECT ${COMMENT_COLUMNS}, t.title AS thread_title, i.verdict, dm.username AS decided_by_name, i.decided_at AS decided_at_sample
     FROM sample_items i CROSS JOIN comments c ON c.id = i.comment_id JOIN threads t ON t.id = c.thread_id
     LEFT JOIN moderators dm ON dm.id = i.decided_by
     WHERE i.sample_id = @sampleId ORDER BY i.position`,
  );
  const item = db.prepare<{ sampleId: number; commentId: number; model: string | null }, RawCommentRow & Omit<SampleItemRow, keyof CommentRow>>(
    `SELECT ${COMMENT_COLUMNS}, t.title AS thread_title, i.verdict, dm.username AS decided_by_name, i.decided_at AS decided_at_sample
     FROM sample_items i CROSS JOIN comments c ON c.id = i.comment_id JOIN threads t ON t.id = c.thread_id
     LEFT JOIN moderators dm ON dm.id = i.decided_by
     WHERE i.sample_id = @sampleId AND i.comment_id = @commentId`,
  );
  const setVerdict = db.prepare<{ sampleId: number; commentId: number; verdict: DecisionAction; by: number; at: number }>(
    'UPDATE sample_items SET verdict = @verdict, decided_by = @by, decided_at = @at WHERE sample_id = @sampleId AND comment_id = @commentId',
  );

  return {
    /** Ids of every eligible comment, in id order, one at a time (a million fit in no array). */
    eligibleIds: () => eligibleIds.iterate(),
    /** Stores a sample and its items in draw order; call inside a transaction. */
    insertSample(s: { createdBy: number; createdAt: number; requested: number; seed: number; population: number; commentIds: number[] }): number {
      const id = Number(insertSample.run({ ...s, size: s.commentIds.length }).lastInsertRowid);
      s.commentIds.forEach((commentId, position) => insertItem.run({ sampleId: id, commentId, position }));
      return id;
    },
    getSample: (id: number) => sampleById.get({ id }),
    /** The newest samples first. */
    listSamples: (limit = 100) => samples.all({ limit }),
    listItems: (sampleId: number): SampleItemRow[] => items.all({ sampleId, model: model() }).map(toCommentRow) as SampleItemRow[],
    getItem: (sampleId: number, commentId: number): SampleItemRow | undefined => {
      const raw = item.get({ sampleId, commentId, model: model() });
      return raw ? (toCommentRow(raw) as SampleItemRow) : undefined;
    },
    setVerdict: (v: { sampleId: number; commentId: number; verdict: DecisionAction; by: number; at: number }) => setVerdict.run(v).changes > 0,
  };
}

export type SampleStore = ReturnType<typeof createSampleStore>;
