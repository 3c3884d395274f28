import type { Db } from '../db/open.ts';
import { COMMENT_COLUMNS, toCommentRow, type CommentRow, type RawCommentRow } from '../moderation/store.ts';
import type { Status } from '../moderation/statuses.ts';
import type { Label } from '../scoring/labels.ts';

/** The plan thresholds below; tests set them to take every plan on a small database. */
export interface SearchTuning {
  sortAtMost: number;
  fewToLookUp: number;
}

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
 * Past this many comments in the threads a title matches, the list walks all
 * comments newest first and keeps those threads' comments, rather than
 * reading the threads' comments and sorting them: a title word found in every
 * thread would otherwise sort every comment (about 2 s at a million).
 */
const SORT_AT_MOST = 20_000;

/**
 * A search with a status or label filter reads the FTS index newest first and
 * checks each match: fast unless the status or label is rare and the words
 * common (every match read, none kept). Below this many comments of that
 * status (or flagged for that label), it reads those comments newest first
 * and looks each up in the index instead (about 15 µs a comment at a million).
 */
const FEW_TO_LOOK_UP = 2_000;

/**
 * The SQL of the all-comments list and of search: one query builder, so both
 * take the same filters and page the same way, newest (highest id) first.
 * A search walks the FTS index in descending rowid order and stops after
 * `limit` rows: no ranking pass over every match.
 */
export function createSearchStore(db: Db, model: () => string | null = () => null, tuning: SearchTuning = { sortAtMost: SORT_AT_MOST, fewToLookUp: FEW_TO_LOOK_UP }) {
  const statements = new Map<string, ReturnType<Db['prepare']>>();

  const titleThreads = db.prepare<{ match: string }, number>('SELECT rowid FROM threads_fts WHERE threads_fts MATCH @match').pluck();
  const commentsInThreads = db
    .prepare<{ ids: string; cap: number }, number>('SELECT count(*) FROM (SELECT 1 FROM comments WHERE thread_id IN (SELECT value FROM json_each(@ids)) LIMIT @cap)')
    .pluck();

  // Kept by triggers (001_init.sql): no count over the comments.
  const statusCount = db.prepare<{ status: string }, number | null>('SELECT sum(n) FROM comment_counts WHERE status = @status').pluck();

  const labelCount = db
    .prepare<{ label: string; cap: number }, number>('SELECT count(*) FROM (SELECT 1 FROM flags WHERE label = @label LIMIT @cap)')
    .pluck();

  /**
   * `titles`: the threads a title matched, few comments (read them and sort) or many (walk newest first).
   * `driver`: what a search reads first: the FTS index, or the few comments of a rare status or label.
   */
  function statement(f: CommentFilter, titles: 'few' | 'many' | null, driver: 'fts' | 'status' | 'label'): ReturnType<Db['prepare']> {
    const name = [f.status ? 's' : '', f.label ? 'l' : '', f.thread ? 't' : '', f.reported ? 'r' : '', f.match ? 'm' : '', titles ?? '', driver, f.beforeId ? 'b' : ''].join(':');
    let stmt = statements.get(name);
    if (stmt) return stmt;
    const where: string[] = [];
    // The index first when searching: its rowids are comment ids, read newest first.
    const from = !f.match
      ? 'comments c'
      : driver === 'status'
        ? 'comments c INDEXED BY comments_status_id CROSS JOIN comments_fts f ON f.rowid = c.id'
        : driver === 'label'
          ? 'flags fl INDEXED BY flags_label CROSS JOIN comments c ON c.id = fl.comment_id CROSS JOIN comments_fts f ON f.rowid = c.id'
          : 'comments_fts f CROSS JOIN comments c ON c.id = f.rowid';
    const id = !f.match ? 'c.id' : driver === 'fts' ? 'f.rowid' : driver === 'label' ? 'fl.comment_id' : 'c.id';
    if (driver === 'label') where.push('fl.label = @label');
    if (f.match) where.push('comments_fts MATCH @match');
    if (f.status) where.push('c.status = @status');
    if (f.label && driver !== 'label') where.push('EXISTS (SELECT 1 FROM flags fl WHERE fl.comment_id = c.id AND fl.label = @label)');
    if (f.thread) where.push('c.thread_id = @thread');
    if (f.reported) where.push('c.report_count > 0');
    // A unary + keeps SQLite off the thread index, so it walks comments newest first.
    if (titles) where.push(`${titles === 'many' ? '+' : ''}c.thread_id IN (SELECT value FROM json_each(@threadIds))`);
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
      let titles: 'few' | 'many' | null = null;
      let threadIds: string | undefined;
      if (f.titleMatch) {
        const ids = titleThreads.all({ match: f.titleMatch });
        if (ids.length === 0) return [];
        threadIds = JSON.stringify(ids);
        titles = commentsInThreads.get({ ids: threadIds, cap: tuning.sortAtMost })! >= tuning.sortAtMost ? 'many' : 'few';
      }
      const params = {
        model: model(),
        status: f.status,
        label: f.label,
        thread: f.thread,
        match: f.match,
        threadIds,
        beforeId: f.beforeId,
        limit: f.limit,
      };
      let driver: 'fts' | 'status' | 'label' = 'fts';
      if (f.match && f.status && (statusCount.get({ status: f.status }) ?? 0) < tuning.fewToLookUp) driver = 'status';
      else if (f.match && f.label && labelCount.get({ label: f.label, cap: tuning.fewToLookUp })! < tuning.fewToLookUp) driver = 'label';
      return (statement(f, titles, driver).all(params) as (RawCommentRow & { thread_title: string })[]).map(toCommentRow);
    },
  };
}

export type SearchStore = ReturnType<typeof createSearchStore>;
