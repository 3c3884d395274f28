import { ValidationError } from '../errors.ts';
import { LABELS, isLabel, type Label } from '../scoring/labels.ts';
import type { ReportFilter } from './summary.ts';

const DAY = 24 * 60 * 60 * 1000;
/** Without a `from`, a report covers the 30 days before `to`. */
export const DEFAULT_DAYS = 30;

/**
 * A time from a query string or the command line: epoch milliseconds, a date
 * (YYYY-MM-DD, UTC) or an ISO 8601 time. A date as the end of a period
 * includes that whole day.
 */
export function parseTime(value: string, field: string, end: boolean): number {
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const t = Date.parse(`${v}T00:00:00Z`);
    if (!Number.isNaN(t)) return end ? t + DAY : t;
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(v)) {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return t;
  }
  throw new ValidationError(`${field} must be a date (YYYY-MM-DD), an ISO 8601 time or epoch milliseconds, got "${value}"`, { field });
}

/** Checks and completes a report filter; `where` prefixes field names in errors ("querystring/" or "--"). */
export function resolveFilter(
  raw: { from?: string; to?: string; threads?: (number | string)[]; labels?: string[] },
  now: number,
  where = '',
): ReportFilter {
  // Without a `to`, the period runs up to and including now.
  const to = raw.to !== undefined ? parseTime(raw.to, `${where}to`, true) : now + 1;
  const from = raw.from !== undefined ? parseTime(raw.from, `${where}from`, false) : to - DEFAULT_DAYS * DAY;
  if (from >= to) throw new ValidationError(`${where}from must be before ${where}to`, { field: `${where}from` });
  const threads = (raw.threads ?? []).map((t) => {
    const n = Number(t);
    if (!Number.isInteger(n) || n < 1) throw new ValidationError(`${where}thread must be a thread id (a positive integer), got "${t}"`, { field: `${where}thread` });
    return n;
  });
  const labels = (raw.labels ?? []).map((l): Label => {
    if (!isLabel(l)) throw new ValidationError(`${where}label must be one of ${LABELS.join(', ')}, got "${l}"`, { field: `${where}label` });
    return l;
  });
  return { from, to, threads: threads.length ? threads : null, labels: labels.length ? labels : null };
}

/** `triage-<what>-<from>-<to>.<ext>`, dates in UTC. */
export function exportName(what: string, f: ReportFilter, ext: string): string {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return `triage-${what}-${day(f.from)}-${day(f.to - 1)}.${ext}`;
}
