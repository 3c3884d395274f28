/**
 * Typed calls for thresholds and reports (docs/api.md, "Thresholds and
 * reports"), through the dashboard's one `request`.
 */
import type { Agreement, CurvePoint, HistogramBin, Sample } from '../../../server/thresholds/analysis.ts';
import type { ThresholdValues } from '../../../server/thresholds/flags.ts';
import type {
  LabelAnalysis,
  ListedComment,
  PointWithSample,
  ShadowView,
  UpdateResult as SaveResult,
} from '../../../server/thresholds/service.ts';
import type { ThresholdHistoryEntry as HistoryEntry, ThresholdVersion } from '../../../server/thresholds/store.ts';
import type { Summary } from '../../../server/reports/summary.ts';
import { request, type Label } from './api.ts';

// The wire types are the server's own, imported as types only (Vite erases
// them). `ListedComment.snippet` is untrusted text: render it with
// `{snippet}`, never as HTML.
export type {
  Agreement,
  CurvePoint,
  HistogramBin,
  HistoryEntry,
  LabelAnalysis,
  ListedComment,
  PointWithSample,
  Sample,
  SaveResult,
  ShadowView,
  Summary,
  ThresholdValues,
  ThresholdVersion,
};

/** One page of the comments a candidate threshold would move into or out of the queue. */
export type CommentList = LabelAnalysis['whatIf']['entering'];

export interface ReportFilters {
  /** YYYY-MM-DD (UTC), inclusive. */
  from: string;
  /** YYYY-MM-DD (UTC), inclusive. */
  to: string;
  threads: number[];
  labels: Label[];
}

const threshold = (t: number | null) => (t === null ? 'off' : String(t));

/** The report query string; threads and labels repeat their parameter. */
export function reportQuery(f: ReportFilters, format?: string): string {
  const q = new URLSearchParams();
  if (f.from) q.set('from', f.from);
  if (f.to) q.set('to', f.to);
  for (const t of f.threads) q.append('threads', String(t));
  for (const l of f.labels) q.append('labels', l);
  if (format) q.set('format', format);
  return q.toString();
}

export const thresholdsApi = {
  current: () => request<{ version: ThresholdVersion }>('GET', '/api/thresholds'),
  save: (thresholds: Partial<ThresholdValues>, reason: string) =>
    request<SaveResult>('PUT', '/api/thresholds', { json: reason.trim() ? { thresholds, reason: reason.trim() } : { thresholds } }),
  history: () => request<{ versions: HistoryEntry[] }>('GET', '/api/thresholds/history'),
  analysis: (label: Label, candidate: number | null, target: { metric: 'precision' | 'recall'; value: number } | null) =>
    request<LabelAnalysis>('GET', `/api/thresholds/${label}/analysis`, {
      query: {
        candidate: threshold(candidate),
        targetPrecision: target?.metric === 'precision' ? target.value : undefined,
        targetRecall: target?.metric === 'recall' ? target.value : undefined,
      },
    }),
  whatIf: (label: Label, candidate: number | null, direction: 'entering' | 'leaving', offset: number, limit = 50) =>
    request<CommentList>('GET', `/api/thresholds/${label}/what-if`, { query: { candidate: threshold(candidate), direction, offset, limit } }),
  shadow: () => request<ShadowView>('GET', '/api/thresholds/shadow'),
  summary: (f: ReportFilters) => request<Summary>('GET', `/api/reports/summary?${reportQuery(f)}`),
};

/** Where a download link points: the server answers with a file. */
export function reportUrl(kind: 'summary' | 'decisions', f: ReportFilters, format: string): string {
  return `/api/reports/${kind}?${reportQuery(f, format)}`;
}
