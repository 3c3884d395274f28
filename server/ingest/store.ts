import type { Db } from '../db/open.ts';
import { LABELS } from '../scoring/labels.ts';

export interface NewThread {
  /** The import that created it; null for rows written by other means (the site API, benchmarks). */
  importId: number | null;
  source: string;
  externalId: string;
  title: string;
  url: string | null;
  body: string;
  /** Takes no more comments on the site. */
  closed?: boolean;
  importedAt: number;
}

export interface NewComment {
  importId: number | null;
  threadId: number;
  parentId: number | null;
  externalId: string;
  position: number;
  depth: number;
  author: string | null;
  body: string;
  postedAt: number | null;
  importedAt: number;
  /** The platform's verdict, from an export that records one. */
  sourceStatus?: string | null;
  /** The author's id on the site, when it sends one. */
  authorId?: string | null;
}

export interface NewImport {
  format: string;
  source: string;
  moderatorId: number | null;
  importedAt: number;
}

export interface ImportCounts {
  threads: number;
  commentsNew: number;
  commentsSeen: number;
  /** Stored comments the file changed (text, author, time or parent). */
  commentsEdited: number;
  /** Stored threads the file changed (title, url or body). */
  threadsUpdated: number;
}

/** A stored comment as an import compares it. */
export interface StoredComment {
  id: number;
  external_id: string;
  parent_id: number | null;
  depth: number;
  author: string | null;
  body: string;
  posted_at: number | null;
}

export interface StoredThread {
  id: number;
  title: string;
  url: string | null;
  body: string;
  closed: 0 | 1;
}

/** A stored comment as the site API compares it. */
export interface SiteComment extends StoredComment {
  thread_id: number;
  author_id: string | null;
  status: string;
  deleted_at: number | null;
}

/** New values for a stored comment; its depth follows from its parent's. */
export interface CommentEdit {
  id: number;
  externalId: string;
  author: string | null;
  body: string;
  postedAt: number | null;
  parentId: number | null;
}

/** Statements of an import; call them inside the service's transaction. */
export function createIngestStore(db: Db) {
  const threadByKey = db.prepare<{ source: string; externalId: string }, StoredThread>(
    'SELECT id, title, url, body, closed FROM threads WHERE source = @source AND external_id = @externalId',
  );
  const updateThread = db.prepare<StoredThread>('UPDATE threads SET title = @title, url = @url, body = @body, closed = @closed WHERE id = @id');
  const insertThread = db.prepare<Omit<NewThread, 'closed'> & { closed: 0 | 1 }>(
    `INSERT INTO threads (import_id, source, external_id, title, url, body, closed, imported_at)
     VALUES (@importId, @source, @externalId, @title, @url, @body, @closed, @importedAt)`,
  );
  // A comment by its id on the site: unique within a source for sites that push through the API.
  const commentBySite = db.prepare<{ source: string; externalId: string }, SiteComment>(
    `SELECT c.id, c.thread_id, c.external_id, c.parent_id, c.depth, c.author, c.author_id, c.body, c.posted_at, c.status, c.deleted_at
     FROM comments c JOIN threads t ON t.id = c.thread_id
     WHERE c.external_id = @externalId AND t.source = @source
     LIMIT 1`,
  );
  const setDeleted = db.prepare<{ id: number; at: number | null }>('UPDATE comments SET deleted_at = @at WHERE id = @id');
  const setAuthorId = db.prepare<{ id: number; authorId: string | null }>('UPDATE comments SET author_id = @authorId WHERE id = @id');
  const commentRefs = db.prepare<{ threadId: number }, StoredComment>(
    'SELECT id, external_id, parent_id, depth, author, body, posted_at FROM comments WHERE thread_id = @threadId',
  );
  const keepEarlier = db.prepare<{ id: number; importId: number | null; now: number }>(
    `INSERT INTO comment_edits (comment_id, import_id, external_id, author, body, posted_at, parent_id, depth, status_before, scores, edited_at)
     SELECT c.id, @importId, c.external_id, c.author, c.body, c.posted_at, c.parent_id, c.depth, c.status,
            (SELECT json_group_array(json_array(s.model, ${LABELS.map((l) => `s.${l}`).join(', ')})) FROM scores s WHERE s.comment_id = c.id),
            @now
     FROM comments c WHERE c.id = @id`,
  );
  const setComment = db.prepare<CommentEdit & { depth: number }>(
    `UPDATE comments SET external_id = @externalId, author = @author, body = @body, posted_at = @postedAt, parent_id = @parentId, depth = @depth
     WHERE id = @id`,
  );
  // A comment that moves under another parent takes its replies with it: their depths shift alike.
  const shiftReplies = db.prepare<{ id: number; delta: number }>(
    `WITH RECURSIVE below(id) AS (
       SELECT id FROM comments WHERE parent_id = @id
       UNION ALL SELECT c.id FROM below b JOIN comments c ON c.parent_id = b.id
     )
     UPDATE comments SET depth = depth + @delta WHERE id IN (SELECT id FROM below)`,
  );
  const editsOfImport = db.prepare<
    { importId: number },
    { id: number; comment_id: number; external_id: string; author: string | null; body: string; posted_at: number | null; parent_id: number | null; depth: number }
  >('SELECT id, comment_id, external_id, author, body, posted_at, parent_id, depth FROM comment_edits WHERE import_id = @importId ORDER BY id DESC');
  const depthOf = db.prepare<{ id: number }, { depth: number; external_id: string }>('SELECT depth, external_id FROM comments WHERE id = @id');
  const forgetEdit = db.prepare<{ id: number }>('DELETE FROM comment_edits WHERE id = @id');
  const maxPosition = db.prepare<{ threadId: number }, { p: number | null }>(
    'SELECT max(position) AS p FROM comments WHERE thread_id = @threadId',
  );
  const insertComment = db.prepare<NewComment & { sourceStatus: string | null; authorId: string | null }>(
    `INSERT INTO comments (import_id, thread_id, parent_id, external_id, position, depth, author, author_id, author_key, body, posted_at, imported_at, source_status)
     VALUES (@importId, @threadId, @parentId, @externalId, @position, @depth, @author, @authorId,
             CASE WHEN @authorId IS NOT NULL THEN @authorId WHEN @author IS NOT NULL THEN 'name:' || @author END,
             @body, @postedAt, @importedAt, @sourceStatus)`,
  );
  const insertImport = db.prepare<NewImport>(
    `INSERT INTO imports (format, source, moderator_id, threads, comments_new, comments_seen, imported_at, state, heartbeat_at)
     VALUES (@format, @source, @moderatorId, 0, 0, 0, @importedAt, 'running', @importedAt)`,
  );
  const finishImport = db.prepare<ImportCounts & { id: number }>(
    `UPDATE imports SET state = 'done', threads = @threads, comments_new = @commentsNew, comments_seen = @commentsSeen,
       comments_edited = @commentsEdited, threads_updated = @threadsUpdated WHERE id = @id`,
  );
  const enqueueImported = db.prepare<{ id: number; model: string; now: number; from: number; to: number }>(
    `INSERT INTO scoring_jobs (comment_id, model, state, attempts, updated_at)
     SELECT id, @model, 'pending', 0, @now FROM comments WHERE import_id = @id AND id >= @from AND id < @to
     ON CONFLICT DO NOTHING`,
  );
  const heartbeat = db.prepare<{ id: number; now: number }>('UPDATE imports SET heartbeat_at = @now WHERE id = @id');
  const quietImports = db.prepare<{ before: number }, { id: number }>(
    "SELECT id FROM imports WHERE state = 'running' AND coalesce(heartbeat_at, imported_at) < @before ORDER BY id",
  );
  // Taking an unfinished import back out. A comment someone already decided,
  // a reader reported, or answered from outside the import, stays with the comments it answers:
  // decisions are never lost. The rest goes, newest first in chunks.
  const importedRange = db.prepare<{ id: number }, { lo: number | null; hi: number | null }>(
    'SELECT min(id) AS lo, max(id) AS hi FROM comments WHERE import_id = @id',
  );
  db.exec('CREATE TEMP TABLE IF NOT EXISTS import_keep (id INTEGER PRIMARY KEY)');
  const clearKeep = db.prepare('DELETE FROM temp.import_keep');
  const collectKeep = db.prepare<{ id: number }>(
    `INSERT OR IGNORE INTO temp.import_keep (id)
     WITH RECURSIVE keep(id) AS (
       SELECT c.id FROM comments c WHERE c.import_id = @id
         AND (EXISTS (SELECT 1 FROM decisions d WHERE d.comment_id = c.id)
              OR EXISTS (SELECT 1 FROM reader_reports rr WHERE rr.comment_id = c.id)
              OR EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = c.id AND r.import_id IS NOT @id))
       UNION
       SELECT p.parent_id FROM keep k JOIN comments p ON p.id = k.id WHERE p.parent_id IS NOT NULL
     )
     SELECT id FROM keep`,
  );
  const REMOVABLE = `FROM comments c WHERE c.import_id = @id AND c.id >= @from AND c.id < @to
    AND c.id NOT IN (SELECT id FROM temp.import_keep)`;
  const removeDependents = ['flags', 'scores', 'scoring_jobs'].map((table) =>
    db.prepare<{ id: number; from: number; to: number }>(`DELETE FROM ${table} WHERE comment_id IN (SELECT c.id ${REMOVABLE})`),
  );
  const removeComments = db.prepare<{ id: number; from: number; to: number }>(`DELETE FROM comments WHERE id IN (SELECT c.id ${REMOVABLE})`);
  const removeThreads = db.prepare<{ id: number }>(
    'DELETE FROM threads WHERE import_id = @id AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.thread_id = threads.id)',
  );
  const failImport = db.prepare<{ id: number }>("UPDATE imports SET state = 'failed' WHERE id = @id");
  const keptComments = db.prepare<{ id: number }, { n: number }>('SELECT count(*) AS n FROM comments WHERE import_id = @id');
  const countThreads = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM threads');

  return {
    getThread: (source: string, externalId: string) => threadByKey.get({ source, externalId }),
    updateThread: (t: StoredThread) => updateThread.run(t),
    /** A comment by the site's source and id. */
    getSiteComment: (source: string, externalId: string) => commentBySite.get({ source, externalId }),
    /** Marks a comment removed on the site (`at`), or back (null). */
    setDeleted: (id: number, at: number | null) => setDeleted.run({ id, at }),
    setAuthorId: (id: number, authorId: string | null) => setAuthorId.run({ id, authorId }),
    /** Changes a stored comment, keeping what it was (and its scores) in comment_edits. */
    editComment(edit: CommentEdit, meta: { importId: number | null; now: number }): void {
      const before = depthOf.get({ id: edit.id })!;
      const depth = edit.parentId === null ? 0 : depthOf.get({ id: edit.parentId })!.depth + 1;
      keepEarlier.run({ id: edit.id, ...meta });
      setComment.run({ ...edit, depth });
      if (depth !== before.depth) shiftReplies.run({ id: edit.id, delta: depth - before.depth });
    },
    /** Puts back what an unfinished import's edits changed, newest first. */
    undoEdits(importId: number): number[] {
      const ids: number[] = [];
      for (const e of editsOfImport.all({ importId })) {
        const now = depthOf.get({ id: e.comment_id })!.depth;
        setComment.run({ id: e.comment_id, externalId: e.external_id, author: e.author, body: e.body, postedAt: e.posted_at, parentId: e.parent_id, depth: e.depth });
        if (e.depth !== now) shiftReplies.run({ id: e.comment_id, delta: e.depth - now });
        forgetEdit.run({ id: e.id });
        ids.push(e.comment_id);
      }
      return ids;
    },
    insertThread: (t: NewThread) => Number(insertThread.run({ ...t, closed: t.closed ? 1 : 0 }).lastInsertRowid),
    /** Comments already stored for a thread, by the source's id: re-imports skip them and link replies to them. */
    listCommentRefs: (threadId: number) => commentRefs.all({ threadId }),
    nextPosition: (threadId: number) => (maxPosition.get({ threadId })?.p ?? -1) + 1,
    insertComment: (c: NewComment) => Number(insertComment.run({ ...c, sourceStatus: c.sourceStatus ?? null, authorId: c.authorId ?? null }).lastInsertRowid),
    /** Starts an import's row, as running; its threads and comments name it. */
    beginImport: (i: NewImport) => Number(insertImport.run(i).lastInsertRowid),
    finishImport: (id: number, counts: ImportCounts) => finishImport.run({ id, ...counts }),
    /** Queues an import's comments with ids in [from, to) for scoring. */
    enqueueImported: (id: number, model: string, now: number, range: { from: number; to: number }) => enqueueImported.run({ id, model, now, ...range }),
    /** Says a running import is alive; call with each chunk. */
    heartbeat: (id: number, now: number) => heartbeat.run({ id, now }),
    /** Running imports quiet since `before`: their process stopped half way. */
    listQuietImports: (before: number) => quietImports.all({ before }).map((r) => r.id),
    /** The id range of an import's comments, after noting those that must stay (decided or answered from elsewhere). */
    prepareTakeBack(id: number): { lo: number | null; hi: number | null } {
      clearKeep.run();
      collectKeep.run({ id });
      return importedRange.get({ id })!;
    },
    /** Removes an import's comments with ids in [from, to) and what hangs on them, except those decided or answered. */
    removeImported(id: number, range: { from: number; to: number }): number {
      for (const stmt of removeDependents) stmt.run({ id, ...range });
      return removeComments.run({ id, ...range }).changes;
    },
    /** Removes the import's threads left without comments, marks it failed; returns the comments kept. */
    failImport(id: number): number {
      removeThreads.run({ id });
      failImport.run({ id });
      return keptComments.get({ id })!.n;
    },
    countThreads: () => countThreads.get()!.n,
  };
}

export type IngestStore = ReturnType<typeof createIngestStore>;
