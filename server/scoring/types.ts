import type { LabelScores } from './labels.ts';

/** Which model scores comments: ours (default), Google's, or Google's when its weights are present. */
export type ModelChoice = 'local' | 'toxicity' | 'auto';

/** One scored text. */
export interface ScoredText {
  scores: LabelScores;
  /** `<model id>@<version>`, stored with every score so a report can say which model produced it. */
  model: string;
}

/**
 * Scores comment texts. Implementations load their model once and must be
 * disposed of when the process no longer needs them.
 */
export interface Scorer {
  /** `<model id>@<version>` of the loaded model. */
  readonly model: string;
  /** Scores texts in order; one result per text. Never throws for odd text (empty, huge, any Unicode). */
  scoreBatch(texts: string[]): Promise<ScoredText[]>;
  dispose(): Promise<void>;
}
