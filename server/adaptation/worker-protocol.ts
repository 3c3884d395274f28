import type { AdaptationPhase, AdaptationReport, AdaptOptions } from './service.ts';
import type { SiteHead } from './head.ts';
import type { TrainingDecision } from './store.ts';

/** What the training thread is given: plain data only (Maps and typed arrays survive the structured clone). */
export interface TrainerData {
  rows: TrainingDecision[];
  options: Omit<AdaptOptions, 'onProgress'>;
}

export type FromTrainer =
  | { type: 'progress'; phase: AdaptationPhase; done: number; total: number }
  | { type: 'done'; head: SiteHead; report: AdaptationReport }
  | { type: 'failed'; error: { name: string; message: string } };
