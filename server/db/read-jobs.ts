import { createReportService } from '../reports/service.ts';
import type { ReportFilter, Summary } from '../reports/summary.ts';
import type { Label } from '../scoring/labels.ts';
import { createThresholdService, type LabelAnalysis, type ListedComment, type ShadowView, type ThresholdService } from '../thresholds/service.ts';
import type { Db } from './open.ts';

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

/** What the main thread knows and the job needs: the model in force and the clock's reading. */
export interface ReadContext {
  model: string | null;
  now: number;
}

/**
 * One set of services on `db`, kept for every job so the threshold service's
 * analysis cache lives as long as the connection.
 */
export function createReadJobs(db: Db) {
  let ctx: ReadContext = { model: null, now: 0 };
  const thresholds = createThresholdService({ db, clock: () => ctx.now, model: () => ctx.model });
  const reports = createReportService({ db, clock: () => ctx.now, model: () => ctx.model });
  const jobs: { [K in ReadJobName]: (args: ReadJobs[K]['args']) => ReadJobs[K]['result'] } = {
    'thresholds.analyse': ({ label, opts }) => thresholds.analyse(label, opts),
    'thresholds.whatIf': ({ label, candidate, direction, offset, limit }) => thresholds.whatIfPage(label, candidate, direction, offset, limit),
    'thresholds.shadow': () => thresholds.shadow(),
    'reports.summary': ({ filter }) => reports.summary(filter),
  };
  return {
    run<K extends ReadJobName>(name: K, args: ReadJobs[K]['args'], context: ReadContext): ReadJobs[K]['result'] {
      const job = jobs[name] as ((a: ReadJobs[K]['args']) => ReadJobs[K]['result']) | undefined;
      if (!job) throw new Error(`Unknown read job ${String(name)}`);
      ctx = context;
      return job(args);
    },
  };
}
