import type { ReportFilter, Summary } from '../reports/summary.ts';
import type { Label } from '../scoring/labels.ts';
import type { ThresholdService } from '../thresholds/service.ts';
import type { LabelAnalysis, ListedComment, ShadowView } from '../wire.ts';
import type { ReportService } from '../reports/service.ts';

/**
 * The read-only computations that may run off the main thread, by name: the
 * services' own functions, given plain data in and returning plain data.
 */
export interface ReadJobs {
  'thresholds.analyse': { args: { label: Label; opts: Parameters<ThresholdService['analyse']>[1] }; result: LabelAnalysis };
  'thresholds.whatIf': {
    args: { label: Label; candidate: number | null; direction: 'entering' | 'leaving'; offset: number; limit: number };
    result: { count: number; items: ListedComment[] };
  };
  'thresholds.shadow': { args: Record<string, never>; result: ShadowView };
  'reports.summary': { args: { filter: ReportFilter }; result: Summary };
}

export type ReadJobName = keyof ReadJobs;

export type ReadJobTable = { [K in ReadJobName]: (args: ReadJobs[K]['args']) => ReadJobs[K]['result'] };

/** What the main thread knows and the job needs: the model in force and the clock's reading. */
export interface ReadContext {
  model: string | null;
  now: number;
}

/** The jobs, as calls on one set of services (the composition root's, in whichever thread runs them). */
export function readJobs(services: { thresholds: ThresholdService; reports: ReportService }): ReadJobTable {
  const { thresholds, reports } = services;
  return {
    'thresholds.analyse': ({ label, opts }) => thresholds.analyse(label, opts),
    'thresholds.whatIf': ({ label, candidate, direction, offset, limit }) => thresholds.whatIfPage(label, candidate, direction, offset, limit),
    'thresholds.shadow': () => thresholds.shadow(),
    'reports.summary': ({ filter }) => reports.summary(filter),
  };
}
