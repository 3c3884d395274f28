import { SvelteMap } from 'svelte/reactivity';
import { api, type CommentContext, type CommentFilters, type QueueItem } from '../api.ts';
import { decisions } from './decisions.svelte.ts';
import { showError } from './toasts.svelte.ts';

const PAGE = 50;
/** Load the next page this many items before the end, so j never waits. */
const LOOKAHEAD = 8;

/**
 * The all-comments list: every comment newest first, flagged or not, or the
 * results of a search. Unlike the queue, a decision leaves a comment where it
 * is, with its new status.
 */
export class CommentsState {
  filters = $state<CommentFilters>({ q: '', status: '', label: '', thread: null, reported: false });
  items = $state<QueueItem[]>([]);
  nextCursor = $state<string | null>(null);
  loading = $state(false);
  loaded = $state(false);
  error = $state<string | null>(null);
  index = $state(0);
  contexts = new SvelteMap<number, CommentContext>();
  contextErrors = new SvelteMap<number, string>();
  #generation = 0;

  constructor() {
    decisions.subscribe((changes) => {
      for (const change of changes) {
        const item = this.items.find((i) => i.id === change.id);
        if (item) item.status = change.status;
        this.contexts.delete(change.id);
      }
    });
  }

  get current(): QueueItem | null {
    return this.items[this.index] ?? null;
  }

  async load(): Promise<void> {
    const generation = ++this.#generation;
    this.loading = true;
    this.error = null;
    try {
      const page = await api.comments($state.snapshot(this.filters), null, PAGE);
      if (generation !== this.#generation) return;
      this.items = page.items;
      this.nextCursor = page.nextCursor;
      this.index = 0;
      this.loaded = true;
      this.prefetch();
    } catch (error) {
      if (generation !== this.#generation) return;
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  async loadMore(): Promise<void> {
    if (!this.nextCursor || this.loading) return;
    const generation = this.#generation;
    this.loading = true;
    try {
      const page = await api.comments($state.snapshot(this.filters), this.nextCursor, PAGE);
      if (generation !== this.#generation) return;
      const seen = this.items.map((c) => c.id);
      this.items.push(...page.items.filter((c) => !seen.includes(c.id)));
      this.nextCursor = page.nextCursor;
    } catch (error) {
      showError(error, 'Could not load more comments');
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
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

  prefetch(): void {
    for (const item of [this.items[this.index], this.items[this.index + 1]]) {
      if (item) void this.context(item.id);
    }
  }

  async context(id: number): Promise<void> {
    if (this.contexts.has(id) || this.contextErrors.has(id)) return;
    try {
      this.contexts.set(id, await api.comment(id));
      this.contextErrors.delete(id);
    } catch (error) {
      this.contextErrors.set(id, error instanceof Error ? error.message : String(error));
    }
  }
}

export const allComments = new CommentsState();
