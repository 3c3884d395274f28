import type { User } from '../auth/store.ts';
import { hasRole } from '../auth/service.ts';
import type { Db } from '../db/open.ts';
import { Conflict, Forbidden, NotFound, ValidationError } from '../errors.ts';
import type { EventStore, EventType } from '../events/store.ts';
import type { Notifier } from '../events/notifier.ts';
import type { Flagging } from '../flagging/service.ts';
import type { ModerationService } from '../moderation/service.ts';
import type { Comment } from '../wire.ts';
import type { AuthorAction, AuthorActionRow, AuthorRef, AuthorStore, Standing } from './store.ts';

/** A standing without an expiry lasts until undone. */
const FOREVER = 8.64e15;
/** The rule that hides a banned author's new comments. */
export const BANNED_AUTHOR_RULE = 'banned author';
/** The rule that watches an author with too many hidden comments. */
export const REPEAT_OFFENDER_RULE = 'repeat offender';

const KINDS = { watch: 'unwatch', trust: 'untrust', ban: 'unban' } as const;
type Kind = keyof typeof KINDS;
/** Who may take each action: a moderator watches and notes; trusting and banning need a lead. */
const ROLE_FOR: Record<AuthorAction, 'moderator' | 'lead'> = { watch: 'moderator', unwatch: 'moderator', note: 'moderator', trust: 'lead', untrust: 'lead', ban: 'lead', unban: 'lead' };
const EVENT_FOR: Record<AuthorAction, EventType> = {
  watch: 'author.watched',
  trust: 'author.trusted',
  ban: 'author.banned',
  unwatch: 'author.unwatched',
  untrust: 'author.untrusted',
  unban: 'author.unbanned',
  note: 'author.noted',
};

/**
 * Where an author stands, from their actions as a pure function: for each of
 * watch, trust and ban, the newest standing action of that kind or its
 * opposite decides, until its expiry.
 */
export function standingFrom(actions: readonly Pick<AuthorActionRow, 'action' | 'expires_at' | 'undone_by_id'>[], now: number): Standing {
  const until = (kind: Kind): number | null => {
    const last = actions.find((a) => a.undone_by_id === null && (a.action === kind || a.action === KINDS[kind]));
    if (!last || last.action !== kind) return null;
    const end = last.expires_at ?? FOREVER;
    return end > now ? end : null;
  };
  return { watchedUntil: until('watch'), trustedUntil: until('trust'), bannedUntil: until('ban') };
}

export interface AuthorServiceDeps {
  db: Db;
  store: AuthorStore;
  flagging: Pick<Flagging, 'flag'>;
  moderation: Pick<ModerationService, 'decideByRule' | 'comments'>;
  events: Pick<EventStore, 'appendGlobal' | 'since' | 'lastId'>;
  notifier: Notifier;
  now: () => number;
  /** The repeat-offender rule: watch an author with `hidden` hidden comments in `days` days. Off when null (default). */
  repeatOffender?: { hidden: number; days: number } | null;
}

export interface AuthorActionView {
  id: number;
  action: AuthorAction | 'undo';
  reason: string | null;
  expiresAt: number | null;
  by: string | null;
  rule: string | null;
  undoesId: number | null;
  undoneById: number | null;
  at: number;
}

const toView = (r: AuthorActionRow): AuthorActionView => ({
  id: r.id,
  action: r.action,
  reason: r.reason,
  expiresAt: r.expires_at,
  by: r.username,
  rule: r.rule,
  undoesId: r.undoes_id,
  undoneById: r.undone_by_id,
  at: r.created_at,
});

const REASON = /^[^\p{Cc}]{1,500}$/u;

/**
 * Authors: their comments across threads and what moderators do about them.
 * Watch, trust and ban are reasons in the flagging domain (rules.ts reads
 * them off each comment); a ban hides new comments on arrival, as a decision
 * by the rule.
 */
export function createAuthorService(deps: AuthorServiceDeps) {
  const { db, store, now } = deps;

  /** Recomputes an author's standing from their actions and brings their comments' flags in line. */
  function settle(ref: AuthorRef, t: number): Standing {
    const before = store.standing(ref);
    const after = standingFrom(store.listActions(ref), t);
    store.putStanding(ref, after);
    if ((before.watchedUntil !== null) !== (after.watchedUntil !== null) || (before.trustedUntil !== null) !== (after.trustedUntil !== null)) {
      const changed = store.markComments(ref, after.watchedUntil !== null, after.trustedUntil !== null);
      for (let i = 0; i < changed.length; i += 1000) deps.flagging.flag(changed.slice(i, i + 1000));
    }
    return after;
  }

  function record(ref: AuthorRef, action: AuthorAction | 'undo', input: { reason: string | null; expiresAt: number | null; by: User | null; rule: string | null; undoes: AuthorActionRow | null }, t: number) {
    const id = store.insertAction({ source: ref.source, key: ref.key, action, reason: input.reason, expiresAt: input.expiresAt, moderatorId: input.by?.id ?? null, rule: input.rule, undoesId: input.undoes?.id ?? null, now: t });
    const standing = settle(ref, t);
    // An undo says what it took back: an undone ban is an unban, for the site as for the log.
    const effective: AuthorAction | null = action === 'undo' ? (input.undoes!.action === 'undo' ? null : opposite(input.undoes!.action as AuthorAction)) : action;
    if (effective) {
      deps.events.appendGlobal({
        type: EVENT_FOR[effective],
        source: ref.source,
        now: t,
        payload: {
          author: { key: ref.key, id: ref.key.startsWith('name:') ? null : ref.key },
          action: { id, action: effective, reason: effective === 'note' ? null : input.reason, expiresAt: input.expiresAt, rule: input.rule },
          moderator: input.by ? { role: input.by.role, username: input.by.username } : null,
          standing,
        },
      });
    }
    return id;
  }

  const act = db.transaction((ref: AuthorRef, input: { action: AuthorAction; reason: string; expiresAt?: number | null }, user: User | null, rule: string | null) => {
    const reason = input.reason.trim();
    if (!REASON.test(reason)) throw new ValidationError('body/reason must be 1 to 500 characters, without control characters', { field: 'reason' });
    const t = now();
    if (input.expiresAt != null && input.expiresAt <= t) throw new ValidationError('body/expiresAt must be in the future', { field: 'expiresAt' });
    if (user && !hasRole(user, ROLE_FOR[input.action])) throw new Forbidden(`${ROLE_FOR[input.action]} or admin (to ${input.action} an author)`);
    if (store.stats(ref).total === 0) throw new NotFound('author', `${ref.source}/${ref.key}`);
    return record(ref, input.action, { reason, expiresAt: input.expiresAt ?? null, by: user, rule, undoes: null }, t);
  });

  const undo = db.transaction((actionId: number, user: User) => {
    const target = store.getAction(actionId);
    if (!target) throw new NotFound('author action', actionId);
    if (target.action === 'undo') throw new Conflict('an undo cannot be undone; act again instead');
    if (target.undone_by_id !== null) throw new Conflict(`author action ${actionId} is already undone`);
    if (target.moderator_id !== user.id && !hasRole(user, 'lead')) throw new Forbidden('lead or admin (to undo another moderator\u2019s action on an author)');
    return record({ source: target.source, key: target.author_key }, 'undo', { reason: null, expiresAt: null, by: user, rule: null, undoes: target }, now());
  });

  function opposite(a: AuthorAction): AuthorAction | null {
    if (a === 'note') return null;
    if (a in KINDS) return KINDS[a as Kind];
    return (Object.keys(KINDS) as Kind[]).find((k) => KINDS[k] === a) ?? null;
  }

  const expire = db.transaction(() => {
    const t = now();
    for (const ref of store.listLapsed(t)) settle(ref, t);
  });

  // The repeat-offender rule reads hides from the event log, after they commit: moderation never waits on it.
  let cursor = 0;
  const checkRepeats = db.transaction(() => {
    const rule = deps.repeatOffender;
    if (!rule) return;
    for (let batch = deps.events.since(cursor, 500); batch.length > 0; batch = deps.events.since(cursor, 500)) {
      for (const e of batch) {
        cursor = e.id;
        const d = e.payload.decision as { status?: string; rule?: string } | undefined;
        if (e.type !== 'comment.decided' || d?.status !== 'hidden' || d.rule || e.commentId === null) continue;
        const author = store.authorOf(e.commentId);
        if (!author?.key) continue;
        const ref = { source: author.source, key: author.key };
        const t = now();
        if (store.standing(ref).watchedUntil !== null) continue;
        if (store.hiddenSince(ref, t - rule.days * 86_400_000) >= rule.hidden) {
          record(ref, 'watch', { reason: `${rule.hidden} or more comments hidden in ${rule.days} days`, expiresAt: null, by: null, rule: REPEAT_OFFENDER_RULE, undoes: null }, t);
        }
      }
      if (batch.length < 500) break;
    }
  });

  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;

  return {
    /** Takes an action on an author (watch, trust, ban, their opposites, or a note), with a reason and an optional expiry. */
    act(ref: AuthorRef, input: { action: AuthorAction; reason: string; expiresAt?: number | null }, user: User): AuthorActionView {
      return toView(store.getAction(act(ref, input, user, null))!);
    },
    /** Undoes an action: a new action in the log. */
    undo(actionId: number, user: User): AuthorActionView {
      return toView(store.getAction(undo(actionId, user))!);
    },

    /** The author page: who they are, where they stand, their comments, and one log of everything done about them. */
    page(ref: AuthorRef, q: { before?: number; limit?: number } = {}) {
      const stats = store.stats(ref);
      if (stats.total === 0) throw new NotFound('author', `${ref.source}/${ref.key}`);
      const limit = q.limit ?? 50;
      const ids = store.listCommentIds(ref, q.before ?? Number.MAX_SAFE_INTEGER, limit + 1);
      const page = ids.slice(0, limit);
      const comments: Comment[] = deps.moderation.comments(page);
      const actions = store.listActions(ref).map(toView);
      const decisions = store.listDecisionsOn(ref, 200).map((d) => ({
        kind: 'decision' as const,
        id: d.id,
        commentId: d.comment_id,
        action: d.action,
        status: d.status_after,
        by: d.username,
        rule: d.rule,
        at: d.decided_at,
      }));
      const log = [...actions.map((a) => ({ kind: 'author' as const, ...a })), ...decisions].sort((a, b) => b.at - a.at);
      return {
        author: { source: ref.source, key: ref.key, id: ref.key.startsWith('name:') ? null : ref.key, name: stats.name, firstSeenAt: stats.first_at },
        standing: store.standing(ref),
        stats: { comments: stats.total, hidden: stats.hidden, hiddenRate: stats.total > 0 ? stats.hidden / stats.total : 0, inQueue: stats.queue, reports: stats.reports },
        comments,
        nextBefore: ids.length > limit ? page.at(-1)! : null,
        notes: actions.filter((a) => a.action === 'note' && a.undoneById === null),
        log,
      };
    },

    /** Hides, by the ban rule, the new comments of banned authors among ids [from, to); call inside the transaction that stored them. */
    hideBannedArrivals(from: number, to: number): void {
      const banned = store.bannedArrivals(from, to, now());
      if (banned.length > 0) deps.moderation.decideByRule(banned.map((b) => b.id), 'hide', BANNED_AUTHOR_RULE, 'its author is banned');
    },

    /** Ends lapsed standings now (the timer does it every minute). */
    expire: () => expire(),

    /** Starts the expiry timer and the repeat-offender rule. */
    start(): void {
      cursor = deps.events.lastId();
      timer = setInterval(() => expire(), 60_000);
      timer.unref();
      if (deps.repeatOffender) unsubscribe = deps.notifier.subscribe(() => checkRepeats());
    },
    /** Runs the repeat-offender rule over the events since it last looked (tests; the notifier does it after each commit). */
    checkRepeats: () => checkRepeats(),
    stop(): void {
      clearInterval(timer);
      unsubscribe?.();
    },
  };
}

export type AuthorService = ReturnType<typeof createAuthorService>;
