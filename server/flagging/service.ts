import type { Db } from '../db/open.ts';
import type { EventStore } from '../events/store.ts';
import type { Label } from '../scoring/labels.ts';
import { inReviewQueue, isFlagged, maxScore, reasonsFor, type ThresholdValues } from './rules.ts';
import { NO_REEVALUATION, type FlagStore, type ReflagJob, type Reevaluation } from './store.ts';

export interface FlaggingDeps {
  db: Db;
  store: FlagStore;
  /** The thresholds in force and their version. */
  thresholds: () => { id: number; values: ThresholdValues };
  /** `<model id>@<version>` whose scores count; null when none does yet. */
  model: () => string | null;
  now: () => number;
  /** Comment ids per re-flagging transaction (default 20,000: tens of milliseconds each on a large install). */
  reflagChunk?: number;
  /** Readers' reports that bring a comment to the queue (default 1). */
  reportsToQueue?: number;
  /** The score a trusted author's comment must reach to be flagged by it (default 0.95). */
  trustedBar?: number;
  /** The outbox: `comment.flagged` when a comment enters the review queue. */
  events: Pick<EventStore, 'appendFlagged'>;
}

/**
 * Page cache while re-flagging, negative = KiB (SQLite's convention): up to
 * 512 MB. Flipping comments.flagged rewrites several queue indexes per row;
 * with the default 2 MB cache a large database re-reads index pages over and
 * over. SQLite fills it only with pages it reads and gives the excess back
 * when the size is restored.
 */
const REFLAG_CACHE_KIB = -524288;

function add(a: Reevaluation, b: Reevaluation): Reevaluation {
  return {
    flagsRaised: a.flagsRaised + b.flagsRaised,
    flagsRemoved: a.flagsRemoved + b.flagsRemoved,
    commentsFlagged: a.commentsFlagged + b.commentsFlagged,
    commentsUnflagged: a.commentsUnflagged + b.commentsUnflagged,
    queueEntered: a.queueEntered + b.queueEntered,
    queueLeft: a.queueLeft + b.queueLeft,
  };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Decides which comments need a human. The scoring pipeline calls `flag`
 * after it writes scores; the thresholds domain calls `reflag` when
 * thresholds change.
 */
export function createFlagging({ db, store, thresholds, model, now, reflagChunk = 20_000, reportsToQueue = 1, trustedBar = 0.95, events }: FlaggingDeps) {
  // `reopened`: the comments were decided until a moment ago, so not in the queue whatever their columns say.
  const flag = db.transaction((commentIds: number[], m: string | null, reopened = false) => {
    const { id: version, values } = thresholds();
    const t = now();
    const by = m === null ? null : { version, model: m, now: t };
    const entered: number[] = [];
    for (const facts of store.factsOf(commentIds, m)) {
      const policy = { thresholds: values, reportsToQueue, trustedBar };
      const reasons = reasonsFor(facts, policy);
      // Unscored (its text was edited and waits for the model): the flags of the earlier text stand until it is scored.
      const flagged = isFlagged(facts, reasons, policy) || (facts.scores === null && !facts.deleted && facts.scoreFlags > 0);
      store.setFlags(facts.commentId, reasons, flagged, facts.scores ? maxScore(facts.scores) : undefined, facts.scores ? by : null);
      if ((reopened || !inReviewQueue(facts)) && inReviewQueue({ status: facts.status, flagged })) entered.push(facts.commentId);
    }
    events.appendFlagged(entered, t);
  });

  // Jobs run one after another in version order: a later change's chunk must
  // never be overwritten by an earlier change's.
  let queue: Promise<unknown> = Promise.resolve();
  const running = new Map<number, Promise<Reevaluation>>();
  let stopping = false;

  const chunk = db.transaction((job: ReflagJob, from: number, to: number): Reevaluation => {
    const { entered, ...part } = store.reevaluate(job.changes, { version: job.version, model: job.model, now: job.startedAt, reportsToQueue, trustedBar }, { from, to });
    events.appendFlagged(entered, job.startedAt);
    job.totals = add(job.totals, part);
    job.nextComment = to;
    if (to > job.lastComment) store.deleteJob(job.version);
    else store.advanceJob(job.version, to, job.totals);
    return part;
  });

  /** Runs a job chunk by chunk, yielding to the event loop between chunks; stops early (resumable) when the app stops. */
  async function run(job: ReflagJob): Promise<Reevaluation> {
    // Kept large for the whole job: restoring it between chunks would drop the
    // index pages the next chunk reads again.
    const cacheSize = db.pragma('cache_size', { simple: true }) as number;
    db.pragma(`cache_size = ${REFLAG_CACHE_KIB}`);
    try {
      while (!stopping && job.nextComment <= job.lastComment) {
        chunk(job, job.nextComment, job.nextComment + reflagChunk);
        await nextTurn();
      }
    } finally {
      if (db.open) db.pragma(`cache_size = ${cacheSize}`);
    }
    return job.totals;
  }

  function schedule(job: ReflagJob): Promise<Reevaluation> {
    const done = queue.then(() => run(job));
    queue = done.catch(() => undefined);
    running.set(job.version, done);
    void done.finally(() => running.delete(job.version)).catch(() => undefined);
    return done;
  }

  return {
    /** Flags (or unflags) these comments from what is stored about them: the scores of `m` (by default the model in force), reports, edits. */
    flag(commentIds: number[], m = model()): void {
      if (commentIds.length > 0) flag(commentIds, m);
    },

    /** The site edited an approved comment: it returns to pending, flagged for it. Call inside the edit's transaction. */
    editedAfterApproval(commentId: number): void {
      if (store.reopenApproved(commentId)) flag([commentId], model(), true);
    },

    /** A moderator decided the comment: an edit after approval is settled. Call inside the decision's transaction. */
    decided(commentId: number): void {
      if (store.settleEdit(commentId)) flag([commentId], model());
    },

    /** Brings reported comments in line with the reports count in force (it is configuration, and may have changed since). */
    reflagReported(): void {
      const ids = store.listReported();
      for (let i = 0; i < ids.length; i += 1000) flag(ids.slice(i, i + 1000), model());
    },

    /**
     * Re-evaluates every stored comment's flags for labels whose threshold
     * changed to `at.version`. Call inside the transaction that saves the
     * version: the job is recorded there, so a crash cannot lose it. The
     * work runs after that transaction, in chunks; the promise resolves with
     * the totals once every comment has been re-evaluated.
     */
    reflag(changes: { label: Label; value: number | null }[], at: { version: number; now: number }): Promise<Reevaluation> {
      const m = model();
      const lastComment = store.maxCommentId();
      if (!m || lastComment === 0) return Promise.resolve({ ...NO_REEVALUATION });
      const job: ReflagJob = { version: at.version, changes, model: m, nextComment: 1, lastComment, totals: { ...NO_REEVALUATION }, startedAt: at.now };
      store.insertJob(job);
      return schedule(job);
    },

    /** Picks up the changes a stopped server left half re-flagged. */
    resume(): Promise<Reevaluation[]> {
      stopping = false;
      return Promise.all(store.listJobs().filter((job) => !running.has(job.version)).map(schedule));
    },

    /** Stops after the chunk in flight; unfinished jobs stay recorded for `resume`. */
    async stop(): Promise<void> {
      stopping = true;
      await queue;
    },
  };
}

export type Flagging = ReturnType<typeof createFlagging>;
