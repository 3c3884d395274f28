import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import { api, ApiError, type Action, type CommentContext, type QueueFilters, type QueueItem, type Status } from '../api.ts';
import { decisions, type StatusChange } from './decisions.svelte.ts';
import { showError } from './toasts.svelte.ts';

const PAGE = 50;
/** Load the next page this many items before the end, so j never waits. */
const LOOKAHEAD = 8;

interface Removed {
  item: QueueItem;
  index: number;
}

/** The ids of some items, for lookups inside one method: plain, not reactive state. */
function idsOf(items: QueueItem[]): ReadonlySet<number> {
  return new Set(items.map((c) => c.id));
}

/**
 * One list of comments to work through: the review queue (pending) or the
 * escalations. Holds the loaded pages, the selected item, the bulk selection
 * and a cache of each comment's context.
 */
export class QueueState {
  filters = $state<QueueFilters>({ sort: 'score', status: 'pending', label: '', thread: null, minScore: null, maxScore: null, reported: false });
  items = $state<QueueItem[]>([]);
  nextCursor = $state<string | null>(null);
  loading = $state(false);
  loaded = $state(false);
  error = $state<string | null>(null);
  index = $state(0);
  /** Ids marked with x for a bulk decision. */
  selected = new SvelteSet<number>();
  contexts = new SvelteMap<number, CommentContext>();
  contextErrors = new SvelteMap<number, string>();
  /** Something changed elsewhere (another screen decided or undid): reload when shown. */
  stale = false;
  #generation = 0;

  constructor(status: Status) {
    this.filters.status = status;
    decisions.subscribe((changes) => this.#follow(changes));
  }

  get current(): QueueItem | null {
    return this.items[this.index] ?? null;
  }

  /** Loads the first page for the current filters, keeping the selected comment if it is still there. */
  async load(): Promise<void> {
    const generation = ++this.#generation;
    const keep = this.current?.id;
    this.loading = true;
    this.error = null;
    this.stale = false;
    try {
      const page = await api.queue($state.snapshot(this.filters), null, PAGE);
      if (generation !== this.#generation) return;
      this.items = page.items;
      this.nextCursor = page.nextCursor;
      this.selected.clear();
      const at = keep === undefined ? -1 : page.items.findIndex((c) => c.id === keep);
      this.index = Math.max(0, at);
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
      const page = await api.queue($state.snapshot(this.filters), this.nextCursor, PAGE);
      if (generation !== this.#generation) return;
      const seen = idsOf(this.items);
      this.items.push(...page.items.filter((c) => !seen.has(c.id)));
      this.nextCursor = page.nextCursor;
    } catch (error) {
      showError(error, 'Could not load more comments');
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  setFilters(change: Partial<QueueFilters>): void {
    Object.assign(this.filters, change);
    this.index = 0;
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

  toggleSelected(id: number): void {
    if (this.selected.has(id)) this.selected.delete(id);
    else this.selected.add(id);
  }

  /** Fetches the context of the selected comment and the next one, so both show without waiting. */
  prefetch(): void {
    for (const item of [this.items[this.index], this.items[this.index + 1]]) {
      if (item) void this.context(item.id);
    }
  }

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

  /**
   * Decides the bulk selection, or the selected comment when none is marked.
   * The comments leave the list at once; a refusal puts them back where they were.
   */
  decide(action: Action, note?: string): void {
    const ids = this.selected.size > 0 ? this.items.filter((c) => this.selected.has(c.id)).map((c) => c.id) : this.current ? [this.current.id] : [];
    if (ids.length === 0) return;
    const removed: Removed[] = [];
    this.items.forEach((item, index) => {
      if (ids.includes(item.id)) removed.push({ item: $state.snapshot(item) as QueueItem, index });
    });
    this.#remove(ids);
    this.selected.clear();
    decisions
      .decide(ids, action, note, () => this.#restore(removed))
      .then(() => {
        for (const id of ids) this.contexts.delete(id);
      })
      .catch((error) => {
        // A conflict means someone else already moved a comment on. One comment: it does not belong
        // back in this list. A bulk decision stored nothing: fetch the list as the server has it now.
        const conflict = error instanceof ApiError && (error.code === 'CONFLICT' || error.code === 'NOT_FOUND');
        if (!conflict || ids.length > 1) this.#restore(removed);
        if (conflict && ids.length > 1) void this.load();
        showError(error, ids.length === 1 ? `Could not ${action} comment ${ids[0]}` : `Could not ${action} ${ids.length} comments`);
      });
  }

  #remove(ids: number[]): void {
    const before = this.items.slice(0, this.index).filter((c) => ids.includes(c.id)).length;
    this.items = this.items.filter((c) => !ids.includes(c.id));
    this.index = Math.min(Math.max(this.index - before, 0), Math.max(this.items.length - 1, 0));
    for (const id of ids) this.selected.delete(id);
    if (this.items.length - this.index <= LOOKAHEAD) void this.loadMore();
    this.prefetch();
  }

  /** Puts removed items back at their old places and selects the first of them. */
  #restore(removed: Removed[]): void {
    const present = idsOf(this.items);
    const back = removed.filter((r) => !present.has(r.item.id)).sort((a, b) => a.index - b.index);
    if (back.length === 0) return;
    const items = [...this.items];
    for (const r of back) {
      this.contexts.delete(r.item.id);
      items.splice(Math.min(r.index, items.length), 0, { ...r.item, status: this.filters.status });
    }
    this.items = items;
    this.index = items.findIndex((c) => c.id === back[0].item.id);
    this.prefetch();
  }

  /** A decision made elsewhere: drop what no longer belongs here, and reload later for what now does. */
  #follow(changes: StatusChange[]): void {
    const leaving = changes.filter((c) => c.status !== this.filters.status && this.items.some((i) => i.id === c.id)).map((c) => c.id);
    if (leaving.length > 0) this.#remove(leaving);
    for (const change of changes) this.contexts.delete(change.id);
    if (changes.some((c) => c.status === this.filters.status && !this.items.some((i) => i.id === c.id))) this.stale = true;
  }
}

export const queue = new QueueState('pending');
export const escalations = new QueueState('escalated');
