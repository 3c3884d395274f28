import { api, type CommentFilters } from '../api.ts';
import { CommentList, LOOKAHEAD, type CommentListPage } from './comment-list.svelte.ts';
import { decisions } from './decisions.svelte.ts';

/**
 * The all-comments list: every comment newest first, flagged or not, or the
 * results of a search. Unlike the queue, a decision leaves a comment where it
 * is, with its new status.
 */
export class CommentsState extends CommentList<CommentFilters> {
  filters = $state<CommentFilters>({ q: '', status: '', label: '', thread: null, reported: false });

  constructor() {
    super();
    decisions.subscribe((changes) => {
      for (const change of changes) {
        const item = this.items.find((i) => i.id === change.id);
        if (item) item.status = change.status;
        this.contexts.delete(change.id);
      }
    });
  }

  protected fetchPage(filters: CommentFilters, cursor: string | null, limit: number): Promise<CommentListPage> {
    return api.comments(filters, cursor, limit);
  }

  protected startLoad(): () => void {
    return () => {
      this.index = 0;
    };
  }

  setFilters(change: Partial<CommentFilters>): void {
    Object.assign(this.filters, change);
    void this.load();
  }

  select(index: number): void {
    if (this.items.length === 0) return;
    this.index = Math.min(Math.max(index, 0), this.items.length - 1);
    if (this.index >= this.items.length - LOOKAHEAD) void this.loadMore();
    this.prefetch();
  }

  move(delta: number): void {
    this.select(this.index + delta);
  }
}

export const allComments = new CommentsState();
