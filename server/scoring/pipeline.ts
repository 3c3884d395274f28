import { createBackgroundLoop } from '../background-loop.ts';
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
  /** The shipped model's scorer; the caller disposes of it. */
  scorer: Scorer;
  now: () => number;
  /** The model in force, asked before each batch (default: the scorer's); a promotion in any process changes it. */
  modelInForce?: () => string | null;
  /** Loads the scorer of a model in force other than `scorer`'s (a site model); the pipeline disposes of it when the model changes again. */
  scorerFor?: (model: string) => Promise<Scorer>;
  /** Re-flags a chunk of comments the model in force scored before it last went in force (a rollback); true while it did some. */
  reflagStep?: (model: string) => boolean;
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
  const { store, scoring, now } = deps;
  const logger = deps.logger ?? silent;
  const batchSize = deps.batchSize ?? 256;
  const maxAttempts = deps.maxAttempts ?? 3;
  const idlePollMs = deps.idlePollMs ?? 2000;
  // The scorer of the model in force: the shipped one, or a site model's loaded on demand.
  let scorer = deps.scorer;
  let model = scorer.model;
  // The model whose missing scores were last queued: once per model and start.
  let queuedFor: string | null = null;

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

  /**
   * Follows the model in force: a promotion or rollback (here or in another
   * process) loads the new model's scorer and queues every stored comment
   * for it, in the background behind new comments.
   */
  async function followModelInForce(): Promise<void> {
    const wanted = deps.modelInForce?.() ?? deps.scorer.model;
    if (wanted !== model) {
      if (wanted !== deps.scorer.model && !deps.scorerFor) throw new Error(`${wanted} is in force, but this process can only score with ${deps.scorer.model}`);
      const next = wanted === deps.scorer.model ? deps.scorer : await deps.scorerFor!(wanted);
      const previous = scorer;
      scorer = next;
      model = next.model;
      if (previous !== deps.scorer) await previous.dispose();
    }
    if (queuedFor === model) return;
    const added = store.enqueueMissing(model, now());
    queuedFor = model;
    if (added > 0) logger.info({ added, model }, 'queued comments for scoring');
  }

  /** Scores one batch; returns how many jobs it took (0 when the queue is empty). */
  async function step(): Promise<number> {
    await followModelInForce();
    const reflagged = deps.reflagStep?.(model) ?? false;
    const jobs = store.listPending(model, batchSize);
    if (jobs.length === 0) return reflagged ? 1 : 0;
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

  const loop = createBackgroundLoop(step, {
    idlePollMs,
    onError: (err) => {
      logger.error({ err: errorText(err) }, 'scoring pipeline step failed');
      deps.onError?.(err);
    },
  });

  return {
    /** The model this pipeline scores with now. */
    get model() {
      return model;
    },
    /** Queues comments lacking a score of the model in force, then starts the loop. */
    start(): void {
      if (loop.running) return;
      queuedFor = null;
      loop.start();
    },
    /** Stops after the batch in flight is written; a later start resumes from the queue. */
    async stop(): Promise<void> {
      await loop.stop();
      if (scorer !== deps.scorer) await scorer.dispose();
      scorer = deps.scorer;
      model = scorer.model;
    },
    /** New jobs were queued in this process: look now instead of at the next poll. */
    wake: loop.wake,
    /** Resolves once the queue is empty (or the pipeline stopped). */
    idle: loop.idle,
    /** Scores everything pending without the background loop (CLI, tests); `onBatch` hears how many jobs each batch took. */
    async drain(onBatch?: (taken: number) => void): Promise<void> {
      queuedFor = null;
      for (let took = await step(); took > 0; took = await step()) onBatch?.(took);
    },
    progress: () => store.counts(model),
    get running() {
      return loop.running;
    },
  };
}

export type ScoringPipeline = ReturnType<typeof createScoringPipeline>;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
