import { STATUS_AFTER } from '../../../../server/wire.ts';
import { api, type Action, type Comment, type Decision, type Status } from '../api.ts';
import type { KeyMap } from '../keys.ts';
import { session } from './session.svelte.ts';
import { stats } from './stats.svelte.ts';
import { showError, toasts } from './toasts.svelte.ts';

/** What a decision or undo changed, so every list on screen can follow. */
export interface StatusChange {
  id: number;
  status: Status;
}

interface Entry {
  action: Action;
  count: number;
  /** Resolves to the server's decision rows; rejects when the decision failed (already rolled back by its caller). */
  decisions: Promise<Decision[]>;
  /** Puts the caller's view back once the server has undone the decisions. */
  onUndone?: (comments: Comment[]) => void;
}

/**
 * The decisions made in this browser session, newest last, so `u` can undo
 * them in order. Decisions are sent at once and not awaited by the screens:
 * the next comment comes up immediately and a failure rolls the view back.
 */
class DecisionsState {
  #stack: Entry[] = [];
  #listeners = new Set<(changes: StatusChange[]) => void>();
  /** Shown beside the undo key: what `u` would undo. */
  last = $state<{ action: Action; count: number } | null>(null);

  /** Lists (queues) subscribe so a decision made on any screen drops or restores their items. */
  subscribe(listener: (changes: StatusChange[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells every list about status changes (also used to announce a rollback). */
  announce(changes: StatusChange[]): void {
    for (const listener of this.#listeners) listener(changes);
  }

  /**
   * Sends one decision (or a bulk one for several ids: all or nothing).
   * Returns the server's answer; on failure it rejects and the caller rolls back.
   */
  decide(ids: number[], action: Action, note: string | undefined, onUndone?: (comments: Comment[]) => void): Promise<{ decisions: Decision[]; comments: Comment[] | null }> {
    const trimmed = note?.trim() || undefined;
    const sent =
      ids.length === 1
        ? api.decide(ids[0], action, trimmed).then((r) => ({ decisions: [r.decision], comments: [r.comment] }))
        : api.decideMany(ids, action, trimmed).then((r) => ({ decisions: r.decisions, comments: null }));
    const entry: Entry = { action, count: ids.length, decisions: sent.then((r) => r.decisions), onUndone };
    entry.decisions.catch(() => {
      this.#stack = this.#stack.filter((e) => e !== entry);
      this.#updateLast();
    });
    entry.decisions.then(() => stats.soon(), () => {});
    this.#stack.push(entry);
    this.#updateLast();
    this.announce(ids.map((id) => ({ id, status: STATUS_AFTER[action] })));
    return sent;
  }

  /** A new sign-in starts a new session: the previous user's decisions are not theirs to undo. */
  clear(): void {
    this.#stack = [];
    this.last = null;
  }

  /** Undoes the newest decision of this session (every comment of a bulk one). */
  async undo(): Promise<Comment[] | null> {
    const entry = this.#stack.pop();
    this.#updateLast();
    if (!entry) {
      toasts.push('info', 'Nothing to undo in this session');
      return null;
    }
    let decisions: Decision[];
    try {
      decisions = await entry.decisions;
    } catch {
      return null;
    }
    const restored: Comment[] = [];
    try {
      for (const decision of [...decisions].reverse()) restored.push((await api.undo(decision.id)).comment);
    } catch (error) {
      showError(error, 'Could not undo');
    }
    if (restored.length > 0) {
      stats.soon();
      entry.onUndone?.(restored);
      this.announce(restored.map((c) => ({ id: c.id, status: c.status })));
      toasts.push('info', `Undid ${entry.action} of ${restored.length} comment${restored.length === 1 ? '' : 's'}`);
    }
    return restored;
  }

  #updateLast(): void {
    const top = this.#stack.at(-1);
    this.last = top ? { action: top.action, count: top.count } : null;
  }
}

export const decisions = new DecisionsState();

/**
 * Decides one comment shown outside the queue (thread or comment view):
 * its badge changes at once and changes back if the server refuses.
 */
export function decideInPlace(comment: Comment, action: Action, note?: string, after?: () => void): void {
  const before = comment.status;
  comment.status = STATUS_AFTER[action];
  decisions
    .decide([comment.id], action, note, (restored) => {
      const back = restored.find((c) => c.id === comment.id);
      if (back) comment.status = back.status;
      after?.();
    })
    .then(() => after?.())
    .catch((error) => {
      comment.status = before;
      decisions.announce([{ id: comment.id, status: before }]);
      showError(error, `Could not ${action} comment ${comment.id}`);
    });
}

/** What one comment outside the queue may be turned into: not its own status, and escalations only by leads. */
export function actionsFor(comment: Comment): Action[] {
  if (comment.status === 'escalated' && !session.can('lead')) return [];
  return (['approve', 'hide', 'escalate'] as Action[]).filter((a) => STATUS_AFTER[a] !== comment.status);
}

/** The keys every deciding screen shares: a / h / e decide, u undoes this session's last decision. */
export function decisionKeys(decide: (action: Action) => void, afterUndo?: () => void): KeyMap {
  return {
    a: () => decide('approve'),
    h: () => decide('hide'),
    e: () => decide('escalate'),
    u: () => void decisions.undo().then(() => afterUndo?.()),
  };
}
