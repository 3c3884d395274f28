import type { Db } from '../db/open.ts';

export interface NewThread {
  source: string;
  externalId: string;
  title: string;
  url: string | null;
  body: string;
  importedAt: number;
}

export interface NewComment {
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
  threads: number;
  commentsNew: number;
  commentsSeen: number;
  importedAt: number;
}

/** Statements of an import; call them inside the service's transaction. */
export function createIngestStore(db: Db) {
  const threadId = db.prepare<{ source: string; externalId: string }, { id: number }>(
    'SELECT id FROM threads WHERE source = @source AND external_id = @externalId',
  );
  const insertThread = db.prepare<NewThread>(
    `INSERT INTO threads (source, external_id, title, url, body, imported_at)
     VALUES (@source, @externalId, @title, @url, @body, @importedAt)`,
  );
  const commentRefs = db.prepare<{ threadId: number }, { id: number; external_id: string; depth: number }>(
    'SELECT id, external_id, depth FROM comments WHERE thread_id = @threadId',
  );
  const maxPosition = db.prepare<{ threadId: number }, { p: number | null }>(
    'SELECT max(position) AS p FROM comments WHERE thread_id = @threadId',
  );
  const insertComment = db.prepare<NewComment>(
    `INSERT INTO comments (thread_id, parent_id, external_id, position, depth, author, body, posted_at, imported_at)
     VALUES (@threadId, @parentId, @externalId, @position, @depth, @author, @body, @postedAt, @importedAt)`,
  );
  const insertImport = db.prepare<NewImport>(
    `INSERT INTO imports (format, source, moderator_id, threads, comments_new, comments_seen, imported_at)
     VALUES (@format, @source, @moderatorId, @threads, @commentsNew, @commentsSeen, @importedAt)`,
  );
  const countThreads = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM threads');

  return {
    getThreadId: (source: string, externalId: string) => threadId.get({ source, externalId })?.id,
    insertThread: (t: NewThread) => Number(insertThread.run(t).lastInsertRowid),
    /** Comments already stored for a thread, by the source's id: re-imports skip them and link replies to them. */
    listCommentRefs: (threadId: number) => commentRefs.all({ threadId }),
    nextPosition: (threadId: number) => (maxPosition.get({ threadId })?.p ?? -1) + 1,
    insertComment: (c: NewComment) => Number(insertComment.run(c).lastInsertRowid),
    insertImport: (i: NewImport) => Number(insertImport.run(i).lastInsertRowid),
    countThreads: () => countThreads.get()!.n,
  };
}

export type IngestStore = ReturnType<typeof createIngestStore>;
