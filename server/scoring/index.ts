import { ScorerUnavailable } from '../errors.ts';
import { initBackend, silentLogger, type BackendName, type ScoringLogger } from './backend.ts';
import { DEFAULT_TOXICITY_DIR, loadToxicityModel, missingToxicityFiles } from './toxicity-model.ts';
import type { SiteModelFiles } from '../adaptation/site-scorer.ts';
import type { ModelChoice, Scorer } from './types.ts';
import { startWorkerScorer } from './worker-scorer.ts';
import type { WorkerModelOptions } from './worker-protocol.ts';

export type { ModelChoice, ScoredText, Scorer } from './types.ts';
export type { ScoringLogger } from './backend.ts';

export interface CreateScorerOptions {
  /** `local` = ours (default), `toxicity` = Google's, `auto` = Google's when its folder is complete, else ours. */
  model?: ModelChoice;
  /** Folder of Google's model; default `models/toxicity/` in the project root. */
  toxicityDir?: string;
  /** Folder of our model; default: local-model.ts's own. */
  localDir?: string;
  /** Score in a worker thread so the event loop stays free (default true). */
  inWorker?: boolean;
  /** Told which model and backend were chosen; never told comment text. */
  logger?: ScoringLogger;
  /** A site model to score with, over the local model (`model` must then be `local`). */
  site?: SiteModelFiles;
}

/**
 * Turns a model choice into the model to load. `toxicity` with an incomplete
 * folder is an error naming what is missing, never a silent switch to ours.
 */
export function resolveModel(choice: ModelChoice, toxicityDir: string = DEFAULT_TOXICITY_DIR): WorkerModelOptions['model'] {
  if (choice === 'local') return 'local';
  const missing = missingToxicityFiles(toxicityDir);
  if (choice === 'auto') return missing.length === 0 ? 'toxicity' : 'local';
  if (missing.length > 0) {
    throw new ScorerUnavailable(
      `Google's toxicity model is incomplete in ${toxicityDir}: missing ${missing.join(', ')}. ` +
        'Run `npm run model:fetch` where the internet is reachable (the weights are not in the repository).',
    );
  }
  return 'toxicity';
}

/**
 * Loads a model in the calling thread, after choosing the backend. The worker
 * thread calls this too; everyone else should use createScorer.
 */
export async function loadInThisThread(options: WorkerModelOptions, logger: ScoringLogger): Promise<{ scorer: Scorer; backend: BackendName }> {
  const backend = await initBackend(logger);
  if (options.model === 'toxicity') return { scorer: await loadToxicityModel(options.toxicityDir), backend };
  // Imported on demand so each thread loads only the model it runs.
  if (options.site) {
    const { loadSiteScorer } = await import('../adaptation/site-scorer.ts');
    return { scorer: await loadSiteScorer(options.site, options.localDir), backend };
  }
  const { loadLocalModel } = await import('./local-model.ts');
  const scorer = await loadLocalModel(options.localDir);
  return { scorer, backend };
}

/**
 * Loads the chosen model once, in a worker thread by default, and logs which
 * model and backend it uses. Dispose of the scorer on shutdown.
 */
export async function createScorer(options: CreateScorerOptions = {}): Promise<Scorer> {
  const { model: choice = 'local', toxicityDir = DEFAULT_TOXICITY_DIR, localDir, inWorker = true, logger = silentLogger, site } = options;
  const model = resolveModel(choice, toxicityDir);
  if (site && model !== 'local') throw new ScorerUnavailable(`${site.model} sits on ${site.baseModel}; it cannot score with Google's toxicity model`);
  const workerOptions: WorkerModelOptions = { model, toxicityDir, localDir, site };
  const started = Date.now();
  const { scorer, backend } = inWorker
    ? await startWorkerScorer(workerOptions, logger).then((s) => ({ scorer: s, backend: s.backend }))
    : await loadInThisThread(workerOptions, logger);
  logger.info(
    { model: scorer.model, choice, backend, inWorker, loadMs: Date.now() - started },
    `Scoring with ${scorer.model} on the ${backend} backend${inWorker ? ' in a worker thread' : ''}`,
  );
  return scorer;
}
