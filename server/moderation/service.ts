import type { Role } from '../auth/roles.ts';
import type { User } from '../auth/store.ts';
import { hasRole } from '../auth/service.ts';
import type { Db } from '../db/open.ts';
import type { EventStore } from '../events/store.ts';
import type { Flagging } from '../flagging/service.ts';
import { Conflict, Forbidden, NotFound, ValidationError } from '../errors.ts';
import { inReviewQueue } from '../flagging/rules.ts';
import { LABELS, type Label, type LabelScores } from '../scoring/labels.ts';
import type { ScoringCounts } from '../scoring/store.ts';
import type { ThresholdStore } from '../thresholds/store.ts';
import type { Comment, Decision, QueueItem, ThreadSummary, ThreadWithComments } from '../wire.ts';
import { STATUS_AFTER, type DecisionAction, type QueueSort, type Status } from './statuses.ts';
import { queueSortKey, toDecision, toThreadSummary, type CommentRow, type DecisionRow, type ModerationStore } from './store.ts';

/** How many siblings on each side of a comment its context shows. */
export const CONTEXT_SIBLINGS = 50;
/** How many direct replies its context shows. */
export const CONTEXT_REPLIES = 200;
/** How many ancestors its context shows, nearest first; the rest are counted (`ancestorsOmitted`). */
export const CONTEXT_ANCESTORS = 50;

/**
 * The decision rules of docs/api.md as a pure function: returns the role the
 * change needs, or throws Conflict when it would not change anything.
 * `leadRuling`: a lead's ruling on an escalation stands (leadRulingStands).
 */
export function roleNeeded(statusBefore: Status, action: DecisionAction, leadRuling = false): Role {
  if (STATUS_AFTER[action] === statusBefore) {
    throw new Conflict(`comment is already ${statusBefore}`, { status: statusBefore });
  }
  // Escalations exist so someone senior looks: only they resolve them, and only they change what they resolved.
  return statusBefore === 'escalated' || leadRuling ? 'lead' : 'moderator';
}

/**
 * Whether a lead's ruling on an escalation stands on a comment: one of its
 * standing decisions (not an undo, not undone) resolved an escalation (status
 * before `escalated`), which only a lead or admin can do. While one stands,
 * only leads and admins change the comment, so no moderator reverses the
 * ruling, nor a lead's later decision on the comment. Undoing the ruling
 * (its author, or a lead) ends it.
 */
export function leadRulingStands(history: readonly Pick<Decision, 'action' | 'statusBefore' | 'undoneById'>[]): boolean {
  return history.some((d) => d.action !== 'undo' && d.undoneById === null && d.statusBefore === 'escalated');
}

/**
 * A decision as `viewer` may see it (docs/api.md): leads and admins read every
 * note; a moderator reads their own, and gets another's as null with
 * `noteHidden: true` (notes are for leads, as in the decision log).
 */
export function decisionFor(viewer: User, row: DecisionRow): Decision {
  const decision = toDecision(row);
  if (decision.note === null || row.moderator_id === viewer.id || hasRole(viewer, 'lead')) return decision;
  return { ...decision, note: null, noteHidden: true };
}

export interface QueueQuery {
  sort?: QueueSort;
  status?: Status;
  label?: Label;
  thread?: number;
  minScore?: number;
  maxScore?: number;
  reported?: boolean;
  cursor?: string;
  limit?: number;
}

interface Cursor {
  /** The list it belongs to: a queue sort, the threads, or the all-comments list and search (`comments`). */
  s: QueueSort | 'threads' | 'comments';
  k: number | null;
  i: number;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.s, c.k, c.i])).toString('base64url');
}

export function decodeCursor(text: string, expected: Cursor['s']): Cursor {
  try {
    const [s, k, i] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (s === expected && (k === null || typeof k === 'number') && Number.isInteger(i)) return { s: expected, k, i: i as number };
  } catch {
    // Falls through to the error below: any garbage is the same mistake.
  }
  throw new ValidationError(`querystring/cursor is not a cursor of this list (sort ${expected}); start again without it`, {
    field: 'cursor',
  });
}

export interface ModerationDeps {
  db: Db;
  store: ModerationStore;
  /** Scoring progress of a model; may be cached briefly (counting a million jobs is slow). */
  scoringCounts: (model: string) => ScoringCounts;
  /** The thresholds in force, whose version each decision records. */
  thresholds: Pick<ThresholdStore, 'current'>;
  now: () => number;
  /** `<model id>@<version>` of the scores in force; null when nothing scores in this process. */
  model: () => string | null;
  /** Told of each decision in its transaction: it settles an edit after approval. */
  flagging: Pick<Flagging, 'decided'>;
  /** The outbox: `comment.decided` goes out with each decision. */
  events: Pick<EventStore, 'append'>;
}

export function createModerationService(deps: ModerationDeps) {
  const { db, store, thresholds, now } = deps;

  /** Turns comment rows into API comments: the one place this happens. */
  function hydrate(rows: CommentRow[]): Comment[] {
    return rows.map((row) => {
      const score = row.score_json ? (JSON.parse(row.score_json) as [string, ...(number | null)[]]) : null;
      const flags = JSON.parse(row.flags_json) as [Label, number, number, number][];
      return {
        id: row.id,
        threadId: row.thread_id,
        parentId: row.parent_id,
        externalId: row.external_id,
        author: row.author,
        body: row.body,
        bodyTruncated: row.body_truncated,
        bodyBytes: row.body_bytes,
        postedAt: row.posted_at,
        importedAt: row.imported_at,
        status: row.status,
        flagged: row.flagged === 1,
        scores: score ? (Object.fromEntries(LABELS.map((l, i) => [l, score[i + 1]])) as LabelScores) : null,
        model: score?.[0] ?? null,
        flags: flags.map(([label, s, threshold, thresholdVersion]) => ({ label, score: s, threshold, thresholdVersion })),
        depth: row.depth,
        replyCount: row.reply_count,
        reportCount: row.report_count,
        deletedOnSite: row.deleted_at !== null,
        editedAfterApproval: row.edited_after_approval === 1,
        sourceStatus: row.source_status,
      };
    });
  }

  function commentOrThrow(id: number): CommentRow {
    const row = store.getComment(id);
    if (!row) throw new NotFound('comment', id);
    return row;
  }

  function summaries(threadIds: number[]): Map<number, ThreadSummary> {
    const counts = store.threadCounts(threadIds);
    const map = new Map<number, ThreadSummary>();
    for (const id of threadIds) {
      const row = store.getThread(id);
      if (row) map.set(id, toThreadSummary(row, counts.get(id)));
    }
    return map;
  }

  /**
   * Appends `comment.decided` in the decision's transaction. It names the
   * moderator; what leaves Triage (webhooks, the decisions feed) keeps only
   * their role unless the site's endpoint opts in (server/integrations/).
   */
  function recordDecided(row: CommentRow, d: { id: number; action: DecisionAction | 'undo'; statusBefore: Status; statusAfter: Status; undoes: number | null; at: number }, user: User): void {
    const score = row.score_json ? (JSON.parse(row.score_json) as [string, ...(number | null)[]]) : null;
    const flags = JSON.parse(row.flags_json) as [Label, number, number, number][];
    deps.events.append({
      type: 'comment.decided',
      commentId: row.id,
      now: d.at,
      payload: {
        decision: { id: d.id, action: d.action, status: d.statusAfter, statusBefore: d.statusBefore, undoes: d.undoes },
        moderator: { role: user.role, username: user.username },
        labels: flags.map(([label]) => label),
        scores: score ? Object.fromEntries(LABELS.map((l, i) => [l, score[i + 1]])) : null,
        model: score?.[0] ?? null,
        decidedAt: new Date(d.at).toISOString(),
      },
    });
    deps.flagging.decided(row.id);
  }

  function decisionOrThrow(id: number): Decision {
    const row = store.getDecision(id);
    if (!row) throw new NotFound('decision', id);
    return toDecision(row);
  }

  /** Writes one decision; call inside a transaction. */
  function applyDecision(commentId: number, action: DecisionAction, note: string | null, user: User): number {
    const row = commentOrThrow(commentId);
    const leadRuling = leadRulingStands(store.listDecisions(commentId).map(toDecision));
    const needed = roleNeeded(row.status, action, leadRuling);
    if (!hasRole(user, needed)) {
      throw new Forbidden(
        needed === 'moderator'
          ? needed
          : row.status === 'escalated'
            ? 'lead or admin (to resolve an escalated comment)'
            : 'lead or admin (to change a lead\u2019s ruling on an escalated comment)',
      );
    }
    const statusAfter = STATUS_AFTER[action];
    const t = now();
    const id = store.insertDecision({
      commentId,
      moderatorId: user.id,
      action,
      statusBefore: row.status,
      statusAfter,
      note,
      undoesId: null,
      thresholdVersion: thresholds.current().id,
      model: row.score_json ? (JSON.parse(row.score_json) as [string])[0] : null,
      now: t,
    });
    store.updateStatus(commentId, statusAfter);
    recordDecided(row, { id, action, statusBefore: row.status, statusAfter, undoes: null, at: t }, user);
    return id;
  }

  const decideOne = db.transaction((commentId: number, action: DecisionAction, note: string | null, user: User) =>
    applyDecision(commentId, action, note, user),
  );

  const decideMany = db.transaction((commentIds: number[], action: DecisionAction, note: string | null, user: User) =>
    commentIds.map((id) => {
      try {
        return applyDecision(id, action, note, user);
      } catch (err) {
        // Name the comment that stopped the batch; the transaction rolls back all of it.
        if (err instanceof Conflict) throw new Conflict(`comment ${id}: ${err.message}`, { commentId: id });
        throw err;
      }
    }),
  );

  const undoOne = db.transaction((decisionId: number, user: User): number => {
    const target = store.getDecision(decisionId);
    if (!target) throw new NotFound('decision', decisionId);
    if (target.action === 'undo') throw new Conflict('an undo cannot be undone; decide again instead');
    if (target.undone_by_id !== null) throw new Conflict(`decision ${decisionId} is already undone`);
    if (store.latestDecisionId(target.comment_id) !== target.id) {
      throw new Conflict(`decision ${decisionId} is not the latest decision of comment ${target.comment_id}`);
    }
    if (target.moderator_id !== user.id && !hasRole(user, 'lead')) throw new Forbidden('lead or admin (to undo another moderator\u2019s decision)');
    const row = commentOrThrow(target.comment_id);
    const t = now();
    const id = store.insertDecision({
      commentId: target.comment_id,
      moderatorId: user.id,
      action: 'undo',
      statusBefore: row.status,
      statusAfter: target.status_before,
      note: null,
      undoesId: target.id,
      thresholdVersion: thresholds.current().id,
      model: target.model,
      now: t,
    });
    store.updateStatus(target.comment_id, target.status_before);
    recordDecided(row, { id, action: 'undo', statusBefore: row.status, statusAfter: target.status_before, undoes: target.id, at: t }, user);
    return id;
  });

  return {
    hydrate,

    queue(q: QueueQuery): { items: QueueItem[]; nextCursor: string | null } {
      const sort = q.sort ?? 'score';
      const limit = q.limit ?? 50;
      if (q.minScore !== undefined && q.maxScore !== undefined && q.minScore > q.maxScore) {
        throw new ValidationError('querystring/minScore must not be above maxScore', { field: 'minScore' });
      }
      const cursor = q.cursor ? decodeCursor(q.cursor, sort) : undefined;
      const rows = store.queuePage({
        status: q.status ?? 'pending',
        sort,
        label: q.label,
        thread: q.thread,
        minScore: q.minScore,
        maxScore: q.maxScore,
        reported: q.reported,
        limit: limit + 1,
        after: cursor && { key: cursor.k, id: cursor.i },
      });
      const more = rows.length > limit;
      const page = more ? rows.slice(0, limit) : rows;
      const comments = hydrate(page);
      const last = page.at(-1);
      const nextCursor =
        more && last
          ? encodeCursor({
              s: sort,
              k: queueSortKey(sort, last),
              i: sort === 'thread' ? last.position : last.id,
            })
          : null;
      return { items: comments.map((c, i) => ({ ...c, threadTitle: page[i].thread_title })), nextCursor };
    },

    listThreads(q: { cursor?: string; limit?: number }): { items: ThreadSummary[]; nextCursor: string | null } {
      const limit = q.limit ?? 50;
      const after = q.cursor ? decodeCursor(q.cursor, 'threads').i : null;
      const rows = store.listThreads(after, limit + 1);
      const page = rows.slice(0, limit);
      const counts = store.threadCounts(page.map((r) => r.id));
      return {
        items: page.map((r) => toThreadSummary(r, counts.get(r.id))),
        nextCursor: rows.length > limit ? encodeCursor({ s: 'threads', k: null, i: page.at(-1)!.id }) : null,
      };
    },

    /** A thread with all its comments in display order: each comment followed by its replies (pre-order). */
    getThread(id: number): ThreadWithComments {
      const row = store.getThread(id);
      if (!row) throw new NotFound('thread', id);
      const rows = store.listThreadComments(id);
      const children = new Map<number | null, CommentRow[]>();
      for (const r of rows) {
        const list = children.get(r.parent_id);
        if (list) list.push(r);
        else children.set(r.parent_id, [r]);
      }
      const ordered: CommentRow[] = [];
      const stack = [...(children.get(null) ?? [])].reverse();
      while (stack.length > 0) {
        const r = stack.pop()!;
        ordered.push(r);
        const kids = children.get(r.id);
        if (kids) for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
      }
      const counts = store.threadCounts([id]);
      return { thread: { ...toThreadSummary(row, counts.get(id)), body: row.body }, comments: hydrate(ordered) };
    },

    /**
     * A comment in context: its thread, its nearest ancestors (root side first), nearby siblings,
     * replies and decision history. The comment carries its whole body; the others an excerpt.
     */
    getContext(id: number, viewer: User) {
      const row = store.getWholeComment(id);
      if (!row) throw new NotFound('comment', id);
      const thread = summaries([row.thread_id]).get(row.thread_id)!;
      const ancestors = store.listAncestors(id, CONTEXT_ANCESTORS);
      const siblings = store.listSiblings(row, CONTEXT_SIBLINGS);
      const replies = store.listReplies(id, CONTEXT_REPLIES);
      const all = hydrate([row, ...ancestors, ...siblings, ...replies]);
      let at = 1;
      const take = (n: number) => all.slice(at, (at += n));
      return {
        comment: all[0],
        thread,
        ancestors: take(ancestors.length),
        // depth counts every ancestor (fixed at import), so the rest need no walk up the chain.
        ancestorsOmitted: Math.max(0, row.depth - ancestors.length),
        siblings: take(siblings.length),
        replies: take(replies.length),
        history: store.listDecisions(id).map((d) => decisionFor(viewer, d)),
        reports: store.listReportReasons(id),
      };
    },

    decide(commentId: number, input: { action: DecisionAction; note?: string | null }, user: User): { decision: Decision; comment: Comment } {
      const id = decideOne(commentId, input.action, input.note?.trim() || null, user);
      return { decision: decisionOrThrow(id), comment: hydrate([commentOrThrow(commentId)])[0] };
    },

    /** All or nothing: one comment that cannot take the action stops the whole batch. */
    decideBulk(input: { commentIds: number[]; action: DecisionAction; note?: string | null }, user: User): { decisions: Decision[] } {
      const unique = [...new Set(input.commentIds)];
      if (unique.length !== input.commentIds.length) {
        throw new ValidationError('body/commentIds must not repeat a comment', { field: 'commentIds' });
      }
      const ids = decideMany(unique, input.action, input.note?.trim() || null, user);
      return { decisions: ids.map(decisionOrThrow) };
    },

    undo(decisionId: number, user: User): { decision: Decision; comment: Comment } {
      const id = undoOne(decisionId, user);
      const decision = decisionOrThrow(id);
      return { decision, comment: hydrate([commentOrThrow(decision.commentId)])[0] };
    },

    stats(): {
      comments: Record<'total' | 'flagged' | 'queue' | Status, number>;
      threads: number;
      scoring: ScoringCounts & { model: string | null };
    } {
      const comments = { total: 0, flagged: 0, queue: 0, pending: 0, approved: 0, hidden: 0, escalated: 0 };
      for (const { status, flagged, n } of store.statusCounts()) {
        comments.total += n;
        comments[status] += n;
        if (flagged) comments.flagged += n;
        if (inReviewQueue({ status, flagged: flagged === 1 })) comments.queue += n;
      }
      const model = deps.model();
      const counts = model ? deps.scoringCounts(model) : { total: 0, pending: 0, done: 0, failed: 0 };
      return { comments, threads: store.countThreads(), scoring: { model, ...counts } };
    },
  };
}

export type ModerationService = ReturnType<typeof createModerationService>;
