/**
 * Shadow scoring: while a site model shadows, every comment stored after it
 * started gets a score of it beside the model in force, in shadow_scores,
 * flagging nothing. A cursor per model (site_models.shadow_cursor) makes it
 * resume after a restart and never score a comment twice.
 */
import { createBackgroundLoop } from '../background-loop.ts';
import { scoresProblem } from '../scoring/labels.ts';
import type { Scorer } from '../scoring/types.ts';
import type { SiteModelStore } from './models-store.ts';

export interface ShadowRunnerDeps {
  store: SiteModelStore;
  /** Loads the shadow model's scorer (a worker thread); the runner disposes of it. */
  scorerFor: (model: string) => Promise<Scorer>;
  now: () => number;
  logger?: { info(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
  /** How often an idle runner looks for new comments or a new shadow (default 2 s). */
  idlePollMs?: number;
  batchSize?: number;
}

export function createShadowRunner(deps: ShadowRunnerDeps) {
  const { store, now } = deps;
  const idlePollMs = deps.idlePollMs ?? 2000;
  const batchSize = deps.batchSize ?? 256;
  let scorer: Scorer | null = null;

  async function release(): Promise<void> {
    const s = scorer;
    scorer = null;
    await s?.dispose();
  }

  /** Scores one batch for the model shadowing now; returns how many comments it took. */
  async function step(): Promise<number> {
    const shadow = store.shadowing();
    if (!shadow) {
      await release();
      return 0;
    }
    if (scorer?.model !== shadow.model) {
      await release();
      scorer = await deps.scorerFor(shadow.model);
    }
    const batch = store.toShadow(shadow.shadowCursor ?? 0, batchSize);
    if (batch.length === 0) return 0;
    const results = await scorer.scoreBatch(batch.map((c) => c.body));
    const ok = batch.flatMap((c, i) => (scoresProblem(results[i]?.scores) ? [] : [{ commentId: c.id, scores: results[i]!.scores }]));
    // A comment the shadow cannot score is skipped, not retried: the shadow is a comparison, never a decision.
    store.writeShadowScores(shadow.model, ok, batch.at(-1)!.id, now());
    return batch.length;
  }

  const loop = createBackgroundLoop(step, {
    idlePollMs,
    onError: (err) => {
      deps.logger?.error({ err: err instanceof Error ? err.message : String(err) }, 'shadow scoring step failed');
      // A scorer that failed is loaded afresh at the next step.
      void release();
    },
  });

  return {
    start: loop.start,
    async stop(): Promise<void> {
      await loop.stop();
      await release();
    },
    /** New comments or a new shadow: look now rather than at the next poll. */
    wake: loop.wake,
    /** Resolves once every comment is shadow-scored (or the runner stopped). */
    idle: loop.idle,
  };
}

export type ShadowRunner = ReturnType<typeof createShadowRunner>;
