/**
 * Typed calls for site models (server/adaptation/routes.ts), through the
 * dashboard's one `request`, and a site model's training report as the
 * Model screen's tables read it.
 */
import {
  request,
  type ModelsOverview,
  type PutInForceAnswer,
  type ShadowStopped,
  type SiteModelSummary,
  type TrainingStarted,
} from './api.ts';

export const modelsApi = {
  overview: () => request<ModelsOverview>('GET', '/api/models'),
  /** Admins: trains a site model in the background; 400 below 200 decided comments, 409 while one trains. */
  train: () => request<TrainingStarted>('POST', '/api/models/training'),
  /**
   * Admins: puts `model` in force (a promotion, or a rollback to an earlier
   * one, the shipped model included). `basedOn` is the overview's `version`:
   * the server refuses (409) when the history changed since.
   */
  putInForce: (model: string, reason: string, basedOn: number) =>
    request<PutInForceAnswer>('PUT', '/api/models/in-force', { json: { model, reason: reason.trim(), version: basedOn } }),
  startShadow: (model: string) => request<{ shadow: string }>('PUT', '/api/models/shadow', { json: { model } }),
  stopShadow: () => request<ShadowStopped>('DELETE', '/api/models/shadow'),
};

type Report = SiteModelSummary['report'];
type Figures = Report['comparison']['adapted'];

/** One model's figures on the held-out decisions. */
export interface ReportFigures {
  rocAuc: number | null;
  /** 1.96 × the standard error of rocAuc. */
  rocAucHalfWidth: number | null;
  prAuc: number | null;
  /** Flagged by scores at the thresholds in force, and their precision and recall against the moderators. */
  flagged: number;
  precision: number | null;
  recall: number | null;
}

/** What the Model screen shows of a site model's training report (SiteModelReportSchema), flattened for its tables. */
export interface SiteModelReport {
  /** The model in force it was compared with. */
  current: string;
  decisions: number;
  trained: number;
  heldOut: number;
  positives: number;
  negatives: number;
  currentFigures: ReportFigures;
  adaptedFigures: ReportFigures;
  /** On pending comments nobody decided: how many the candidate would add to and take out of the queue. */
  queue: Report['comparison']['queue'];
  warnings: string[];
  moderators: Report['moderators'];
  samples: Report['samples'];
  distillation: Report['distillation'];
  /** The shipped model's own training rows trained on; 0 rows for models trained before anchors. */
  anchor: NonNullable<Report['anchor']>;
}

const figures = (f: Figures): ReportFigures => ({ rocAuc: f.rocAuc, rocAucHalfWidth: f.rocAucHalfWidth, prAuc: f.prAuc, ...f.atThresholds });

export function readReport(r: Report): SiteModelReport {
  const c = r.comparison;
  return {
    current: c.current.model,
    decisions: r.decisions,
    trained: r.trained,
    heldOut: c.heldOut,
    positives: c.positives,
    negatives: c.negatives,
    currentFigures: figures(c.current),
    adaptedFigures: figures(c.adapted),
    queue: c.queue,
    warnings: c.warnings,
    moderators: r.moderators,
    samples: r.samples,
    distillation: r.distillation,
    anchor: r.anchor ?? { rows: 0, weight: 0 },
  };
}

/** A figure to 3 decimals, "n/a" when unknown. */
export function fixed3(n: number | null): string {
  return n === null ? 'n/a' : n.toFixed(3);
}

/** "0.912 ± 0.041", or without the interval when there is none. */
export function withInterval(n: number | null, halfWidth: number | null): string {
  return n === null ? 'n/a' : halfWidth === null ? n.toFixed(3) : `${n.toFixed(3)} ± ${halfWidth.toFixed(3)}`;
}
