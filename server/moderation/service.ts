import type { Role } from '../auth/roles.ts';
import type { User } from '../auth/store.ts';
import { hasRole } from '../auth/service.ts';
import type { Db } from '../db/open.ts';
import type { EventStore } from '../events/store.ts';
import type { Flagging } from '../flagging/service.ts';
import { Conflict, Forbidden, NotFound, StaleComment, ValidationError } from '../errors.ts';
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
  /** The outbox: `comment.decided` goes out with each decision, claims with each claim. */
  events: Pick<EventStore, 'append'>;
  /** How long opening a comment claims it; the screen renews it while the comment stays open (default 2 minutes). */
  claimMs?: number;
  /** How long a moderator can undo their own decision (default 10 minutes); leads and admins undo any time. */
  undoWindowMs?: number;
}

/** Past tense of each action, for "mod2 hid it". */
const DID: Record<DecisionAction | 'undo', string> = { approve: 'approved', hide: 'hid', escalate: 'escalated', undo: 'undid a decision on' };

export function createModerationService(deps: ModerationDeps) {
  const { db, store, thresholds, now } = deps;
  const claimMs = deps.claimMs ?? 2 * 60_000;
  const undoWindowMs = deps.undoWindowMs ?? 10 * 60_000;

  /** Turns comment rows into API comments: the one place this happens. */
  function hydrate(rows: CommentRow[]): Comment[] {
    const claims = rows.length > 0 ? store.claimsOf([...new Set(rows.map((r) => r.id))], now()) : new Map<number, never>();
    return rows.map((row) => {
      const claim = claims.get(row.id);
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
        version: row.version,
        authorKey: row.author_key,
        claim: claim ? { moderatorId: claim.moderator_id, username: claim.username, expiresAt: claim.expires_at } : null,
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
  function recordDecided(
    row: CommentRow,
    d: { id: number; action: DecisionAction | 'undo'; statusBefore: Status; statusAfter: Status; undoes: number | null; at: number; rule?: string | null },
    user: User,
  ): void {
    const score = row.score_json ? (JSON.parse(row.score_json) as [string, ...(number | null)[]]) : null;
    const flags = JSON.parse(row.flags_json) as [Label, number, number, number][];
    deps.events.append({
      type: 'comment.decided',
      commentId: row.id,
      now: d.at,
      payload: {
        decision: { id: d.id, action: d.action, status: d.statusAfter, statusBefore: d.statusBefore, undoes: d.undoes, ...(d.rule ? { rule: d.rule } : {}) },
        moderator: { role: user.role, username: user.username },
        labels: flags.map(([label]) => label),
        scores: score ? Object.fromEntries(LABELS.map((l, i) => [l, score[i + 1]])) : null,
        model: score?.[0] ?? null,
        decidedAt: new Date(d.at).toISOString(),
      },
    });
    deps.flagging.decided(row.id);
  }

  /** The comment now and what changed it last, for a 409 that shows instead of reversing. */
  function staleInfo(row: CommentRow) {
    const { decision, editedAt } = store.lastChange(row.id);
    const change =
      decision && (editedAt === null || decision.decided_at >= editedAt)
        ? { by: decision.username, what: `${DID[decision.action]} it`, status: row.status, at: decision.decided_at }
        : editedAt !== null
          ? { by: null, what: 'edited on the site', status: row.status, at: editedAt }
          : { by: null, what: 'its flags changed', status: row.status, at: null };
    return { comment: hydrate([row])[0]!, change };
  }

  function staleError(row: CommentRow): StaleComment {
    const current = staleInfo(row);
    const { by, what, at } = current.change;
    const when = at === null ? '' : ` at ${new Date(at).toISOString().slice(11, 19)} UTC`;
    return new StaleComment(`Comment ${row.id} changed since you saw it: ${by ? `${by} ${what}` : `it was ${what}`}${when}; it is now ${row.status}`, current);
  }

  function decisionOrThrow(id: number): Decision {
    const row = store.getDecision(id);
    if (!row) throw new NotFound('decision', id);
    return toDecision(row);
  }

  /** Writes one decision; call inside a transaction. Throws StaleComment when the comment is not at `expectedVersion`. */
  function applyDecision(commentId: number, action: DecisionAction, note: string | null, user: User, expectedVersion?: number, rule: string | null = null): number {
    const row = commentOrThrow(commentId);
    if (expectedVersion !== undefined && row.version !== expectedVersion) throw staleError(row);
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
      rule,
    });
    store.updateStatus(commentId, statusAfter);
    recordDecided(row, { id, action, statusBefore: row.status, statusAfter, undoes: null, at: t, rule }, user);
    return id;
  }

  const decideOne = db.transaction((commentId: number, action: DecisionAction, note: string | null, user: User, expectedVersion?: number) =>
    applyDecision(commentId, action, note, user, expectedVersion),
  );

  /**
   * Comments at their expected version are decided; those that changed since
   * are left out and reported. Any other refusal stops the whole batch.
   */
  const decideMany = db.transaction((commentIds: number[], action: DecisionAction, note: string | null, user: User, expected: number[] | undefined) => {
    const ids: number[] = [];
    const changed: ReturnType<typeof staleInfo>[] = [];
    commentIds.forEach((id, i) => {
      try {
        ids.push(applyDecision(id, action, note, user, expected?.[i]));
      } catch (err) {
        if (err instanceof StaleComment) return void changed.push(err.current as ReturnType<typeof staleInfo>);
        // Name the comment that stopped the batch; the transaction rolls back all of it.
        if (err instanceof Conflict) throw new Conflict(`comment ${id}: ${err.message}`, { commentId: id });
        throw err;
      }
    });
    return { ids, changed };
  });

  const undoOne = db.transaction((decisionId: number, user: User): number => {
    const target = store.getDecision(decisionId);
    if (!target) throw new NotFound('decision', decisionId);
    if (target.action === 'undo') throw new Conflict('an undo cannot be undone; decide again instead');
    if (target.undone_by_id !== null) throw new Conflict(`decision ${decisionId} is already undone`);
    const row = commentOrThrow(target.comment_id);
    // Someone decided the comment since: undoing would reverse their decision, not this one.
    if (store.latestDecisionId(target.comment_id) !== target.id) throw staleError(row);
    if (target.moderator_id !== user.id && !hasRole(user, 'lead')) throw new Forbidden('lead or admin (to undo another moderator\u2019s decision)');
    if (!hasRole(user, 'lead') && now() - target.decided_at > undoWindowMs) {
      throw new Conflict(`decision ${decisionId} is older than ${Math.round(undoWindowMs / 60_000)} minutes and can no longer be undone; decide the comment again instead`);
    }
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

  const claimOne = db.transaction((commentId: number, user: User, takeOver: boolean) => {
    const row = commentOrThrow(commentId);
    const t = now();
    const held = store.claimsOf([commentId], t).get(commentId);
    if (held && held.moderator_id !== user.id) {
      if (!takeOver) throw new Conflict(`${held.username} is reviewing comment ${commentId}`, { claimedBy: held.username });
      if (!hasRole(user, 'lead')) throw new Forbidden('lead or admin (to take over another moderator\u2019s claim)');
    }
    const expiresAt = t + claimMs;
    store.putClaim({ commentId, moderatorId: user.id, now: t, expiresAt });
    // Renewals say nothing new to other screens; a new holder does.
    if (held?.moderator_id !== user.id) {
      deps.events.append({ type: 'comment.claimed', commentId: row.id, now: t, payload: { moderator: { id: user.id, username: user.username }, expiresAt, tookOverFrom: held?.username ?? null } });
    }
    return { claim: { moderatorId: user.id, username: user.username, expiresAt } };
  });

  const releaseOne = db.transaction((commentId: number, user: User) => {
    commentOrThrow(commentId);
    if (store.releaseClaim(commentId, user.id)) {
      deps.events.append({ type: 'comment.released', commentId, now: now(), payload: { moderator: { id: user.id, username: user.username } } });
    }
    return { claim: null };
  });

  return {
    hydrate,

    /** These comments (excerpts), in the order given; unknown ids are left out. */
    comments(ids: number[]): Comment[] {
      if (ids.length === 0) return [];
      const rows = new Map(store.listComments(ids).map((r) => [r.id, r]));
      return hydrate(ids.flatMap((id) => rows.get(id) ?? []));
    },

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

    /** Decides a comment; with `expectedVersion`, only if nothing changed it since (else StaleComment, 409). */
    decide(
      commentId: number,
      input: { action: DecisionAction; note?: string | null; expectedVersion?: number },
      user: User,
    ): { decision: Decision; comment: Comment } {
      const id = decideOne(commentId, input.action, input.note?.trim() || null, user, input.expectedVersion);
      return { decision: decisionOrThrow(id), comment: hydrate([commentOrThrow(commentId)])[0] };
    },

    /**
     * Decides many comments in one transaction. With `expectedVersions`, a
     * comment changed since it was seen is left out and listed in `changed`;
     * any other refusal (a role, a comment already in that state) stops the whole batch.
     */
    decideBulk(
      input: { commentIds: number[]; action: DecisionAction; note?: string | null; expectedVersions?: number[] },
      user: User,
    ): { decisions: Decision[]; changed: ReturnType<typeof staleInfo>[] } {
      const unique = [...new Set(input.commentIds)];
      if (unique.length !== input.commentIds.length) {
        throw new ValidationError('body/commentIds must not repeat a comment', { field: 'commentIds' });
      }
      if (input.expectedVersions && input.expectedVersions.length !== input.commentIds.length) {
        throw new ValidationError('body/expectedVersions must give one version per comment of commentIds', { field: 'expectedVersions' });
      }
      const { ids, changed } = decideMany(unique, input.action, input.note?.trim() || null, user, input.expectedVersions);
      return { decisions: ids.map(decisionOrThrow), changed };
    },

    /**
     * A rule decides (a banned author's comment is hidden on arrival): a
     * decision like any other, by the rules account, naming the rule. Call
     * inside the transaction that made the comments arrive.
     */
    decideByRule(commentIds: number[], action: DecisionAction, rule: string, note: string | null): void {
      if (commentIds.length === 0) return;
      const user: User = store.rulesAccount(now());
      for (const id of commentIds) applyDecision(id, action, note, user, undefined, rule);
    },

    /** Decisions of a rule that still stand, newest first: a list moderators review and reverse like any decision. */
    ruleDecisions(rule: string, viewer: User): Decision[] {
      return store.listRuleDecisions(rule, 200).map((d) => decisionFor(viewer, d));
    },

    /** The user's own decisions they can still undo (newest first): undo survives a reload and works from another tab. */
    undoable(user: User): { decisions: Decision[]; windowMs: number } {
      return { decisions: store.listUndoable(user.id, now() - undoWindowMs, 20).map((d) => decisionFor(user, d)), windowMs: undoWindowMs };
    },

    /**
     * Claims a comment for the user while they review it (renewing their own
     * claim). Another moderator's live claim is a 409 naming them, unless a
     * lead or admin takes it over.
     */
    claim(commentId: number, user: User, takeOver = false) {
      return claimOne(commentId, user, takeOver);
    },

    /** Releases every claim of the user (they signed out), telling the other screens. */
    releaseAll: db.transaction((user: User): void => {
      const t = now();
      for (const commentId of store.releaseClaimsOf(user.id)) {
        deps.events.append({ type: 'comment.released', commentId, now: t, payload: { moderator: { id: user.id, username: user.username } } });
      }
    }),

    /** Releases the user's claim on a comment (nothing when they held none). */
    release(commentId: number, user: User) {
      return releaseOne(commentId, user);
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
