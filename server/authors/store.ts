import type { Db } from '../db/open.ts';

export const AUTHOR_ACTIONS = ['watch', 'trust', 'ban', 'unwatch', 'untrust', 'unban', 'note'] as const;
export type AuthorAction = (typeof AUTHOR_ACTIONS)[number];

export interface AuthorActionRow {
  id: number;
  source: string;
  author_key: string;
  action: AuthorAction | 'undo';
  reason: string | null;
  expires_at: number | null;
  moderator_id: number | null;
  username: string | null;
  rule: string | null;
  undoes_id: number | null;
  undone_by_id: number | null;
  created_at: number;
}

export interface Standing {
  watchedUntil: number | null;
  trustedUntil: number | null;
  bannedUntil: number | null;
}

export interface AuthorRef {
  source: string;
  key: string;
}

const ACTION_SELECT = `SELECT a.*, m.username, (SELECT u.id FROM author_actions u WHERE u.undoes_id = a.id) AS undone_by_id
  FROM author_actions a LEFT JOIN moderators m ON m.id = a.moderator_id`;

/** Authors' actions, standings and the statements over their comments; call writes inside the service's transaction. */
export function createAuthorStore(db: Db) {
  const insertAction = db.prepare<{
    source: string;
    key: string;
    action: AuthorAction | 'undo';
    reason: string | null;
    expiresAt: number | null;
    moderatorId: number | null;
    rule: string | null;
    undoesId: number | null;
    now: number;
  }>(
    `INSERT INTO author_actions (source, author_key, action, reason, expires_at, moderator_id, rule, undoes_id, created_at)
     VALUES (@source, @key, @action, @reason, @expiresAt, @moderatorId, @rule, @undoesId, @now)`,
  );
  const actionById = db.prepare<{ id: number }, AuthorActionRow>(`${ACTION_SELECT} WHERE a.id = @id`);
  const actionsOf = db.prepare<AuthorRef, AuthorActionRow>(`${ACTION_SELECT} WHERE a.source = @source AND a.author_key = @key ORDER BY a.id DESC`);
  const standingOf = db.prepare<AuthorRef, { watched_until: number | null; trusted_until: number | null; banned_until: number | null }>(
    'SELECT watched_until, trusted_until, banned_until FROM author_standings WHERE source = @source AND author_key = @key',
  );
  const putStanding = db.prepare<AuthorRef & Standing>(
    `INSERT INTO author_standings (source, author_key, watched_until, trusted_until, banned_until) VALUES (@source, @key, @watchedUntil, @trustedUntil, @bannedUntil)
     ON CONFLICT (source, author_key) DO UPDATE SET watched_until = excluded.watched_until, trusted_until = excluded.trusted_until, banned_until = excluded.banned_until`,
  );
  const dropStanding = db.prepare<AuthorRef>('DELETE FROM author_standings WHERE source = @source AND author_key = @key');
  const lapsed = db.prepare<{ now: number }, { source: string; author_key: string }>(
    'SELECT source, author_key FROM author_standings WHERE watched_until <= @now OR trusted_until <= @now OR banned_until <= @now',
  );
  // Their comments carry the standing, so the flag rules read it without a join (010_authors.sql).
  const markComments = db.prepare<AuthorRef & { watched: 0 | 1; trusted: 0 | 1 }, { id: number }>(
    `UPDATE comments SET author_watched = @watched, author_trusted = @trusted
     WHERE author_key = @key AND thread_id IN (SELECT id FROM threads WHERE source = @source)
       AND (author_watched != @watched OR author_trusted != @trusted)
     RETURNING id`,
  );
  const commentsOf = db.prepare<AuthorRef & { before: number; limit: number }, { id: number }>(
    `SELECT c.id FROM comments c JOIN threads t ON t.id = c.thread_id
     WHERE c.author_key = @key AND t.source = @source AND c.id < @before ORDER BY c.id DESC LIMIT @limit`,
  );
  const statsOf = db.prepare<AuthorRef, { total: number; hidden: number; pending: number; queue: number; reports: number; name: string | null; first_at: number | null }>(
    `SELECT count(*) AS total, coalesce(sum(c.status = 'hidden'), 0) AS hidden, coalesce(sum(c.status = 'pending'), 0) AS pending,
            coalesce(sum(c.flagged = 1 AND c.status = 'pending'), 0) AS queue, coalesce(sum(c.report_count), 0) AS reports,
            (SELECT c2.author FROM comments c2 JOIN threads t2 ON t2.id = c2.thread_id WHERE c2.author_key = @key AND t2.source = @source ORDER BY c2.id DESC LIMIT 1) AS name,
            min(c.imported_at) AS first_at
     FROM comments c JOIN threads t ON t.id = c.thread_id WHERE c.author_key = @key AND t.source = @source`,
  );
  // The decisions on their comments, for the one event log of the author page.
  const decisionsOn = db.prepare<AuthorRef & { limit: number }, { id: number; comment_id: number; action: string; status_after: string; username: string; rule: string | null; decided_at: number }>(
    `SELECT d.id, d.comment_id, d.action, d.status_after, m.username, d.rule, d.decided_at
     FROM decisions d JOIN moderators m ON m.id = d.moderator_id JOIN comments c ON c.id = d.comment_id JOIN threads t ON t.id = c.thread_id
     WHERE c.author_key = @key AND t.source = @source ORDER BY d.id DESC LIMIT @limit`,
  );
  const authorOf = db.prepare<{ id: number }, { source: string; key: string | null }>(
    'SELECT t.source, c.author_key AS key FROM comments c JOIN threads t ON t.id = c.thread_id WHERE c.id = @id',
  );
  // New comments of banned authors among [from, to): hidden on arrival.
  const bannedArrivals = db.prepare<{ from: number; to: number; now: number }, { id: number; source: string; key: string }>(
    `SELECT c.id, t.source, c.author_key AS key FROM comments c JOIN threads t ON t.id = c.thread_id
     JOIN author_standings s ON s.source = t.source AND s.author_key = c.author_key
     WHERE c.id >= @from AND c.id < @to AND s.banned_until > @now AND c.status = 'pending'`,
  );
  const hiddenSince = db.prepare<AuthorRef & { since: number }, { n: number }>(
    `SELECT count(DISTINCT d.comment_id) AS n FROM decisions d JOIN comments c ON c.id = d.comment_id JOIN threads t ON t.id = c.thread_id
     WHERE c.author_key = @key AND t.source = @source AND c.status = 'hidden' AND d.status_after = 'hidden' AND d.decided_at >= @since`,
  );

  return {
    insertAction: (a: Parameters<typeof insertAction.run>[0]) => Number(insertAction.run(a).lastInsertRowid),
    getAction: (id: number) => actionById.get({ id }),
    /** Every action on the author, newest first. */
    listActions: (ref: AuthorRef) => actionsOf.all(ref),
    standing(ref: AuthorRef): Standing {
      const row = standingOf.get(ref);
      return { watchedUntil: row?.watched_until ?? null, trustedUntil: row?.trusted_until ?? null, bannedUntil: row?.banned_until ?? null };
    },
    putStanding(ref: AuthorRef, s: Standing): void {
      if (s.watchedUntil === null && s.trustedUntil === null && s.bannedUntil === null) dropStanding.run(ref);
      else putStanding.run({ ...ref, ...s });
    },
    /** Authors with a standing that has lapsed by `now`. */
    listLapsed: (now: number) => lapsed.all({ now }).map((r) => ({ source: r.source, key: r.author_key })),
    /** Copies the standing onto the author's comments; returns the ids of those that changed. */
    markComments: (ref: AuthorRef, watched: boolean, trusted: boolean) => markComments.all({ ...ref, watched: watched ? 1 : 0, trusted: trusted ? 1 : 0 }).map((r) => r.id),
    /** The author's comment ids, newest first, below `before`. */
    listCommentIds: (ref: AuthorRef, before: number, limit: number) => commentsOf.all({ ...ref, before, limit }).map((r) => r.id),
    stats: (ref: AuthorRef) => statsOf.get(ref)!,
    listDecisionsOn: (ref: AuthorRef, limit: number) => decisionsOn.all({ ...ref, limit }),
    authorOf: (commentId: number) => authorOf.get({ id: commentId }),
    bannedArrivals: (from: number, to: number, now: number) => bannedArrivals.all({ from, to, now }),
    /** How many of the author's comments were hidden since `since` and still are. */
    hiddenSince: (ref: AuthorRef, since: number) => hiddenSince.get({ ...ref, since })!.n,
  };
}

export type AuthorStore = ReturnType<typeof createAuthorStore>;
