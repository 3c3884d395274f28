import type { ScoringService } from './service.ts';
import type { ScoringStore, ScoreWrite } from './store.ts';
import type { Scorer } from './types.ts';

/** The part of a pino/Fastify logger the pipeline uses. Never given comment text. */
export interface PipelineLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** How the pipeline runs: every field has a default. */
export interface PipelineOptions {
  logger?: PipelineLogger;
  /** Jobs per scorer call and per write transaction. */
  batchSize?: number;
  /** Tries before a job is marked failed. */
  maxAttempts?: number;
  /** How often an idle loop looks for jobs another process (the import CLI) queued. */
  idlePollMs?: number;
  /** Called after each written batch (progress bars, tests). */
  onBatch?: (written: number) => void;
}

export interface PipelineDeps extends PipelineOptions {
  store: ScoringStore;
  /** Writes each scored batch and flags its comments. */
  scoring: Pick<ScoringService, 'record'>;
  scorer: Scorer;
  now: () => number;
}

const silent: PipelineLogger = { info() {}, warn() {}, error() {} };

/**
 * Scores queued comments in the background: takes pending jobs in id order,
 * scores their texts in the worker-thread scorer (the event loop stays free
 * for requests), then writes each batch and flags its comments in one short
 * transaction.
 */
export function createScoringPipeline(deps: PipelineDeps) {
  const { store, scoring, scorer, now } = deps;
  const logger = deps.logger ?? silent;
  const batchSize = deps.batchSize ?? 256;
  const maxAttempts = deps.maxAttempts ?? 3;
  const idlePollMs = deps.idlePollMs ?? 2000;
  const model = scorer.model;

  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let idleWaiters: (() => void)[] = [];

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });
  }

  async function scoreJobs(jobs: { commentId: number; body: string }[]): Promise<{ ok: ScoreWrite[]; failed: number[]; error?: string }> {
    try {
      const results = await scorer.scoreBatch(jobs.map((j) => j.body));
      if (results.length !== jobs.length) throw new Error(`scorer returned ${results.length} results for ${jobs.length} texts`);
      return { ok: jobs.map((j, i) => ({ commentId: j.commentId, scores: results[i].scores })), failed: [] };
    } catch (err) {
      if (jobs.length === 1) return { ok: [], failed: [jobs[0].commentId], error: errorText(err) };
      // One bad text must not fail its whole batch: score one by one to find it.
      logger.warn({ err: errorText(err), jobs: jobs.length }, 'scoring batch failed; retrying one by one');
      const ok: ScoreWrite[] = [];
      const failed: number[] = [];
      let error: string | undefined;
      for (const job of jobs) {
        const r = await scoreJobs([job]);
        ok.push(...r.ok);
        failed.push(...r.failed);
        error ??= r.error;
      }
      return { ok, failed, error };
    }
  }

  /** Scores one batch; returns how many jobs it took (0 when the queue is empty). */
  async function step(): Promise<number> {
    const jobs = store.listPending(model, batchSize);
    if (jobs.length === 0) return 0;
    const { ok, failed, error } = await scoreJobs(jobs);
    const t = now();
    const written = ok.length > 0 ? scoring.record(ok, { model, now: t }) : 0;
    if (failed.length > 0) {
      store.recordFailure(failed, { model, error: error ?? 'unknown scoring error', maxAttempts, now: t });
      logger.error({ commentIds: failed, err: error }, 'comments could not be scored');
    }
    deps.onBatch?.(written);
    return jobs.length;
  }

  async function run(): Promise<void> {
    while (running) {
      let took: number;
      try {
        took = await step();
      } catch (err) {
        logger.error({ err: errorText(err) }, 'scoring pipeline step failed');
        if (running) await sleep(idlePollMs);
        continue;
      }
      if (took === 0) {
        for (const resolve of idleWaiters) resolve();
        idleWaiters = [];
        if (running) await sleep(idlePollMs);
      } else {
        // Yield so requests queued behind the write get answered between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  return {
    model,
    /** Queues comments lacking a score of this model, then starts the loop. */
    start(): void {
      if (running) return;
      const added = store.enqueueMissing(model, now());
      if (added > 0) logger.info({ added, model }, 'queued comments for scoring');
      running = true;
      loop = run();
    },
    /** Stops after the batch in flight is written; a later start resumes from the queue. */
    async stop(): Promise<void> {
      running = false;
      wakeUp?.();
      await loop;
      for (const resolve of idleWaiters) resolve();
      idleWaiters = [];
    },
    /** New jobs were queued in this process: look now instead of at the next poll. */
    wake(): void {
      wakeUp?.();
    },
    /** Resolves once the queue is empty (or the pipeline stopped). */
    idle(): Promise<void> {
      if (!running) return Promise.resolve();
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        wakeUp?.();
      });
    },
    /** Scores everything pending without the background loop (CLI, tests); `onBatch` hears how many jobs each batch took. */
    async drain(onBatch?: (taken: number) => void): Promise<void> {
      store.enqueueMissing(model, now());
      for (let took = await step(); took > 0; took = await step()) onBatch?.(took);
    },
    progress: () => store.counts(model),
    get running() {
      return running;
    },
  };
}

export type ScoringPipeline = ReturnType<typeof createScoringPipeline>;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
