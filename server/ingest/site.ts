import type { Static } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Db } from '../db/open.ts';
import { AppError } from '../errors.ts';
import type { Flagging } from '../flagging/service.ts';
import { validationMessage } from '../http.ts';
import type { ScoringStore } from '../scoring/store.ts';
import { SITE_BATCH_MAX, SiteCommentItem, type SITE_OUTCOMES } from './schemas.ts';
import type { IngestStore, SiteComment, StoredThread } from './store.ts';

export type SiteCommentInput = Static<typeof SiteCommentItem>;
export type SiteOutcome = (typeof SITE_OUTCOMES)[number];

export interface SiteCommentResult {
  index: number;
  id: string | null;
  outcome: SiteOutcome;
  triageId: number | null;
  reason: string | null;
}

/** How long one write transaction of a batch may run before the event loop gets a turn. */
const SLICE_MS = 5;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** An item refused: the others of its batch go on. */
class Refused extends Error {}

const checkItem = Compile(SiteCommentItem);

/** The item's own fields, checked against the schema: the first problem, named by its path. */
function problemWith(item: unknown, index: number): string | undefined {
  if (checkItem.Check(item)) return undefined;
  return validationMessage([...checkItem.Errors(item)], `comments/${index}`) ?? `comments/${index} is not a comment`;
}

function toTime(postedAt: SiteCommentInput['postedAt']): number | null {
  if (postedAt === undefined || postedAt === null) return null;
  if (typeof postedAt === 'number') return postedAt;
  const t = Date.parse(postedAt);
  if (Number.isNaN(t)) throw new Refused(`postedAt "${postedAt}" is not a date`);
  return t;
}

function checkUrl(url: string | null | undefined): void {
  if (url === undefined || url === null) return;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Refused('thread.url is not a URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Refused('thread.url must be an http or https URL');
}

export interface SiteIngestDeps {
  db: Db;
  store: IngestStore;
  scoring: Pick<ScoringStore, 'enqueue' | 'rescore'>;
  flagging: Pick<Flagging, 'flag' | 'editedAfterApproval'>;
  now: () => number;
  /** The model new and edited comments are queued for; null when nothing scores in this process. */
  model: () => string | null;
  /** Told after each batch that stored or changed text, so scoring starts at once. */
  onStored?: () => void;
  /** Told, inside the batch's transaction, of the ids of the new comments [from, to) (authors: a banned author's are hidden). */
  onArrived?: (from: number, to: number) => void;
}

/**
 * Comments a site pushes (`POST /api/v1/comments`), upserted by (source,
 * comment id). Each item is stored whole or refused with a reason, so one
 * bad comment never blocks the rest of its batch; the batch is one
 * transaction, each item a savepoint within it.
 */
export function createSiteIngest(deps: SiteIngestDeps) {
  const { db, store, now } = deps;

  /** The item's thread, created or brought up to date. */
  /** The item's thread (`stored`: as found before any write), created or brought up to date. */
  function threadFor(source: string, item: SiteCommentInput, stored: StoredThread | undefined, t: number): StoredThread {
    const given = item.thread;
    if (!stored) {
      const thread = { title: given.title ?? '', url: given.url ?? null, body: '', closed: given.closed ? (1 as const) : (0 as const) };
      const id = store.insertThread({ importId: null, source, externalId: given.id, ...thread, closed: thread.closed === 1, importedAt: t });
      return { id, ...thread };
    }
    const next: StoredThread = {
      ...stored,
      title: given.title ?? stored.title,
      url: given.url === undefined ? stored.url : given.url,
      closed: given.closed === undefined ? stored.closed : given.closed ? 1 : 0,
    };
    if (next.title !== stored.title || next.url !== stored.url || next.closed !== stored.closed) store.updateThread(next);
    return next;
  }

  /** `threadId`: the item's stored thread, undefined when it is new (then no stored comment can be the parent). */
  function parentOf(source: string, item: SiteCommentInput, threadId: number | undefined): SiteComment | null {
    if (item.parentId === undefined || item.parentId === null) return null;
    if (item.parentId === item.id) throw new Refused('a comment cannot answer itself');
    const parent = store.getSiteComment(source, item.parentId);
    if (!parent) throw new Refused(`reply to unknown comment "${item.parentId}": send the parent first (or earlier in the same batch)`);
    if (parent.thread_id !== threadId) throw new Refused(`parent "${item.parentId}" belongs to another thread`);
    return parent;
  }

  /**
   * Stores one item; throws Refused to leave it out, always before writing
   * anything (so an item needs no savepoint of its own). Returns its outcome and what changed.
   */
  function upsert(source: string, item: SiteCommentInput, t: number, model: string | null): { outcome: SiteOutcome; triageId: number; reason: string | null; text: boolean } {
    checkUrl(item.thread.url);
    const storedThread = store.getThread(source, item.thread.id);
    const existing = store.getSiteComment(source, item.id);
    // Fields an item leaves out keep what is stored.
    const postedAt = item.postedAt === undefined && existing ? existing.posted_at : toTime(item.postedAt);
    const author = item.author === undefined && existing ? existing.author : (item.author?.name ?? null);
    const authorId = item.author === undefined && existing ? existing.author_id : (item.author?.id ?? null);
    const parent = item.parentId === undefined && existing ? null : parentOf(source, item, storedThread?.id);
    if (existing) {
      if (existing.thread_id !== storedThread?.id) throw new Refused(`comment "${item.id}" belongs to another thread`);
      const parentId = item.parentId === undefined ? existing.parent_id : (parent?.id ?? null);
      if (existing.parent_id !== parentId) throw new Refused(`comment "${item.id}" cannot move to another parent`);
    }
    const thread = threadFor(source, item, storedThread, t);

    if (!existing) {
      const id = store.insertComment({
        importId: null,
        threadId: thread.id,
        parentId: parent?.id ?? null,
        externalId: item.id,
        position: store.nextPosition(thread.id),
        depth: parent ? parent.depth + 1 : 0,
        author,
        body: item.text,
        postedAt,
        importedAt: t,
        authorId,
      });
      if (item.deleted) store.setDeleted(id, t);
      if (model) deps.scoring.enqueue(id, model, t);
      return { outcome: 'created', triageId: id, reason: null, text: true };
    }

    const parentId = existing.parent_id;
    const changes: string[] = [];
    const textChanged = existing.body !== item.text;
    if (textChanged || existing.author !== author || existing.posted_at !== postedAt) {
      store.editComment({ id: existing.id, externalId: existing.external_id, author, body: item.text, postedAt, parentId }, { importId: null, now: t });
      if (textChanged) changes.push('text');
      if (existing.author !== author) changes.push('author');
      if (existing.posted_at !== postedAt) changes.push('postedAt');
    }
    if (authorId !== existing.author_id) {
      store.setAuthorId(existing.id, authorId);
      changes.push('author id');
    }
    if (textChanged) {
      if (model) deps.scoring.rescore(existing.id, model, t);
      // An approved comment whose text changed needs a human again.
      if (existing.status === 'approved') deps.flagging.editedAfterApproval(existing.id);
    }
    const deleted = item.deleted === undefined ? existing.deleted_at !== null : item.deleted;
    if (deleted !== (existing.deleted_at !== null)) {
      store.setDeleted(existing.id, deleted ? t : null);
      deps.flagging.flag([existing.id]);
      changes.push(deleted ? 'deleted' : 'restored');
    }
    if (changes.length === 0) return { outcome: 'unchanged', triageId: existing.id, reason: null, text: false };
    return { outcome: 'updated', triageId: existing.id, reason: changes.join(', '), text: textChanged };
  }


  /**
   * Stores items from `from` on, in one transaction, until the end or until
   * the time slice is used up: a batch of 1,000 never holds the event loop
   * for more than a slice, so the queue keeps answering while sites push.
   */
  const slice = db.transaction((source: string, items: unknown[], from: number, until: number) => {
    const t = now();
    const model = deps.model();
    let rescore = false;
    let first = 0;
    let last = 0;
    const results: SiteCommentResult[] = [];
    let index = from;
    for (; index < items.length && (index === from || performance.now() < until); index++) {
      const raw = items[index];
      const id = typeof (raw as { id?: unknown } | null)?.id === 'string' ? (raw as { id: string }).id : null;
      const problem = problemWith(raw, index);
      if (problem) {
        results.push({ index, id, outcome: 'refused', triageId: null, reason: problem });
        continue;
      }
      try {
        const r = upsert(source, raw as SiteCommentInput, t, model);
        rescore ||= r.text;
        if (r.outcome === 'created') {
          first ||= r.triageId;
          last = r.triageId;
        }
        results.push({ index, id, outcome: r.outcome, triageId: r.triageId, reason: r.reason });
      } catch (err) {
        if (!(err instanceof Refused)) throw err;
        results.push({ index, id, outcome: 'refused', triageId: null, reason: err.message });
      }
    }
    if (first > 0) deps.onArrived?.(first, last + 1);
    return { results, rescore, next: index };
  });

  return {
    /**
     * Upserts a site's comments, in order (a reply may follow its parent in
     * the same batch), in time slices with the event loop turning between
     * them. Each item is stored whole or refused; if the server stops half
     * way, the items stored stay, and sending the batch again is safe (upsert).
     * Returns each item's outcome, and counts.
     */
    async receive(source: string, items: unknown[]): Promise<{ results: SiteCommentResult[]; counts: Record<SiteOutcome, number> }> {
      if (items.length > SITE_BATCH_MAX) {
        throw new AppError('PAYLOAD_TOO_LARGE', `A request may carry at most ${SITE_BATCH_MAX.toLocaleString('en')} comments; this one has ${items.length.toLocaleString('en')}`);
      }
      const results: SiteCommentResult[] = [];
      let rescore = false;
      for (let from = 0; from < items.length; ) {
        const part = slice(source, items, from, performance.now() + SLICE_MS);
        results.push(...part.results);
        rescore ||= part.rescore;
        from = part.next;
        if (from < items.length) await nextTurn();
      }
      if (rescore) deps.onStored?.();
      const counts: Record<SiteOutcome, number> = { created: 0, updated: 0, unchanged: 0, refused: 0 };
      for (const r of results) counts[r.outcome]++;
      return { results, counts };
    },
  };
}

export type SiteIngest = ReturnType<typeof createSiteIngest>;
