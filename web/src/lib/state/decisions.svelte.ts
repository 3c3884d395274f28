import { STATUS_AFTER } from '../../../../server/wire.ts';
import { api, ApiError, type Action, type Comment, type Decision, type Stale, type Status } from '../api.ts';
import type { KeyMap } from '../keys.ts';
import { session } from './session.svelte.ts';
import { stats } from './stats.svelte.ts';
import { showError, toasts } from './toasts.svelte.ts';

/** What a decision or undo changed, so every list on screen can follow. */
export interface StatusChange {
  id: number;
  status: Status;
  /** The comment as the server has it now, when known (an undo, a refused decision). */
  comment?: Comment;
  /** An undo brought it back: a list it belongs in takes it back at the cursor. */
  undone?: boolean;
}

/** A comment as the moderator saw it: a decision names the version (`expectedVersion`), so a change since is a 409, never overwritten. */
export interface Seen {
  id: number;
  version: number;
}

export interface DecideResult {
  decisions: Decision[];
  /** The comments as decided (one decision), or null (bulk). */
  comments: Comment[] | null;
  /** Bulk: comments that changed since they were seen, left undecided, with their state now. */
  changed: Stale[];
}

/** "mod1 hid it" or "it was edited on the site": what changed a comment, for the screen. */
export function describeChange(change: Stale['change']): string {
  return change.by ? `${change.by} ${change.what}` : `it was ${change.what}`;
}

/**
 * Decisions and their undo. Decisions are sent at once and not awaited by
 * the screens: the next comment comes up immediately and a failure rolls the
 * view back. Undo is kept on the server (`GET /api/decisions/undoable`), so
 * `u` works after a reload and from another tab.
 */
class DecisionsState {
  #listeners = new Set<(changes: StatusChange[]) => void>();
  /** The decision ids of this tab's bulk decisions, so `u` undoes a bulk decision whole. */
  #groups: number[][] = [];
  /** Decisions not answered yet: `u` waits for them, so it undoes the newest. */
  #inflight = new Set<Promise<unknown>>();
  #undoing = false;

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
   * Sends one decision (or a bulk one for several comments), each with the
   * version the moderator saw. Resolves to the server's answer; rejects on a
   * refusal (a 409 carries `current`), and the caller rolls back. Never retried.
   */
  decide(seen: Seen[], action: Action, note: string | undefined): Promise<DecideResult> {
    const trimmed = note?.trim() || undefined;
    const sent: Promise<DecideResult> =
      seen.length === 1
        ? api.decide(seen[0].id, action, trimmed, seen[0].version).then((r) => ({ decisions: [r.decision], comments: [r.comment], changed: [] }))
        : api
            .decideMany(
              seen.map((s) => s.id),
              action,
              trimmed,
              seen.map((s) => s.version),
            )
            .then((r) => ({ decisions: r.decisions, comments: null, changed: r.changed }));
    this.#inflight.add(sent);
    void sent.then(
      (r) => {
        this.#inflight.delete(sent);
        if (r.decisions.length > 1) this.#groups.push(r.decisions.map((d) => d.id));
        if (r.changed.length > 0) this.announce(r.changed.map(({ comment }) => ({ id: comment.id, status: comment.status, comment })));
        stats.soon();
      },
      () => this.#inflight.delete(sent),
    );
    this.announce(seen.map(({ id }) => ({ id, status: STATUS_AFTER[action] })));
    return sent;
  }

  /** A new sign-in starts a new session: forget the previous user's bulk groups. */
  clear(): void {
    this.#groups = [];
  }

  /**
   * Undoes the user's newest decision that the server still lets them undo
   * (every comment of a bulk decision made in this tab). A refusal (someone
   * decided the comment since: 409) shows its message and the comment's state now.
   */
  async undo(): Promise<Comment[] | null> {
    if (this.#undoing) return null;
    this.#undoing = true;
    try {
      await Promise.allSettled([...this.#inflight]);
      let undoable: Decision[];
      try {
        undoable = (await api.undoable()).decisions;
      } catch (error) {
        showError(error, 'Could not undo');
        return null;
      }
      const newest = undoable[0];
      if (!newest) {
        toasts.push('info', 'Nothing to undo: no decision of yours can still be undone');
        return null;
      }
      const group = this.#groups.find((g) => g.includes(newest.id));
      if (group) this.#groups = this.#groups.filter((g) => g !== group);
      const targets = group ? undoable.filter((d) => group.includes(d.id)) : [newest];
      const restored: Comment[] = [];
      for (const decision of targets) {
        try {
          restored.push((await api.undo(decision.id)).comment);
        } catch (error) {
          const current = error instanceof ApiError ? error.current : null;
          if (current) this.announce([{ id: current.comment.id, status: current.comment.status, comment: current.comment }]);
          showError(error, `Could not undo the ${decision.action} of comment ${decision.commentId}`);
        }
      }
      if (restored.length > 0) {
        stats.soon();
        // Oldest decision first, so a bulk decision comes back in its order.
        this.announce([...restored].reverse().map((c) => ({ id: c.id, status: c.status, comment: c, undone: true })));
        toasts.push('info', `Undid ${newest.action} of ${restored.length} comment${restored.length === 1 ? '' : 's'}`);
      }
      return restored;
    } finally {
      this.#undoing = false;
    }
  }
}

export const decisions = new DecisionsState();

/**
 * Decides one comment shown outside the queue (thread or comment view):
 * its badge changes at once; a refusal shows the comment's true state.
 */
export function decideInPlace(comment: Comment, action: Action, note?: string, after?: () => void): void {
  const before = comment.status;
  comment.status = STATUS_AFTER[action];
  decisions
    .decide([{ id: comment.id, version: comment.version }], action, note)
    .then((r) => {
      const now = r.comments?.[0];
      if (now) comment.version = now.version;
      after?.();
    })
    .catch((error) => {
      const current = error instanceof ApiError ? error.current : null;
      if (current) {
        comment.status = current.comment.status;
        comment.version = current.comment.version;
        decisions.announce([{ id: comment.id, status: current.comment.status, comment: current.comment }]);
        showError(error, `Could not ${action} comment ${comment.id}`);
        after?.();
        return;
      }
      comment.status = before;
      decisions.announce([{ id: comment.id, status: before }]);
      showError(error, `Could not ${action} comment ${comment.id}`);
      // A refusal (a role, a comment already decided or gone): show the comment as the server has it now.
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
        api.comment(comment.id).then(
          ({ comment: now }) => {
            comment.status = now.status;
            comment.version = now.version;
            decisions.announce([{ id: comment.id, status: now.status, comment: now }]);
          },
          () => {},
        );
      }
    });
}

/** What one comment outside the queue may be turned into: not its own status, and escalations only by leads. */
export function actionsFor(comment: Comment): Action[] {
  if (comment.status === 'escalated' && !session.can('lead')) return [];
  return (['approve', 'hide', 'escalate'] as Action[]).filter((a) => STATUS_AFTER[a] !== comment.status);
}

/** The keys every deciding screen shares: a / h / e decide, u undoes your newest decision that can still be undone. */
export function decisionKeys(decide: (action: Action) => void, afterUndo?: () => void): KeyMap {
  return {
    a: () => decide('approve'),
    h: () => decide('hide'),
    e: () => decide('escalate'),
    u: () => void decisions.undo().then(() => afterUndo?.()),
  };
}
