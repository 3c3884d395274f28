import type { Label } from '../scoring/labels.ts';
import type { Status } from '../moderation/statuses.ts';
import { decodeCursor, encodeCursor, type ModerationService } from '../moderation/service.ts';
import type { QueueItem } from '../wire.ts';
import { commentMatch, titleMatch } from './query.ts';
import type { CommentFilter, SearchStore } from './store.ts';

/** The filters the all-comments list shares with search. */
export interface CommentListQuery {
  status?: Status;
  label?: Label;
  thread?: number;
  reported?: boolean;
  cursor?: string;
  limit?: number;
}

/** A search: words (`q`, in text or author), author words, thread-title words, and the list's filters. */
export interface SearchQuery extends Omit<CommentListQuery, 'thread'> {
  q?: string;
  author?: string;
  /** Words of the thread's title. */
  thread?: string;
  /** One thread, by id (the list's `thread`). */
  threadId?: number;
}

export interface CommentPage {
  items: QueueItem[];
  nextCursor: string | null;
}

export interface SearchDeps {
  store: SearchStore;
  /** The moderation service's one row-to-comment function, so items are shaped as the queue's. */
  hydrate: ModerationService['hydrate'];
}

/**
 * Finding comments: every comment newest first, flagged or not, and full-text
 * search over the same list. Its own domain because it reads across the
 * moderation state (statuses, flags, reports) and owns the FTS index, and
 * moderation stays about the queue and decisions.
 */
export function createSearchService({ store, hydrate }: SearchDeps) {
  function page(filter: Omit<CommentFilter, 'limit' | 'beforeId'>, cursor: string | undefined, limit = 50): CommentPage {
    const beforeId = cursor ? decodeCursor(cursor, 'comments').i : undefined;
    const rows = store.listComments({ ...filter, beforeId, limit: limit + 1 });
    const more = rows.length > limit;
    const shown = more ? rows.slice(0, limit) : rows;
    const comments = hydrate(shown);
    return {
      items: comments.map((c, i) => ({ ...c, threadTitle: shown[i].thread_title })),
      nextCursor: more ? encodeCursor({ s: 'comments', k: null, i: shown.at(-1)!.id }) : null,
    };
  }

  return {
    /** Every comment, newest first, flagged or not, with the queue's filters. */
    list(q: CommentListQuery): CommentPage {
      return page({ status: q.status, label: q.label, thread: q.thread, reported: q.reported }, q.cursor, q.limit);
    },

    /**
     * Comments holding every word of `q` (text or author), `author` (author)
     * and `thread` (thread title), newest first. Words that cannot match
     * (only punctuation) are dropped; a search with no word left finds nothing.
     */
    search(q: SearchQuery): CommentPage {
      const match = commentMatch({ text: q.q, author: q.author }) ?? undefined;
      const title = titleMatch(q.thread) ?? undefined;
      const asked = [q.q, q.author, q.thread].some((s) => s !== undefined && s.trim() !== '');
      if (asked && !match && !title) return { items: [], nextCursor: null };
      return page({ status: q.status, label: q.label, thread: q.threadId, reported: q.reported, match, titleMatch: title }, q.cursor, q.limit);
    },
  };
}

export type SearchService = ReturnType<typeof createSearchService>;
