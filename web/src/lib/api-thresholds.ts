/**
 * Typed calls for thresholds and reports (docs/api.md, "Thresholds and
 * reports"), through the dashboard's one `request`.
 */
import type { Agreement, CurvePoint, HistogramBin, Sample, Suggestion, WhatIf } from '../../../server/thresholds/analysis.ts';
import type { Summary } from '../../../server/reports/summary.ts';
import { request, type Label } from './api.ts';

export type { Agreement, CurvePoint, HistogramBin, Sample, Summary };
export type ThresholdValues = Record<Label, number | null>;

export interface ThresholdVersion {
  id: number;
  moderatorId: number | null;
  reason: string | null;
  createdAt: number;
  values: ThresholdValues;
}

export interface ThresholdChange {
  label: Label;
  old: number | null;
  new: number | null;
}

export interface HistoryEntry extends ThresholdVersion {
  moderator: string | null;
  changes: ThresholdChange[];
}

export interface SaveResult {
  version: ThresholdVersion;
  changes: ThresholdChange[];
  reevaluation: { flagsRaised: number; flagsRemoved: number; commentsFlagged: number; commentsUnflagged: number; queueEntered: number; queueLeft: number };
  ms: number;
}

export interface ListedComment {
  id: number;
  threadId: number;
  threadTitle: string;
  author: string | null;
  /** Untrusted text: render with `{snippet}`, never as HTML. */
  snippet: string;
  status: string;
  score: number;
}

export interface CommentList {
  count: number;
  items: ListedComment[];
}

export type PointWithSample = CurvePoint & { sample: Sample };

export interface LabelAnalysis {
  label: Label;
  model: string | null;
  thresholdVersion: number;
  current: number | null;
  candidate: number | null;
  counts: { scored: number; decided: number; positives: number; negatives: number; undecided: number };
  histogram: HistogramBin[];
  curve: CurvePoint[];
  curvePoints: number;
  atCurrent: PointWithSample;
  atCandidate: PointWithSample;
  suggestion: (Suggestion & { sample: Sample | null }) | null;
  whatIf: { entering: CommentList; leaving: CommentList; decided: WhatIf['decided'] };
}

export interface ShadowView {
  model: string | null;
  thresholdVersion: number;
  overall: Agreement;
  perLabel: ({ label: Label; threshold: number | null } & Agreement)[];
  perThread: ({ threadId: number; threadTitle: string } & Agreement)[];
  perModerator: ({ moderator: string } & Agreement)[];
}

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
