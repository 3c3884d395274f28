import type { Db } from '../db/open.ts';

/** What happened, as the outbox records it. */
export const EVENT_TYPES = [
  'comment.flagged',
  'comment.decided',
  'report.received',
  'comment.claimed',
  'comment.released',
  'thresholds.changed',
  'model.changed',
  'author.watched',
  'author.trusted',
  'author.banned',
  'author.unwatched',
  'author.untrusted',
  'author.unbanned',
  'author.noted',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The events a site may subscribe to by webhook; claims and thresholds are for the team's screens only. */
export const WEBHOOK_EVENT_TYPES = [
  'comment.decided',
  'comment.flagged',
  'report.received',
  'author.watched',
  'author.trusted',
  'author.banned',
  'author.unwatched',
  'author.untrusted',
  'author.unbanned',
] as const satisfies readonly EventType[];
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The source of events that concern no one site (thresholds): no endpoint or key ever reads them. */
export const NO_SOURCE = '';

export interface StoredEvent {
  id: number;
  type: EventType;
  source: string;
  commentId: number | null;
  payload: Record<string, unknown>;
  createdAt: number;
}

interface EventRow {
  id: number;
  type: EventType;
  source: string;
  comment_id: number | null;
  payload: string;
  created_at: number;
}

const toEvent = (r: EventRow): StoredEvent => ({
  id: r.id,
  type: r.type,
  source: r.source,
  commentId: r.comment_id,
  payload: JSON.parse(r.payload) as Record<string, unknown>,
  createdAt: r.created_at,
});

/**
 * How every event names a comment: its id on the site, ours, and its thread's
 * id on the site. `c` is the comment row, `t` its thread. SQL written here, never input.
 */
export const commentRefSql = (c: string, t: string) => `json_object('id', ${c}.external_id, 'triageId', ${c}.id, 'threadId', ${t}.external_id)`;

/**
 * The outbox (docs/events.md): domains append an event in the transaction
 * that made it happen, so no change commits without its event and no event
 * exists without its change. Readers (webhook endpoints, the decisions feed)
 * keep their own cursor over the ids, which only grow.
 */
export function createEventStore(db: Db, onAppend: () => void = () => undefined) {
  const insert = db.prepare<{ type: EventType; source: string; commentId: number | null; payload: string; now: number }>(
    'INSERT INTO events (type, source, comment_id, payload, created_at) VALUES (@type, @source, @commentId, @payload, @now)',
  );
  // Comments that just entered the review queue, set-based (a threshold change can move thousands).
  const insertFlagged = db.prepare<{ ids: string; now: number }>(
    `INSERT INTO events (type, source, comment_id, payload, created_at)
     SELECT 'comment.flagged', t.source, c.id,
            json_object('comment', ${commentRefSql('c', 't')},
                        'labels', json((SELECT json_group_array(f.label) FROM flags f WHERE f.comment_id = c.id)),
                        'maxScore', c.max_score,
                        'reportCount', c.report_count,
                        'editedAfterApproval', json(CASE c.edited_after_approval WHEN 1 THEN 'true' ELSE 'false' END)),
            @now
     FROM json_each(@ids) j JOIN comments c ON c.id = j.value JOIN threads t ON t.id = c.thread_id
     ORDER BY c.id`,
  );
  const refOf = db.prepare<{ id: number }, { source: string; id: string; triageId: number; threadId: string }>(
    'SELECT t.source, c.external_id AS id, c.id AS triageId, t.external_id AS threadId FROM comments c JOIN threads t ON t.id = c.thread_id WHERE c.id = @id',
  );
  const after = db.prepare<{ cursor: number; upTo: number; source: string; types: string; limit: number }, EventRow>(
    `SELECT * FROM events WHERE source = @source AND type IN (SELECT value FROM json_each(@types)) AND id > @cursor AND id <= @upTo ORDER BY id LIMIT @limit`,
  );
  const get = db.prepare<{ id: number }, EventRow>('SELECT * FROM events WHERE id = @id');
  const since = db.prepare<{ cursor: number; limit: number }, EventRow>('SELECT * FROM events WHERE id > @cursor ORDER BY id LIMIT @limit');
  const first = db.prepare<[], { id: number | null }>('SELECT min(id) AS id FROM events');
  const last = db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM events');
  const prune = db.prepare<{ before: number; limit: number }>(
    'DELETE FROM events WHERE id IN (SELECT id FROM events WHERE created_at < @before ORDER BY id LIMIT @limit)',
  );

  // Readers are woken once the caller's transaction has committed (this runs after the synchronous code that appended).
  let wakeScheduled = false;
  function appended(): void {
    if (wakeScheduled) return;
    wakeScheduled = true;
    setImmediate(() => {
      wakeScheduled = false;
      onAppend();
    });
  }

  return {
    /**
     * Appends one event about a comment, its payload led by `comment` (its id
     * on the site, ours, its thread's); call inside the transaction of the change it records.
     */
    append(e: { type: EventType; commentId: number; payload: Record<string, unknown>; now: number }): number {
      const ref = refOf.get({ id: e.commentId });
      if (!ref) throw new Error(`event ${e.type}: no comment ${e.commentId}`);
      const { source, ...comment } = ref;
      const payload = JSON.stringify({ comment, ...e.payload });
      const id = Number(insert.run({ type: e.type, source, commentId: e.commentId, payload, now: e.now }).lastInsertRowid);
      appended();
      return id;
    },
    /** Appends an event about no one comment: of a site (an author action), or of none (a threshold change); call inside its transaction. */
    appendGlobal(e: { type: EventType; payload: Record<string, unknown>; now: number; source?: string }): number {
      const id = Number(insert.run({ type: e.type, source: e.source ?? NO_SOURCE, commentId: null, payload: JSON.stringify(e.payload), now: e.now }).lastInsertRowid);
      appended();
      return id;
    },
    /** Every event after `cursor`, oldest first, up to `limit`: what the team's screens follow. */
    since: (cursor: number, limit: number): StoredEvent[] => since.all({ cursor, limit }).map(toEvent),
    /** The oldest event kept; 0 when none. */
    firstId: (): number => first.get()?.id ?? 0,
    /** Appends `comment.flagged` for comments that entered the review queue; call inside the flagging transaction. */
    appendFlagged(commentIds: number[], now: number): void {
      if (commentIds.length === 0) return;
      insertFlagged.run({ ids: JSON.stringify(commentIds), now });
      appended();
    },
    /** A source's events of these types after `cursor` (and up to `upTo`), oldest first. */
    after: (q: { cursor: number; upTo?: number; source: string; types: readonly EventType[]; limit: number }): StoredEvent[] =>
      after.all({ ...q, upTo: q.upTo ?? Number.MAX_SAFE_INTEGER, types: JSON.stringify(q.types) }).map(toEvent),
    get: (id: number): StoredEvent | undefined => {
      const row = get.get({ id });
      return row && toEvent(row);
    },
    /** The newest event's id, 0 when none: where a new reader starts. */
    lastId: (): number => last.get()?.id ?? 0,
    /** Deletes up to `limit` events older than `before` (a delivery keeps the body it sends); returns how many. */
    prune: (before: number, limit: number): number => prune.run({ before, limit }).changes,
  };
}

export type EventStore = ReturnType<typeof createEventStore>;
