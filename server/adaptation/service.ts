/**
 * Site adaptation, first step (issue 11): train a site head on the
 * moderators' standing decisions and measure it against the shipped model on
 * the most recent ones. Nothing is stored or promoted: the report is all.
 */
import { ValidationError } from '../errors.ts';
import { compare, type Comparison } from './evaluate.ts';
import type { HeadOptions } from './head.ts';
import { HELD_OUT_SHARE, MIN_DECISIONS, moderatorWeights, timeSplit, type ModeratorWeight } from './split.ts';
import type { AdaptationStore, TrainingDecision } from './store.ts';

export interface AdaptationReport {
  /** The shipped model the head sits on, `<id>@<version>`. */
  model: string;
  /** Labelled comments found (one per comment: its latest standing decision). */
  decisions: number;
  /** Trained on: the oldest 80%. */
  trained: number;
  positivesTrained: number;
  /** The time of the last decision trained on and of the first held out (ms). */
  trainedUntil: number;
  heldOutFrom: number;
  moderators: ModeratorWeight[];
  comparison: Comparison;
  /** The comment ids trained on and held out: disjoint, every held-out decision at least as recent. */
  commentIds: { trained: number[]; heldOut: number[] };
  /** Each held-out comment's score from the shipped model (highest label) and from the head, in `commentIds.heldOut` order. */
  heldOutScores: { shipped: number[]; adapted: number[] };
  /** Time to featurise, train and evaluate. */
  ms: number;
}

export interface AdaptationDeps {
  store: AdaptationStore;
  /** The shipped model's folder (default models/local). */
  modelDir?: string;
}

export interface AdaptOptions {
  /** Refuse below this many labelled comments (default MIN_DECISIONS, 200). */
  minDecisions?: number;
  head?: HeadOptions;
  /** The shipped model's folder (default models/local). */
  modelDir?: string;
}

/**
 * Trains a site head on `rows` (labelled comments, oldest first, as the store
 * gives them) and compares it with the shipped model on the held-out slice.
 * Refuses (ValidationError) below `minDecisions` rows, or when the training
 * slice lacks approvals or hides. Held-out rows reach only the evaluation:
 * their labels cannot change the head (test/adaptation/adapt.test.ts flips them).
 */
export async function adaptRows(rows: readonly TrainingDecision[], options: AdaptOptions = {}): Promise<AdaptationReport> {
  const min = options.minDecisions ?? MIN_DECISIONS;
  const started = performance.now();
  if (rows.length < min) {
    throw new ValidationError(
      `adapting the model needs at least ${min} decided comments; this database has ${rows.length} ` +
        `(a comment counts once, by its latest decision that was not undone; decisions made by a rule do not count)`,
      { decisions: rows.length, needed: min },
    );
  }
  const { train, heldOut } = timeSplit(rows, HELD_OUT_SHARE);
  const positivesTrained = train.filter((r) => r.label === 1).length;
  if (positivesTrained === 0 || positivesTrained === train.length) {
    throw new ValidationError(
      `the ${train.length} decisions to train on are all ${positivesTrained === 0 ? 'approvals' : 'hides or escalations'}; a site model needs both`,
    );
  }
  const weights = moderatorWeights(train);
  // Loaded on first use: every process builds the service (createTriage), few ever train.
  const [{ frozenFeatures, readFrozenModel }, { predictHead, trainHead }] = await Promise.all([import('./features.ts'), import('./head.ts')]);
  const frozen = await readFrozenModel(options.modelDir);
  try {
    const trainFeatures = frozenFeatures(frozen, train.map((r) => r.text));
    const head = trainHead(trainFeatures, train.map((r) => r.label), weights.perRow, options.head);
    const heldFeatures = frozenFeatures(frozen, heldOut.map((r) => r.text));
    const adapted = predictHead(head, heldFeatures);
    return {
      model: frozen.model,
      decisions: rows.length,
      trained: train.length,
      positivesTrained,
      trainedUntil: train.at(-1)!.decidedAt,
      heldOutFrom: heldOut[0]!.decidedAt,
      moderators: weights.moderators,
      comparison: compare(heldOut.map((r) => r.label), heldFeatures.shipped, adapted),
      commentIds: { trained: train.map((r) => r.commentId), heldOut: heldOut.map((r) => r.commentId) },
      heldOutScores: { shipped: [...heldFeatures.shipped], adapted: [...adapted] },
      ms: Math.round(performance.now() - started),
    };
  } finally {
    frozen.dispose();
  }
}

export function createAdaptationService(deps: AdaptationDeps) {
  return {
    /** adaptRows over every labelled comment of the database. */
    adapt: (options: Omit<AdaptOptions, 'modelDir'> = {}): Promise<AdaptationReport> =>
      adaptRows(deps.store.decisionsForTraining(), { ...options, modelDir: deps.modelDir }),
  };
}

export type AdaptationService = ReturnType<typeof createAdaptationService>;
