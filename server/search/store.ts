import type { Db } from '../db/open.ts';
import { COMMENT_COLUMNS, toCommentRow, type CommentRow, type RawCommentRow } from '../moderation/store.ts';
import type { Status } from '../moderation/statuses.ts';
import type { Label } from '../scoring/labels.ts';

/** Which comments a page of the all-comments list or a search holds. Absent filters do not filter. */
export interface CommentFilter {
  status?: Status;
  label?: Label;
  thread?: number;
  /** Only comments readers reported. */
  reported?: boolean;
  /** An FTS5 expression over comments_fts (search/query.ts builds it; never user input as such). */
  match?: string;
  /** An FTS5 expression over threads_fts: only comments in threads whose title matches. */
  titleMatch?: string;
  /** Ids below this one: the keyset cursor of newest first. */
  beforeId?: number;
  limit: number;
}

export type ListedRow = CommentRow & { thread_title: string };

/**
 * The SQL of the all-comments list and of search: one query builder, so both
 * take the same filters and page the same way, newest (highest id) first.
 * A search walks the FTS index in descending rowid order and stops after
 * `limit` rows: no ranking pass over every match.
 */
export function createSearchStore(db: Db, model: () => string | null = () => null) {
  const statements = new Map<string, ReturnType<Db['prepare']>>();

  function statement(f: CommentFilter): ReturnType<Db['prepare']> {
    const name = [f.status ? 's' : '', f.label ? 'l' : '', f.thread ? 't' : '', f.reported ? 'r' : '', f.match ? 'm' : '', f.titleMatch ? 'T' : '', f.beforeId ? 'b' : ''].join('');
    let stmt = statements.get(name);
    if (stmt) return stmt;
    const where: string[] = [];
    // The index first when searching: its rowids are comment ids, read newest first.
    const from = f.match ? 'comments_fts f CROSS JOIN comments c ON c.id = f.rowid' : 'comments c';
    const id = f.match ? 'f.rowid' : 'c.id';
    if (f.match) where.push('comments_fts MATCH @match');
    if (f.status) where.push('c.status = @status');
    if (f.label) where.push('EXISTS (SELECT 1 FROM flags fl WHERE fl.comment_id = c.id AND fl.label = @label)');
    if (f.thread) where.push('c.thread_id = @thread');
    if (f.reported) where.push('c.report_count > 0');
    if (f.titleMatch) where.push('c.thread_id IN (SELECT rowid FROM threads_fts WHERE threads_fts MATCH @titleMatch)');
    if (f.beforeId) where.push(`${id} < @beforeId`);
    stmt = db.prepare(
      `SELECT ${COMMENT_COLUMNS}, t.title AS thread_title FROM ${from} CROSS JOIN threads t ON t.id = c.thread_id
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${id} DESC LIMIT @limit`,
    );
    statements.set(name, stmt);
    return stmt;
  }

  return {
    /** One page of comments, newest first. */
    listComments(f: CommentFilter): ListedRow[] {
      const params = {
        model: model(),
        status: f.status,
        label: f.label,
        thread: f.thread,
        match: f.match,
        titleMatch: f.titleMatch,
        beforeId: f.beforeId,
        limit: f.limit,
      };
      return (statement(f).all(params) as (RawCommentRow & { thread_title: string })[]).map(toCommentRow);
    },
  };
}

export type SearchStore = ReturnType<typeof createSearchStore>;
