import type { Db } from '../db/open.ts';
import type { Label } from '../scoring/labels.ts';
import { maxScore, reasonsFor, type ThresholdValues } from './rules.ts';
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
export function createFlagging({ db, store, thresholds, model, now, reflagChunk = 20_000 }: FlaggingDeps) {
  const flag = db.transaction((commentIds: number[], m: string) => {
    const { id: version, values } = thresholds();
    const by = { version, model: m, now: now() };
    for (const { commentId, scores } of store.scoresOf(commentIds, m)) {
      store.setFlags(commentId, reasonsFor({ scores }, { thresholds: values }), maxScore(scores), by);
    }
  });

  // Jobs run one after another in version order: a later change's chunk must
  // never be overwritten by an earlier change's.
  let queue: Promise<unknown> = Promise.resolve();
  const running = new Map<number, Promise<Reevaluation>>();
  let stopping = false;

  const chunk = db.transaction((job: ReflagJob, from: number, to: number): Reevaluation => {
    const part = store.reevaluate(job.changes, { version: job.version, model: job.model, now: job.startedAt }, { from, to });
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
    /** Flags (or unflags) these comments from what is stored about them: the scores of `m`, by default the model in force. */
    flag(commentIds: number[], m = model()): void {
      if (m && commentIds.length > 0) flag(commentIds, m);
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
