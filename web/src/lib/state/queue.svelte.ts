import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import { api, ApiError, type Action, type Comment, type QueueFilters, type QueueItem, type Stale, type Status } from '../api.ts';
import { ClaimHolder } from './claims.svelte.ts';
import { CommentList, LOOKAHEAD, type CommentListPage } from './comment-list.svelte.ts';
import { decisions, describeChange, type StatusChange } from './decisions.svelte.ts';
import { live, type LiveEventName, type LiveEvents } from './live.svelte.ts';
import { session } from './session.svelte.ts';
import { showError, toasts } from './toasts.svelte.ts';

/** Lists carry at most this many characters of a comment's text (docs/api.md). */
const EXCERPT = 2000;

interface Removed {
  item: QueueItem;
  index: number;
}

/** What happened to a listed comment elsewhere. `gone`: it no longer belongs in this list; it leaves at the next move. */
export interface ItemNote {
  text: string;
  gone: boolean;
}

/** Past tense of each action, for "mod1 hid it". */
const DID: Record<Action | 'undo', string> = { approve: 'approved', hide: 'hid', escalate: 'escalated', undo: 'undid a decision on' };

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function clock(at: number | null): string {
  return at === null ? '' : ` at ${new Date(at).toLocaleTimeString()}`;
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
export class QueueState extends CommentList<QueueFilters> {
  filters = $state<QueueFilters>({ sort: 'score', status: 'pending', label: '', thread: null, minScore: null, maxScore: null, reported: false });
  /** Ids marked with x for a bulk decision. */
  selected = new SvelteSet<number>();
  /** Something changed elsewhere (another screen decided or undid): reload when shown. */
  stale = false;
  /** Listed comments someone changed meanwhile, by id: greyed with what happened while `gone`. */
  notes = new SvelteMap<number, ItemNote>();
  /** Comments that entered this list since it loaded: the "N new" banner; loading the list shows them. */
  incoming = new SvelteSet<number>();
  /** The claim on the comment open in this list. */
  readonly claims = new ClaimHolder(
    (id, claim) => {
      const item = this.#find(id);
      if (item) item.claim = claim;
    },
    (id, error) => {
      if (error instanceof ApiError && error.status === 409) toasts.push('info', error.message);
      void this.#refresh(id);
    },
  );

  constructor(status: Status) {
    super();
    this.filters.status = status;
    decisions.subscribe((changes) => this.#follow(changes));
    live.subscribe((name, data) => this.#onEvent(name, data));
  }

  /** Another moderator reviews it now (a live claim not ours). */
  claimedByOther(item: QueueItem): boolean {
    return item.claim !== null && item.claim.moderatorId !== session.user?.id && item.claim.expiresAt > live.now;
  }

  /** The comments that came in since the list loaded and are not shown yet. */
  get newCount(): number {
    return this.incoming.size;
  }

  protected fetchPage(filters: QueueFilters, cursor: string | null, limit: number): Promise<CommentListPage> {
    return api.queue(filters, cursor, limit);
  }

  /** A load keeps the selected comment if it is still there. */
  protected startLoad(): (page: CommentListPage) => void {
    const keep = this.current?.id;
    this.stale = false;
    return (page) => {
      this.selected.clear();
      this.notes.clear();
      this.incoming.clear();
      if (this.filters.status === 'pending') {
        live.thresholds = null;
        live.model = null;
      }
      const at = keep === undefined ? -1 : page.items.findIndex((c) => c.id === keep);
      // A fresh list opens at the first comment nobody else is reviewing.
      this.index = at >= 0 ? at : Math.max(0, page.items.findIndex((c) => !this.claimedByOther(c)));
    };
  }

  protected loadedMore(page: CommentListPage): void {
    for (const c of page.items) this.incoming.delete(c.id);
  }

  setFilters(change: Partial<QueueFilters>): void {
    Object.assign(this.filters, change);
    this.index = 0;
    void this.load();
  }

  /** Selects an item; comments decided elsewhere leave the list now (never while the cursor stays put). */
  select(index: number): void {
    if (this.items.length === 0) return;
    const target = this.items[Math.min(Math.max(index, 0), this.items.length - 1)];
    this.#dropGone(target.id);
    this.index = Math.max(0, this.items.indexOf(target));
    if (this.index >= this.items.length - LOOKAHEAD) void this.loadMore();
    this.prefetch();
  }

  /** j / k: the next comment nobody else is reviewing; stays put when there is none that way. */
  move(delta: number): void {
    for (let i = this.index + delta; i >= 0 && i < this.items.length; i += delta) {
      const item = this.items[i];
      if (!this.notes.get(item.id)?.gone && !this.claimedByOther(item)) return this.select(i);
    }
    if (delta > 0 && this.nextCursor) void this.loadMore();
    const here = this.current;
    if (!here) return;
    if (!this.notes.get(here.id)?.gone) return this.select(this.index);
    // Nowhere to go but the comment here was decided elsewhere: it leaves, and the nearest one comes up.
    this.#dropGone(-1);
    if (this.items.length > 0) this.select(this.index);
  }

  /** A lead or admin takes the comment from whoever reviews it. */
  async takeOver(id: number): Promise<void> {
    try {
      await this.claims.takeOver(id);
    } catch (error) {
      showError(error, `Could not take over comment ${id}`);
    }
  }

  toggleSelected(id: number): void {
    if (this.selected.has(id)) this.selected.delete(id);
    else this.selected.add(id);
  }

  /**
   * Decides the bulk selection, or the selected comment when none is marked,
   * each as the moderator saw it (its version). The comments leave the list at
   * once. A comment that changed since comes back with its state now and what
   * changed it; any other refusal puts it back as the server has it.
   */
  decide(action: Action, note?: string): void {
    const chosen = this.selected.size > 0 ? this.items.filter((c) => this.selected.has(c.id)) : this.current ? [this.current] : [];
    const gone = chosen.filter((c) => this.notes.get(c.id)?.gone);
    if (gone.length > 0 && gone.length === chosen.length) {
      toasts.push('info', `Comment ${gone[0].id} was already decided: ${this.notes.get(gone[0].id)?.text ?? ''}`);
      return;
    }
    const open = chosen.filter((c) => !gone.includes(c));
    const ids = open.map((c) => c.id);
    const removed: Removed[] = [];
    this.items.forEach((item, index) => {
      if (ids.includes(item.id)) removed.push({ item: $state.snapshot(item) as QueueItem, index });
    });
    this.#remove(ids);
    this.selected.clear();
    // The next comment to come up is one nobody else is reviewing.
    if (this.current && this.claimedByOther(this.current)) this.move(1);
    decisions
      .decide(
        open.map((c) => ({ id: c.id, version: c.version })),
        action,
        note,
      )
      .then(({ decisions: done, changed }) => {
        for (const id of ids) this.contexts.delete(id);
        if (changed.length === 0) return;
        this.#putBack(removed, changed);
        const what = changed.map((c) => `comment ${c.comment.id}: ${describeChange(c.change)}`).join('; ');
        toasts.push('error', `${capitalized(DID[action])} ${done.length} of ${ids.length}; ${changed.length} had changed since you saw them and were left alone (${what})`, 12_000);
      })
      .catch((error) => {
        const doing = ids.length === 1 ? `Could not ${action} comment ${ids[0]}` : `Could not ${action} ${ids.length} comments`;
        showError(error, doing);
        if (error instanceof ApiError && error.current) return this.#putBack(removed, [error.current]);
        this.#restore(removed);
        // A refusal (a role, a comment gone or already decided): show each comment as the server has it now.
        if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
          for (const r of removed) void this.#refresh(r.item.id);
        }
      });
  }

  /** Comments that changed since they were seen: back in the list with their state now and what changed them. */
  #putBack(removed: Removed[], changed: Stale[]): void {
    const back = removed.filter((r) => changed.some((c) => c.comment.id === r.item.id));
    for (const c of changed) this.#note(c.comment.id, c.comment.status, `${describeChange(c.change)}${clock(c.change.at)}`);
    this.#restore(back.map((r) => ({ ...r, item: { ...r.item, ...changed.find((c) => c.comment.id === r.item.id)!.comment } })));
  }

  #note(id: number, status: Status, text: string): void {
    const gone = status !== this.filters.status;
    this.notes.set(id, { text: gone ? text : `${text}: look again before deciding`, gone });
    if (gone) this.selected.delete(id);
  }

  /** Fetches a listed comment as the server has it now: its new state in place, or out of the list when it no longer exists. */
  async #refresh(id: number): Promise<void> {
    try {
      const context = await api.comment(id);
      this.contexts.set(id, context);
      this.contextErrors.delete(id);
      const item = this.#find(id);
      if (!item) return;
      const before = item.status;
      this.#merge(item, context.comment);
      if (context.comment.status !== this.filters.status) {
        // Keep what the event or the refusal already said; otherwise the last decision says who.
        const last = context.history.at(-1);
        if (before !== context.comment.status || !this.notes.get(id)?.gone) {
          this.#note(id, context.comment.status, last ? `${last.moderator} ${DID[last.action]} it` : `it is ${context.comment.status} now`);
        }
      } else if (this.notes.get(id)?.gone) {
        this.notes.delete(id);
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.#remove([id]);
    }
  }

  /** Takes the server's fields into a listed item, keeping what only lists carry (the thread's title). */
  #merge(item: QueueItem, comment: Comment): void {
    const excerpt = { body: item.body, bodyTruncated: item.bodyTruncated, bodyBytes: item.bodyBytes };
    Object.assign(item, comment);
    // A context's comment is whole; the list keeps its excerpt of a long one (the pane shows it all).
    if (comment.body.length > EXCERPT) Object.assign(item, excerpt);
  }

  #find(id: number): QueueItem | undefined {
    return this.items.find((c) => c.id === id);
  }

  /** Comments decided elsewhere leave (but `keep`, the one being moved to). */
  #dropGone(keep: number): void {
    const leaving = this.items.filter((c) => c.id !== keep && this.notes.get(c.id)?.gone).map((c) => c.id);
    if (leaving.length === 0) return;
    this.#remove(leaving);
    for (const id of leaving) this.notes.delete(id);
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
      items.splice(Math.min(r.index, items.length), 0, r.item);
      this.incoming.delete(r.item.id);
    }
    this.items = items;
    this.index = items.findIndex((c) => c.id === back[0].item.id);
    this.prefetch();
  }

  /**
   * A decision or undo made on another screen of this tab. What leaves this
   * list goes at once (this moderator did it); an undo brings its comment back
   * at the cursor; a refused decision's comment takes its state now.
   */
  #follow(changes: StatusChange[]): void {
    const leaving = changes.filter((c) => !c.comment && c.status !== this.filters.status && this.#find(c.id)).map((c) => c.id);
    if (leaving.length > 0) this.#remove(leaving);
    const back: Comment[] = [];
    for (const change of changes) {
      this.contexts.delete(change.id);
      const item = this.#find(change.id);
      if (item && change.comment) {
        this.#merge(item, change.comment);
        if (change.status !== this.filters.status) this.#note(change.id, change.status, `it is ${change.status} now`);
        else this.notes.delete(change.id);
      } else if (!item && change.status === this.filters.status) {
        if (change.undone && change.comment && this.loaded) back.push(change.comment);
        else if (!change.comment) this.stale = true;
      }
    }
    if (back.length > 0) this.#insertAtCursor(back);
  }

  /** Undone comments come back where the moderator is looking, the first one selected. */
  #insertAtCursor(comments: Comment[]): void {
    const items = [...this.items];
    const at = Math.min(this.index, items.length);
    items.splice(at, 0, ...comments.map((c) => ({ threadTitle: '', ...c })));
    this.items = items;
    for (const c of comments) {
      this.incoming.delete(c.id);
      this.notes.delete(c.id);
    }
    this.index = at;
    this.prefetch();
    for (const c of comments) void this.#refreshTitle(c.id);
  }

  /** An item put back from a decision answer lacks its thread's title: the context has it. */
  async #refreshTitle(id: number): Promise<void> {
    await this.context(id, true);
    const item = this.#find(id);
    const context = this.contexts.get(id);
    if (item && context) item.threadTitle = context.thread.title;
  }

  /** What the team does, as the event stream tells it: the list changes in place, never under the cursor. */
  #onEvent(name: LiveEventName, data: LiveEvents[LiveEventName]): void {
    if (!this.loaded) return;
    if (name === 'reset') return void this.load();
    if (!('comment' in data)) return;
    const id = data.comment.triageId;
    const item = this.#find(id);
    switch (name) {
      case 'comment.decided': {
        const { decision, moderator } = data as LiveEvents['comment.decided'];
        if (item) {
          this.contexts.delete(id);
          if (decision.status !== this.filters.status) {
            item.status = decision.status;
            this.#note(id, decision.status, `${moderator.username} ${DID[decision.action]} it`);
          } else {
            this.notes.delete(id);
          }
          void this.#refresh(id);
        } else if (decision.status === this.filters.status && decision.statusBefore !== decision.status) {
          this.incoming.add(id);
        }
        break;
      }
      case 'comment.flagged': {
        const flagged = data as LiveEvents['comment.flagged'];
        if (item) void this.#refresh(id);
        else if (this.filters.status === 'pending' && this.#mayMatch(flagged)) this.incoming.add(id);
        break;
      }
      case 'report.received':
        if (item) void this.#refresh(id);
        break;
      case 'comment.claimed': {
        const { moderator, expiresAt, tookOverFrom } = data as LiveEvents['comment.claimed'];
        if (!item) break;
        item.claim = { moderatorId: moderator.id, username: moderator.username, expiresAt };
        const me = session.user;
        if (me && moderator.id !== me.id && tookOverFrom === me.username) toasts.push('info', `${moderator.username} took over comment ${id}`);
        break;
      }
      case 'comment.released': {
        const { moderator } = data as LiveEvents['comment.released'];
        if (item?.claim?.moderatorId === moderator.id) item.claim = null;
        break;
      }
    }
  }

  /** Whether a newly flagged comment may match this list's filters (the label and score ones the event can tell). */
  #mayMatch(flagged: LiveEvents['comment.flagged']): boolean {
    const { label, minScore, maxScore, reported } = this.filters;
    if (label !== '' && !flagged.labels.includes(label)) return false;
    if (reported && flagged.reportCount === 0) return false;
    const score = flagged.maxScore;
    if (score !== null && ((minScore !== null && score < minScore) || (maxScore !== null && score > maxScore))) return false;
    return true;
  }
}

export const queue = new QueueState('pending');
export const escalations = new QueueState('escalated');
