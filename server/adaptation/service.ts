/**
 * Site adaptation (issue 11): train a site head on the moderators' standing
 * decisions, guarded against the queue's bias and against forgetting
 * (guards.ts), and measure it against the model in force on the most recent
 * decisions, at the thresholds in force. `adaptRows` does it in-process
 * (tests, the bench); `createAdaptationService` runs it on a worker thread
 * (worker-main.ts) so the server's event loop never waits on training.
 */
import { Worker } from 'node:worker_threads';
import { Conflict, ValidationError } from '../errors.ts';
import { maxScore, type ThresholdValues } from '../flagging/rules.ts';
import { DEFAULT_THRESHOLDS } from '../thresholds/defaults.ts';
import { compare, flaggedByScores, queueMovement, type Comparison, type ModelScores } from './evaluate.ts';
import type { FrozenFeatures } from './features.ts';
import { ANCHOR_LAMBDA, anchorWeight, decisionWeights, DISTILL_MAX, DISTILL_SHARE, distillWeight, SAMPLE_WEIGHT, splitUndecided } from './guards.ts';
import type { HeadOptions, SiteHead } from './head.ts';
import { SITE_LABEL, siteLabelScores } from './site-scores.ts';
import { HELD_OUT_SHARE, MIN_DECISIONS, moderatorWeights, timeSplit, type ModeratorWeight } from './split.ts';
import { MAX_UNDECIDED, type AdaptationStore, type TrainingDecision, type UndecidedComment } from './store.ts';
import type { FromTrainer, TrainerData } from './worker-protocol.ts';

/** The model in force: the shipped model when `head` is null, else a site model whose head sits on the shipped model's features. */
export interface CurrentModel {
  model: string;
  head: SiteHead | null;
}

/** JSON-serialisable: the head travels beside it in AdaptationResult, never inside. */
export interface AdaptationReport {
  /** The shipped model the head sits on, `<id>@<version>`. */
  model: string;
  /** The model in force it was compared with. */
  current: string;
  /** Labelled comments found (one per comment: its latest standing decision). */
  decisions: number;
  /** Trained on: the oldest 80%. */
  trained: number;
  positivesTrained: number;
  /** The time of the last decision trained on and of the first held out (ms). */
  trainedUntil: number;
  heldOutFrom: number;
  /** Each moderator's weight (split.ts), before the sample factor. */
  moderators: ModeratorWeight[];
  /** Training decisions made on missed-abuse sample items, and the factor their weight was multiplied by. */
  samples: { trained: number; weight: number };
  /**
   * Distillation rows: undecided comments, target the model in force's
   * `target` score, together weighing `share` of the decisions' weight
   * (at most DISTILL_SHARE; less when few, each at most DISTILL_ROW_MAX of a decision).
   */
  distillation: { rows: number; share: number; target: typeof SITE_LABEL };
  /**
   * Anchor rows (anchor.ts: the shipped model's own training rows as features, target its own toxicity probability),
   * together weighing `weight` times the decisions (ANCHOR_LAMBDA). 0 rows when the model folder has no anchor.
   */
  anchor: { rows: number; weight: number };
  comparison: Comparison;
  /** The comment ids trained on, held out, and distilled from: pairwise disjoint; every held-out decision at least as recent as every trained one. */
  commentIds: { trained: number[]; heldOut: number[]; distilled: number[] };
  /** Each held-out comment's score (highest label score, site-scores.ts) from each model, in `commentIds.heldOut` order. */
  heldOutScores: { shipped: number[]; current: number[]; adapted: number[] };
  /** Time to featurise, train and evaluate. */
  ms: number;
}

/** What adaptRows returns: the report, and the head beside it (Maps and typed arrays do not survive JSON). */
export interface AdaptationResult {
  report: AdaptationReport;
  head: SiteHead;
}

export type AdaptationPhase = 'featurising' | 'training' | 'evaluating';

/** Progress of one phase: texts featurised, training steps, texts evaluated. */
export interface AdaptationProgress {
  phase: AdaptationPhase;
  done: number;
  total: number;
}

export interface AdaptOptions {
  /** Refuse below this many labelled comments (default MIN_DECISIONS, 200). */
  minDecisions?: number;
  head?: HeadOptions;
  /** The shipped model's folder (default models/local). */
  modelDir?: string;
  /** The thresholds in force (default DEFAULT_THRESHOLDS). */
  thresholds?: ThresholdValues;
  /** The model in force (default the shipped model). */
  current?: CurrentModel;
  /** Pending comments nobody decided, newest first (store.undecidedForComparison): distillation and queue movement. */
  undecided?: readonly UndecidedComment[];
  /** The distillation rows' share of the decisions' weight (default DISTILL_SHARE; 0 switches distillation off). */
  distillShare?: number;
  /** The anchor rows' total weight as a multiple of the decisions' (default ANCHOR_LAMBDA; 0 leaves the anchor out). */
  anchorLambda?: number;
  onProgress?: (progress: AdaptationProgress) => void;
}

/**
 * The refusals, before anything is loaded: fewer than `min` labelled
 * comments, or a training slice without approvals or without hides.
 */
export function checkRows(rows: readonly TrainingDecision[], min: number = MIN_DECISIONS): void {
  if (rows.length < min) {
    throw new ValidationError(
      `adapting the model needs at least ${min} decided comments; this database has ${rows.length} ` +
        `(a comment counts once, by its latest decision that was not undone; decisions made by a rule do not count)`,
      { decisions: rows.length, needed: min },
    );
  }
  const { train } = timeSplit(rows, HELD_OUT_SHARE);
  const positives = train.filter((r) => r.label === 1).length;
  if (positives === 0 || positives === train.length) {
    throw new ValidationError(`the ${train.length} decisions to train on are all ${positives === 0 ? 'approvals' : 'hides or escalations'}; a site model needs both`);
  }
}

/**
 * Trains a site head on `rows` (labelled comments, oldest first, as the store
 * gives them) plus distillation rows from `undecided`, and compares it with
 * the model in force on the held-out slice. Held-out rows reach only the
 * evaluation: their labels cannot change the head (test/adaptation flips
 * them), and no distillation or queue-movement comment is a held-out one.
 */
export async function adaptRows(rows: readonly TrainingDecision[], options: AdaptOptions = {}): Promise<AdaptationResult> {
  const started = performance.now();
  checkRows(rows, options.minDecisions ?? MIN_DECISIONS);
  const progress = options.onProgress ?? (() => {});
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  const share = options.distillShare ?? DISTILL_SHARE;
  const { train, heldOut } = timeSplit(rows, HELD_OUT_SHARE);
  const decided = new Set(rows.map((r) => r.commentId));
  const split = splitUndecided(options.undecided ?? [], decided, share > 0 ? DISTILL_MAX : 0);
  const held = new Set(heldOut.map((r) => r.commentId));
  // splitUndecided leaves out every decided comment; say so where it matters most.
  if ([...split.distill, ...split.compare].some((u) => held.has(u.commentId))) throw new Error('an undecided comment is in the held-out slice');

  const moderators = moderatorWeights(train);
  const weights = decisionWeights(train, moderators.perRow);
  // Loaded on first use: every process builds the service, few ever train.
  const [{ readFrozenModel }, { concatFeatures, featuriseInBatches }, { predictHead, trainHead }, { readAnchor }, { DEFAULT_MODEL_DIR }] = await Promise.all([
    import('./features.ts'),
    import('./batches.ts'),
    import('./head.ts'),
    import('./anchor.ts'),
    import('../scoring/local-model.ts'),
  ]);
  const modelDir = options.modelDir ?? DEFAULT_MODEL_DIR;
  const frozen = await readFrozenModel(modelDir);
  try {
    const lambda = options.anchorLambda ?? ANCHOR_LAMBDA;
    // Checked (SHA-256) even when not used, so a corrupt anchor is found at once; none in an older model folder.
    const anchor = await readAnchor(modelDir, frozen.manifest);
    const anchored = lambda > 0 && anchor !== null && anchor.features.n > 0 ? anchor : null;
    const outputOf = frozen.manifest.labels;
    const current: CurrentModel = options.current ?? { model: frozen.model, head: null };
    const texts = [train, split.distill, heldOut, split.compare].reduce((s, part) => s + part.length, 0);
    let featurised = 0;
    const featurise = (part: readonly { text: string }[]) =>
      featuriseInBatches(frozen, part.map((r) => r.text), (k) => progress({ phase: 'featurising', done: (featurised += k), total: texts }));
    progress({ phase: 'featurising', done: 0, total: texts });
    const siteFeatures = featurise([...train, ...split.distill]);
    // Anchor rows come last: they are features already, not site comments (never held out, never compared).
    const trainFeatures = anchored ? concatFeatures([siteFeatures, anchored.features]) : siteFeatures;
    const heldFeatures = featurise(heldOut);
    const compareFeatures = featurise(split.compare);
    if (current.head && current.head.dense.length !== trainFeatures.denseDim) {
      throw new Error(`the model in force (${current.model}) has ${current.head.dense.length} dense weights; ${frozen.model} gives ${trainFeatures.denseDim} features`);
    }

    // The model in force's own view of each text, and of its toxicity: the score a site head replaces.
    const currentHead = (f: FrozenFeatures) => (current.head ? predictHead(current.head, f) : null);
    const scoresOf = (f: FrozenFeatures, head: Float32Array | null) =>
      Array.from({ length: f.n }, (_, i) => siteLabelScores(outputOf, f.probs, f.outputs, i, head ? head[i]! : null));
    const trainCurrent = scoresOf(siteFeatures, currentHead(siteFeatures));
    const labels = new Float32Array(trainFeatures.n);
    const w = new Float32Array(trainFeatures.n);
    train.forEach((r, i) => {
      labels[i] = r.label;
      w[i] = weights[i]!;
    });
    const dw = distillWeight(weights, split.distill.length, share);
    for (let i = train.length; i < siteFeatures.n; i++) {
      // Soft target: the model in force's toxicity (0 where it gives none).
      labels[i] = trainCurrent[i]![SITE_LABEL] ?? 0;
      w[i] = dw;
    }
    // Soft target: the shipped model's own toxicity probability on its own training rows.
    const aw = anchored ? anchorWeight(weights, anchored.features.n, lambda) : 0;
    for (let i = 0; anchored && i < anchored.features.n; i++) {
      labels[siteFeatures.n + i] = anchored.target[i]!;
      w[siteFeatures.n + i] = aw;
    }

    const steps = options.head?.steps ?? 300;
    progress({ phase: 'training', done: 0, total: steps });
    // A step takes tens of milliseconds on 10,000 decisions: every tenth is told.
    const head = trainHead(trainFeatures, labels, w, { ...options.head, onStep: (step) => (step % 10 === 0 || step === steps) && progress({ phase: 'training', done: step, total: steps }) });

    const evaluated = heldOut.length + split.compare.length;
    progress({ phase: 'evaluating', done: 0, total: evaluated });
    const model = (f: FrozenFeatures, h: Float32Array | null): ModelScores & { scores: number[]; flagged: boolean[] } => {
      const s = scoresOf(f, h);
      return { scores: s.map((x) => maxScore(x) ?? 0), flagged: s.map((x) => flaggedByScores(x, thresholds)) };
    };
    const shipped = model(heldFeatures, null);
    const inForce = model(heldFeatures, currentHead(heldFeatures));
    const adapted = model(heldFeatures, predictHead(head, heldFeatures));
    progress({ phase: 'evaluating', done: heldOut.length, total: evaluated });
    const queue =
      split.compare.length === 0 ? null : queueMovement(model(compareFeatures, currentHead(compareFeatures)).flagged, model(compareFeatures, predictHead(head, compareFeatures)).flagged);
    progress({ phase: 'evaluating', done: evaluated, total: evaluated });

    const report: AdaptationReport = {
      model: frozen.model,
      current: current.model,
      decisions: rows.length,
      trained: train.length,
      positivesTrained: train.filter((r) => r.label === 1).length,
      trainedUntil: train.at(-1)!.decidedAt,
      heldOutFrom: heldOut[0]!.decidedAt,
      moderators: moderators.moderators,
      samples: { trained: train.filter((r) => r.sampled).length, weight: SAMPLE_WEIGHT },
      distillation: { rows: split.distill.length, share: shareOf(dw * split.distill.length, weights), target: SITE_LABEL },
      anchor: { rows: anchored?.features.n ?? 0, weight: anchored ? lambda : 0 },
      comparison: compare(heldOut.map((r) => r.label), { shipped, current: { model: current.model, ...inForce }, adapted }, thresholds, queue),
      commentIds: { trained: train.map((r) => r.commentId), heldOut: heldOut.map((r) => r.commentId), distilled: split.distill.map((u) => u.commentId) },
      heldOutScores: { shipped: [...shipped.scores], current: [...inForce.scores], adapted: [...adapted.scores] },
      ms: Math.round(performance.now() - started),
    };
    return { report, head };
  } finally {
    frozen.dispose();
  }
}

/** `part` as a share of the total of `weights`, rounded to 4 places for the report. */
function shareOf(part: number, weights: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i]!;
  return total > 0 ? Math.round((part / total) * 1e4) / 1e4 : 0;
}

// ---- training on a worker thread ----------------------------------------

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);

export interface AdaptationDeps {
  store: AdaptationStore;
  modelDir?: string;
  now: () => number;
  thresholds: () => ThresholdValues;
  current: () => CurrentModel;
  /** Saves the trained site model; returns its name, e.g. "triage-site@3". Called on the main thread, once, when training succeeds. */
  onTrained: (trained: { head: SiteHead; report: AdaptationReport; by: { id: number; name: string } | null }) => string;
}

export interface TrainingJob {
  id: number;
  state: 'running' | 'done' | 'failed';
  /** reading: the worker is starting and reading the shipped model; saving: onTrained runs. */
  phase: 'reading' | AdaptationPhase | 'saving';
  /** Within the phase: texts featurised, training steps, texts evaluated. */
  done: number;
  total: number;
  startedAt: number;
  finishedAt: number | null;
  /** Who started it; null from the command line. */
  by: string | null;
  error: string | null;
  /** The saved site model's name once done. */
  model: string | null;
  decisions: number;
}

export interface StartOptions {
  minDecisions?: number;
  head?: HeadOptions;
  distillShare?: number;
  anchorLambda?: number;
  /** Called on the main thread at each change of the job (phase, progress, end). */
  onProgress?: (job: TrainingJob) => void;
  /** Called on the main thread with the report when training succeeds, before onTrained saves it (the CLI prints it). */
  onReport?: (report: AdaptationReport) => void;
}

/**
 * Training in the background: one job at a time, on its own worker thread.
 * The main thread reads the rows (fast) and checks them, so a refusal is
 * immediate; the worker featurises, trains and evaluates; the main thread
 * saves the result through `onTrained`. The latest job lives in memory only.
 */
export function createAdaptationService(deps: AdaptationDeps) {
  let latest: TrainingJob | null = null;
  let running: { worker: Worker; ended: Promise<TrainingJob>; stopping: boolean } | null = null;
  let ids = 0;
  const snapshot = () => ({ ...latest! });

  function start(by: { id: number; name: string } | null, options: StartOptions = {}): TrainingJob {
    if (running) {
      throw new Conflict(`a site model is already training (started ${latest!.by ? `by ${latest!.by}` : 'from the command line'}); wait for it to finish`, { job: latest!.id });
    }
    const rows = deps.store.decisionsForTraining();
    const minDecisions = options.minDecisions ?? MIN_DECISIONS;
    checkRows(rows, minDecisions);
    const data: TrainerData = {
      rows,
      options: {
        minDecisions,
        head: options.head,
        modelDir: deps.modelDir,
        distillShare: options.distillShare,
        anchorLambda: options.anchorLambda,
        thresholds: deps.thresholds(),
        current: deps.current(),
        undecided: deps.store.undecidedForComparison(MAX_UNDECIDED),
      },
    };
    const job: TrainingJob = {
      id: ++ids,
      state: 'running',
      phase: 'reading',
      done: 0,
      total: 0,
      startedAt: deps.now(),
      finishedAt: null,
      by: by?.name ?? null,
      error: null,
      model: null,
      decisions: rows.length,
    };
    latest = job;
    const changed = () => options.onProgress?.({ ...job });
    const worker = new Worker(ENTRY, { workerData: data });
    let settle!: (job: TrainingJob) => void;
    const ended = new Promise<TrainingJob>((resolve) => (settle = resolve));
    const me = { worker, ended, stopping: false };
    running = me;

    const finish = (patch: Partial<TrainingJob>) => {
      if (job.state !== 'running') return;
      Object.assign(job, patch, { finishedAt: deps.now() });
      if (running === me) running = null;
      changed();
      void worker.terminate();
      settle({ ...job });
    };

    worker.on('message', (message: FromTrainer) => {
      if (job.state !== 'running') return;
      switch (message.type) {
        case 'progress':
          Object.assign(job, { phase: message.phase, done: message.done, total: message.total });
          changed();
          return;
        case 'done': {
          Object.assign(job, { phase: 'saving', done: 0, total: 1 });
          changed();
          let model: string;
          try {
            options.onReport?.(message.report);
            model = deps.onTrained({ head: message.head, report: message.report, by });
          } catch (error) {
            finish({ state: 'failed', error: `training succeeded but saving the model failed: ${error instanceof Error ? error.message : String(error)}` });
            return;
          }
          finish({ state: 'done', done: 1, model });
          return;
        }
        case 'failed':
          finish({ state: 'failed', error: message.error.message });
          return;
      }
    });
    worker.on('error', (error) => finish({ state: 'failed', error: error.message }));
    worker.on('exit', (code) => finish({ state: 'failed', error: me.stopping ? 'stopped: the server is shutting down' : `the training worker exited (code ${code}) before it finished` }));
    return snapshot();
  }

  return {
    start,
    /** The latest job, running or ended; null before any (a restart forgets it). */
    job: (): TrainingJob | null => (latest ? snapshot() : null),
    /** Resolves when the running job ends, or at once with the latest job; rejects when there has been none. */
    wait(): Promise<TrainingJob> {
      if (running) return running.ended;
      return latest ? Promise.resolve(snapshot()) : Promise.reject(new Error('no site model has been trained since the server started'));
    },
    /** Terminates a running training (server shutdown); the job ends as failed. */
    async stop(): Promise<void> {
      const r = running;
      if (!r) return;
      r.stopping = true;
      await r.worker.terminate();
      await r.ended;
    },
  };
}

export type AdaptationService = ReturnType<typeof createAdaptationService>;
