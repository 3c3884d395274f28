/**
 * Typed calls for site models (server/adaptation/routes.ts), through the
 * dashboard's one `request`, and a defensive reader for a site model's
 * training report, which the wire types as `unknown`.
 */
import {
  request,
  type ModelsOverview,
  type PutInForceAnswer,
  type ShadowStopped,
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

/** One model's figures on the held-out decisions; null where the report lacks them. */
export interface ReportFigures {
  rocAuc: number | null;
  /** 1.96 × the standard error of rocAuc. */
  rocAucHalfWidth: number | null;
  prAuc: number | null;
  /** Half width of a 95% interval on prAuc, where the report gives one. */
  prAucHalfWidth: number | null;
  /** Flagged by scores at the thresholds in force, and their precision and recall against the moderators. */
  flagged: number | null;
  precision: number | null;
  recall: number | null;
}

export interface ReportModerator {
  moderator: string;
  decisions: number | null;
  weight: number | null;
  share: number | null;
}

/** What the Model screen reads of a site model's training report (server/adaptation/service.ts, AdaptationReport). */
export interface SiteModelReport {
  /** The model in force it was compared with. */
  current: string | null;
  decisions: number | null;
  trained: number | null;
  heldOut: number | null;
  positives: number | null;
  negatives: number | null;
  currentFigures: ReportFigures;
  adaptedFigures: ReportFigures;
  /** On pending comments nobody decided: how many the candidate would add to and take out of the queue. */
  queue: { compared: number | null; enter: number | null; leave: number | null } | null;
  warnings: string[];
  moderators: ReportModerator[];
  samples: { trained: number | null; weight: number | null } | null;
  distillation: { rows: number | null; share: number | null } | null;
}

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function figures(v: unknown): ReportFigures {
  const f = obj(v) ?? {};
  const at = obj(f.atThresholds) ?? {};
  return {
    rocAuc: num(f.rocAuc),
    rocAucHalfWidth: num(f.rocAucHalfWidth),
    prAuc: num(f.prAuc),
    prAucHalfWidth: num(f.prAucHalfWidth),
    flagged: num(at.flagged),
    precision: num(at.precision),
    recall: num(at.recall),
  };
}

/**
 * Reads a site model's report field by field: a missing or mistyped field
 * becomes null (or an empty list), so the screen renders whatever the
 * server's report holds today.
 */
export function readReport(report: unknown): SiteModelReport {
  const r = obj(report) ?? {};
  const c = obj(r.comparison) ?? {};
  const q = obj(c.queue);
  const s = obj(r.samples);
  const d = obj(r.distillation);
  const moderators = Array.isArray(r.moderators) ? r.moderators : [];
  return {
    current: str(obj(c.current)?.model) ?? str(r.current),
    decisions: num(r.decisions),
    trained: num(r.trained),
    heldOut: num(c.heldOut),
    positives: num(c.positives),
    negatives: num(c.negatives),
    currentFigures: figures(c.current),
    adaptedFigures: figures(c.adapted),
    queue: q ? { compared: num(q.compared), enter: num(q.enter), leave: num(q.leave) } : null,
    warnings: Array.isArray(c.warnings) ? c.warnings.filter((w): w is string => typeof w === 'string') : [],
    moderators: moderators.flatMap((m) => {
      const o = obj(m);
      const name = o ? str(o.moderator) : null;
      return o && name !== null ? [{ moderator: name, decisions: num(o.decisions), weight: num(o.weight), share: num(o.share) }] : [];
    }),
    samples: s ? { trained: num(s.trained), weight: num(s.weight) } : null,
    distillation: d ? { rows: num(d.rows), share: num(d.share) } : null,
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
