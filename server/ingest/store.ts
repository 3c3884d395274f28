import type { Db } from '../db/open.ts';

export interface NewThread {
  /** The import that created it; null for rows written by other means (benchmarks). */
  importId: number | null;
  source: string;
  externalId: string;
  title: string;
  url: string | null;
  body: string;
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
}

/** Statements of an import; call them inside the service's transaction. */
export function createIngestStore(db: Db) {
  const threadId = db.prepare<{ source: string; externalId: string }, { id: number }>(
    'SELECT id FROM threads WHERE source = @source AND external_id = @externalId',
  );
  const insertThread = db.prepare<NewThread>(
    `INSERT INTO threads (import_id, source, external_id, title, url, body, imported_at)
     VALUES (@importId, @source, @externalId, @title, @url, @body, @importedAt)`,
  );
  const commentRefs = db.prepare<{ threadId: number }, { id: number; external_id: string; depth: number }>(
    'SELECT id, external_id, depth FROM comments WHERE thread_id = @threadId',
  );
  const maxPosition = db.prepare<{ threadId: number }, { p: number | null }>(
    'SELECT max(position) AS p FROM comments WHERE thread_id = @threadId',
  );
  const insertComment = db.prepare<NewComment>(
    `INSERT INTO comments (import_id, thread_id, parent_id, external_id, position, depth, author, body, posted_at, imported_at)
     VALUES (@importId, @threadId, @parentId, @externalId, @position, @depth, @author, @body, @postedAt, @importedAt)`,
  );
  const insertImport = db.prepare<NewImport>(
    `INSERT INTO imports (format, source, moderator_id, threads, comments_new, comments_seen, imported_at, state, heartbeat_at)
     VALUES (@format, @source, @moderatorId, 0, 0, 0, @importedAt, 'running', @importedAt)`,
  );
  const finishImport = db.prepare<ImportCounts & { id: number }>(
    `UPDATE imports SET state = 'done', threads = @threads, comments_new = @commentsNew, comments_seen = @commentsSeen WHERE id = @id`,
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
  // or answered from outside the import, stays with the comments it answers:
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
    getThreadId: (source: string, externalId: string) => threadId.get({ source, externalId })?.id,
    insertThread: (t: NewThread) => Number(insertThread.run(t).lastInsertRowid),
    /** Comments already stored for a thread, by the source's id: re-imports skip them and link replies to them. */
    listCommentRefs: (threadId: number) => commentRefs.all({ threadId }),
    nextPosition: (threadId: number) => (maxPosition.get({ threadId })?.p ?? -1) + 1,
    insertComment: (c: NewComment) => Number(insertComment.run(c).lastInsertRowid),
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
