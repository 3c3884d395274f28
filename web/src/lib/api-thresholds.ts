/**
 * Typed calls for thresholds and reports (docs/api.md, "Thresholds and
 * reports"), through the dashboard's one `request`.
 */
import {
  request,
  type CommentList,
  type Label,
  type LabelAnalysis,
  type ShadowView,
  type Summary,
  type ThresholdHistoryEntry,
  type ThresholdsResource,
  type ThresholdsSaved,
  type ThresholdValues,
  type ThresholdVersion,
} from './api.ts';

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
  current: () => request<ThresholdsResource>('GET', '/api/thresholds'),
  /** Saves over `basedOn`, the version the screen shows; the server refuses (409) when another admin saved since. */
  save: (thresholds: Partial<ThresholdValues>, reason: string, basedOn: ThresholdVersion) =>
    request<ThresholdsSaved>('PUT', '/api/thresholds', { json: { thresholds, reason: reason.trim() || null, version: basedOn } }),
  history: () => request<{ versions: ThresholdHistoryEntry[] }>('GET', '/api/thresholds/history'),
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
