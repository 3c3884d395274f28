import { SvelteMap } from 'svelte/reactivity';
import { api, type CommentContext, type QueueItem } from '../api.ts';
import { showError } from './toasts.svelte.ts';

const PAGE = 50;
/** Load the next page this many items before the end, so j never waits. */
export const LOOKAHEAD = 8;

/** One page of a keyset-paged list of comments: `nextCursor` is null at the end. */
export interface CommentListPage {
  items: QueueItem[];
  nextCursor: string | null;
}

/** The ids of some items, for lookups inside one method: plain, not reactive state. */
function idsOf(items: QueueItem[]): ReadonlySet<number> {
  return new Set(items.map((c) => c.id));
}

/**
 * What the queue and All comments share: a keyset-paged list of comments for
 * some filters, the selected item (`index`) and a cache of each comment's
 * context. A newer load makes the answers to older ones moot.
 */
export abstract class CommentList<F extends object> {
  abstract filters: F;
  items = $state<QueueItem[]>([]);
  nextCursor = $state<string | null>(null);
  loading = $state(false);
  loaded = $state(false);
  error = $state<string | null>(null);
  index = $state(0);
  contexts = new SvelteMap<number, CommentContext>();
  contextErrors = new SvelteMap<number, string>();
  #generation = 0;

  /** One page for these filters, after `cursor` (null: the first page). */
  protected abstract fetchPage(filters: F, cursor: string | null, limit: number): Promise<CommentListPage>;

  /**
   * Called as a load starts. Returns what to do with the first page once it is
   * in (`items` and `nextCursor` set, not yet `loaded`): place `index` at least.
   */
  protected abstract startLoad(): (page: CommentListPage) => void;

  /** Called with each further page once its new items are in the list. */
  protected loadedMore?(page: CommentListPage): void;

  get current(): QueueItem | null {
    return this.items[this.index] ?? null;
  }

  /** Loads the first page for the current filters. */
  async load(): Promise<void> {
    const generation = ++this.#generation;
    const settle = this.startLoad();
    this.loading = true;
    this.error = null;
    try {
      const page = await this.fetchPage($state.snapshot(this.filters) as F, null, PAGE);
      if (generation !== this.#generation) return;
      this.items = page.items;
      this.nextCursor = page.nextCursor;
      settle(page);
      this.loaded = true;
      this.prefetch();
    } catch (error) {
      if (generation !== this.#generation) return;
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  /** Appends the next page, leaving out comments already listed. */
  async loadMore(): Promise<void> {
    if (!this.nextCursor || this.loading) return;
    const generation = this.#generation;
    this.loading = true;
    try {
      const page = await this.fetchPage($state.snapshot(this.filters) as F, this.nextCursor, PAGE);
      if (generation !== this.#generation) return;
      const seen = idsOf(this.items);
      this.items.push(...page.items.filter((c) => !seen.has(c.id)));
      this.loadedMore?.(page);
      this.nextCursor = page.nextCursor;
    } catch (error) {
      showError(error, 'Could not load more comments');
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  /** Fetches the context of the selected comment and the next one, so both show without waiting. */
  prefetch(): void {
    for (const item of [this.items[this.index], this.items[this.index + 1]]) {
      if (item) void this.context(item.id);
    }
  }

  /** Fetches a comment's context once (again when `fresh`); a failure is kept in `contextErrors`. */
  async context(id: number, fresh = false): Promise<void> {
    if (!fresh && (this.contexts.has(id) || this.contextErrors.has(id))) return;
    try {
      const context = await api.comment(id);
      this.contexts.set(id, context);
      this.contextErrors.delete(id);
    } catch (error) {
      this.contextErrors.set(id, error instanceof Error ? error.message : String(error));
    }
  }
}
