import type { ScoringService } from './service.ts';
import type { ScoringStore, ScoreWrite } from './store.ts';
import { scoresProblem } from './labels.ts';
import type { ScoredText, Scorer } from './types.ts';

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
  /** Told of an error that stopped a step (reading jobs, writing scores), after it is logged; the loop retries after idlePollMs. */
  onError?: (err: unknown) => void;
}

export interface PipelineDeps extends PipelineOptions {
  store: ScoringStore;
  /** Writes each scored batch and flags its comments. */
  scoring: Pick<ScoringService, 'record'>;
  scorer: Scorer;
  now: () => number;
}

/** A job that got no score this try, and why (stored with the job). */
interface JobFailure {
  commentId: number;
  error: string;
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

  /** Each job's scores, or why it has none; a scorer's answer is checked (scoresProblem) before it can be stored. */
  async function scoreJobs(jobs: { commentId: number; body: string }[]): Promise<{ ok: ScoreWrite[]; failed: JobFailure[] }> {
    let results: ScoredText[];
    try {
      results = await scorer.scoreBatch(jobs.map((j) => j.body));
      if (results.length !== jobs.length) throw new Error(`scorer returned ${results.length} results for ${jobs.length} texts`);
    } catch (err) {
      if (jobs.length === 1) return { ok: [], failed: [{ commentId: jobs[0].commentId, error: errorText(err) }] };
      // One bad text must not fail its whole batch: score one by one to find it.
      logger.warn({ err: errorText(err), jobs: jobs.length }, 'scoring batch failed; retrying one by one');
      const ok: ScoreWrite[] = [];
      const failed: JobFailure[] = [];
      for (const job of jobs) {
        const r = await scoreJobs([job]);
        ok.push(...r.ok);
        failed.push(...r.failed);
      }
      return { ok, failed };
    }
    const ok: ScoreWrite[] = [];
    const failed: JobFailure[] = [];
    jobs.forEach((job, i) => {
      const problem = scoresProblem(results[i]?.scores);
      if (problem) failed.push({ commentId: job.commentId, error: `${model} gave an invalid score: ${problem}` });
      else ok.push({ commentId: job.commentId, scores: results[i].scores });
    });
    return { ok, failed };
  }

  /** Scores one batch; returns how many jobs it took (0 when the queue is empty). */
  async function step(): Promise<number> {
    const jobs = store.listPending(model, batchSize);
    if (jobs.length === 0) return 0;
    const { ok, failed } = await scoreJobs(jobs);
    const t = now();
    const written = ok.length > 0 ? scoring.record(ok, { model, now: t }) : 0;
    if (failed.length > 0) {
      const byError = new Map<string, number[]>();
      for (const f of failed) byError.set(f.error, [...(byError.get(f.error) ?? []), f.commentId]);
      for (const [error, commentIds] of byError) {
        store.recordFailure(commentIds, { model, error, maxAttempts, now: t });
        logger.error({ commentIds, err: error }, 'comments could not be scored');
      }
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
        deps.onError?.(err);
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
