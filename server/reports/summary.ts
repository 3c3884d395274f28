/**
 * Moderation report maths: pure functions over rows the report store reads.
 * Times are integer milliseconds since the epoch (UTC).
 */
import { AgreementTally, type Agreement } from '../thresholds/analysis.ts';
import { LABELS, type Label, type LabelScores } from '../scoring/labels.ts';
import { flagsFor, reaches, type ThresholdValues } from '../flagging/rules.ts';

/**
 * The p-th percentile (0..100) by linear interpolation between the closest
 * ranks, so the median of an even count is the mean of the middle two.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (p < 0 || p > 100 || Number.isNaN(p)) throw new RangeError(`percentile must be 0..100, got ${p}`);
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export interface ReportFilter {
  /** Inclusive start. */
  from: number;
  /** Exclusive end. */
  to: number;
  /** Only these threads; null for all. */
  threads: number[] | null;
  /** Only decisions on comments flagged for these labels, and only these labels' figures; null for all. */
  labels: Label[] | null;
}

/** A standing decision in the period, with what the model said about its comment. */
export interface DecisionFact {
  commentId: number;
  action: 'approve' | 'hide' | 'escalate';
  statusBefore: string;
  moderator: string;
  decidedAt: number;
  importedAt: number;
  /** Scores of the model that stood behind the decision; null when the comment was never scored. */
  scores: LabelScores | null;
  /** Thresholds in force when the decision was taken. */
  thresholds: ThresholdValues;
}

/** A model in force during the period: version 0 is the shipped model before any promotion. */
export interface ModelInForcePeriod {
  version: number;
  model: string;
  moderator: string | null;
  reason: string | null;
  since: number;
  until: number | null;
}

export interface ThresholdPeriod {
  version: number;
  moderator: string | null;
  reason: string | null;
  /** When this version took effect (it may predate the period). */
  since: number;
  /** When the next version replaced it; null while in force. */
  until: number | null;
  values: ThresholdValues;
}

export interface ModelPeriod {
  model: string;
  /** Scores written in the period. */
  scored: number;
  firstScoredAt: number | null;
  lastScoredAt: number | null;
}

/**
 * Readers' reports received in the period, and what moderators made of the
 * comments they reported. Only the thread filter applies: reports have no label.
 */
export interface ReaderReportSummary {
  /** Reports received in the period (one per reader and comment). */
  received: number;
  /** Those reports per reason, most given first. Reasons may be a reader's free text. */
  byReason: { reason: string; count: number }[];
  /** Distinct comments reported in the period. */
  comments: number;
  /** Of those, the ones whose standing decision (the latest, taken after the first report and before the period's end) hid or escalated it. */
  upheld: number;
  /** …approved it. */
  notUpheld: number;
  /** …have no standing decision since their first report. */
  undecided: number;
}

export interface ThreadHidden {
  threadId: number;
  title: string;
  comments: number;
  hidden: number;
}

export interface Summary {
  filter: ReportFilter;
  generatedAt: number;
  /** Comments imported in the period: how many, how many scored, how many flagged now. */
  comments: { imported: number; scored: number; flagged: number; flaggedByLabel: { label: Label; count: number }[] };
  decisions: {
    /** Standing decisions: undone ones and undo rows are left out. */
    total: number;
    /** Undo rows written in the period. */
    undone: number;
    byAction: { action: 'approve' | 'hide' | 'escalate'; count: number }[];
    byModerator: { moderator: string; approve: number; hide: number; escalate: number; total: number }[];
  };
  /** From import to each comment's first standing decision in the period. */
  timeToDecision: { n: number; medianMs: number | null; p90Ms: number | null };
  escalations: { opened: number; resolved: number };
  /** The model at the thresholds in force at each decision, against the decision. */
  agreement: Agreement & { perLabel: ({ label: Label } & Agreement)[]; unscored: number };
  /** Threads by their share of hidden comments among those imported in the period. */
  threadsByHidden: (ThreadHidden & { share: number })[];
  thresholds: ThresholdPeriod[];
  models: ModelPeriod[];
  /** Which model flagged comments when (promotions and rollbacks). */
  modelsInForce: ModelInForcePeriod[];
  readerReports: ReaderReportSummary;
}

export interface SummaryInput {
  filter: ReportFilter;
  generatedAt: number;
  comments: Summary['comments'];
  undone: number;
  decisions: DecisionFact[];
  threads: ThreadHidden[];
  thresholds: ThresholdPeriod[];
  models: ModelPeriod[];
  /** Which model flagged comments when (promotions and rollbacks). */
  modelsInForce: ModelInForcePeriod[];
  readerReports: ReaderReportSummary;
}

const ACTIONS = ['approve', 'hide', 'escalate'] as const;

/** Threads with hidden comments, highest share first, then most hidden, then id. */
export function rankThreadsByHidden(threads: ThreadHidden[], limit = 20): (ThreadHidden & { share: number })[] {
  return threads
    .filter((t) => t.comments > 0 && t.hidden > 0)
    .map((t) => ({ ...t, share: t.hidden / t.comments }))
    .sort((a, b) => b.share - a.share || b.hidden - a.hidden || a.threadId - b.threadId)
    .slice(0, limit);
}

/** Thresholds versions whose time in force overlaps [from, to). `versions` oldest first. */
export function versionsInForce<T extends { since: number }>(versions: T[], from: number, to: number): (T & { until: number | null })[] {
  const out: (T & { until: number | null })[] = [];
  versions.forEach((v, i) => {
    const until = versions[i + 1]?.since ?? null;
    if (v.since < to && (until === null || until > from)) out.push({ ...v, until });
  });
  return out;
}

export function summarise(input: SummaryInput): Summary {
  const { decisions } = input;
  const labels = input.filter.labels ?? [...LABELS];
  // One pass with running counts: a period may hold a million decisions.
  const byAction = { approve: 0, hide: 0, escalate: 0 };
  const mods = new Map<string, { moderator: string; approve: number; hide: number; escalate: number; total: number }>();
  const firstDecision = new Map<number, DecisionFact>();
  let resolved = 0;
  let unscored = 0;
  const overall = new AgreementTally();
  const perLabel = labels.map((label) => ({ label, tally: new AgreementTally() }));
  for (const d of decisions) {
    byAction[d.action]++;
    let m = mods.get(d.moderator);
    if (!m) mods.set(d.moderator, (m = { moderator: d.moderator, approve: 0, hide: 0, escalate: 0, total: 0 }));
    m[d.action]++;
    m.total++;
    const seen = firstDecision.get(d.commentId);
    if (!seen || d.decidedAt < seen.decidedAt) firstDecision.set(d.commentId, d);
    if (d.statusBefore === 'escalated' && d.action !== 'escalate') resolved++;
    if (d.scores === null) {
      unscored++;
      continue;
    }
    const positive = d.action !== 'approve';
    overall.add(flagsFor(d.scores, d.thresholds).length > 0, positive);
    for (const { label, tally } of perLabel) {
      const score = d.scores[label];
      if (score !== null) tally.add(reaches(score, d.thresholds[label]), positive);
    }
  }
  const waits = [...firstDecision.values()].map((d) => Math.max(0, d.decidedAt - d.importedAt));

  return {
    filter: input.filter,
    generatedAt: input.generatedAt,
    comments: input.comments,
    decisions: {
      total: decisions.length,
      undone: input.undone,
      byAction: ACTIONS.map((action) => ({ action, count: byAction[action] })),
      byModerator: [...mods.values()].sort((a, b) => b.total - a.total || a.moderator.localeCompare(b.moderator)),
    },
    timeToDecision: { n: waits.length, medianMs: percentile(waits, 50), p90Ms: percentile(waits, 90) },
    escalations: { opened: byAction.escalate, resolved },
    agreement: { ...overall.result(), unscored, perLabel: perLabel.map(({ label, tally }) => ({ label, ...tally.result() })) },
    threadsByHidden: rankThreadsByHidden(input.threads),
    thresholds: input.thresholds,
    models: input.models,
    modelsInForce: input.modelsInForce,
    readerReports: input.readerReports,
  };
}
