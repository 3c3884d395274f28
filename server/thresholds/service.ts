import { performance } from 'node:perf_hooks';
import type { Db } from '../db/open.ts';
import { Conflict, ValidationError } from '../errors.ts';
import { LABELS, isLabel, type Label } from '../scoring/labels.ts';
import {
  AgreementTally,
  histogram,
  pointAt,
  prCurve,
  prepare,
  sampleOf,
  suggest,
  thinCurve,
  whatIf,
  type CurvePoint,
  type PreparedScores,
  type WhatIfItem,
} from './analysis.ts';
import { isPositiveAction, type AnalysisStore } from './analysis-store.ts';
import { reaches, type ThresholdValues } from '../flagging/rules.ts';
import type { EventStore } from '../events/store.ts';
import type { Flagging } from '../flagging/service.ts';
import type { LabelAnalysis, ListedComment, PointWithSample, ShadowView, ThresholdsSaved } from '../wire.ts';
import type { ThresholdHistoryEntry, ThresholdStore } from './store.ts';

export interface ThresholdServiceDeps {
  db: Db;
  store: ThresholdStore;
  evidence: AnalysisStore;
  /** Re-flags stored comments when a threshold changes. */
  flagging: Pick<Flagging, 'reflag'>;
  /** The outbox: `thresholds.changed` goes to the team's screens. */
  events: Pick<EventStore, 'appendGlobal'>;
  now: () => number;
  /** `<model id>@<version>` whose scores count. */
  model: () => string | null;
}

/** What saving thresholds answers (wire: ThresholdsSaved). */
export type UpdateResult = ThresholdsSaved;

const CURVE_POINTS_DRAWN = 400;
const MAX_REASON = 500;

function checkValue(label: string, value: unknown): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new ValidationError(`thresholds/${label} must be a number from 0 to 1, or null to switch the label off`, { field: `thresholds/${label}` });
  }
  return value;
}

export function createThresholdService({ db, store, evidence, flagging, events, now: clock, model: currentModel }: ThresholdServiceDeps) {
  // The version and its re-flagging job in one transaction; the job itself
  // runs after it, in chunks (flagging/service.ts), so the server keeps answering.
  const applyUpdate = db.transaction(
    (values: ThresholdValues, changes: { label: Label; value: number | null }[], meta: { moderatorId: number | null; reason: string | null; now: number }) => {
      const version = store.insert(values, meta);
      events.appendGlobal({ type: 'thresholds.changed', now: meta.now, payload: { version, changes, moderatorId: meta.moderatorId } });
      return { version, reevaluation: flagging.reflag(changes, { version, now: meta.now }) };
    },
  );

  // A slider move asks for the same label again and again; reading a million
  // scores each time would stall the server. The cache holds one label and is
  // dropped as soon as anything in the database changes: total_changes()
  // counts this connection's writes, data_version other connections' commits.
  const changeStamp = db.prepare<[], { c: number }>('SELECT total_changes() AS c');
  let cached: { key: string; items: WhatIfItem[]; prepared: PreparedScores; curve: CurvePoint[] } | null = null;
  function labelData(label: Label, m: string | null) {
    const key = `${label}\u0000${m}\u0000${changeStamp.get()!.c}\u0000${db.pragma('data_version', { simple: true })}`;
    if (cached?.key !== key) {
      const items = m ? [...evidence.labelRows(label, m)] : [];
      const prepared = prepare(items);
      cached = { key, items, prepared, curve: prCurve(prepared) };
    }
    return cached;
  }

  function withSnippets(list: { id: number; score: number }[]): ListedComment[] {
    const scoreOf = new Map(list.map((x) => [x.id, x.score]));
    return evidence.snippets(list.map((x) => x.id)).map((s) => ({ ...s, score: scoreOf.get(s.id)! }));
  }

  return {
    current: () => store.current(),
    history: (): ThresholdHistoryEntry[] => store.history(),

    /**
     * Saves a new threshold version, then re-evaluates every stored
     * comment's flags for the labels that changed; resolves when all are done.
     */
    async update(input: Record<string, unknown>, meta: { moderatorId: number | null; reason?: string | null; basedOn?: number }): Promise<UpdateResult> {
      const current = store.current();
      if (meta.basedOn !== undefined && meta.basedOn !== current.id) {
        throw new Conflict(`the thresholds changed since version ${meta.basedOn} was read (now version ${current.id}); read them again`, {
          version: current.id,
        });
      }
      const values: ThresholdValues = { ...current.values };
      for (const [label, value] of Object.entries(input)) {
        if (!isLabel(label)) throw new ValidationError(`thresholds/${label} is not a label; labels are ${LABELS.join(', ')}`, { field: `thresholds/${label}` });
        values[label] = checkValue(label, value);
      }
      const reason = meta.reason?.trim() || null;
      if (reason !== null && reason.length > MAX_REASON) throw new ValidationError(`reason is longer than ${MAX_REASON} characters`, { field: 'reason' });
      const changed = LABELS.filter((l) => values[l] !== current.values[l]).map((l) => ({ label: l, value: values[l] }));
      if (changed.length === 0) throw new Conflict('No threshold changed: nothing to save');
      const now = clock();
      const started = performance.now();
      const { version, reevaluation } = applyUpdate(values, changed, { moderatorId: meta.moderatorId, reason, now });
      const saved = store.get(version)!;
      return {
        version: saved,
        changes: changed.map(({ label, value }) => ({ label, old: current.values[label], new: value })),
        reevaluation: await reevaluation,
        ms: Math.round((performance.now() - started) * 10) / 10,
      };
    },

    /** Evidence for tuning one label: histogram, curve, figures at current and candidate, suggestion and what-if. */
    analyse(label: Label, opts: { candidate?: number | null; targetPrecision?: number; targetRecall?: number; bins?: number; listLimit?: number } = {}): LabelAnalysis {
      const version = store.current();
      const m = currentModel();
      const current = version.values[label];
      const candidate = opts.candidate === undefined ? current : opts.candidate;
      const { items, prepared, curve } = labelData(label, m);
      const decided = prepared.positives.length + prepared.negatives.length;
      const at = (t: number | null): PointWithSample => {
        const p = pointAt(prepared, t);
        return { ...p, sample: sampleOf(p, decided) };
      };
      let suggestion: LabelAnalysis['suggestion'] = null;
      if (opts.targetPrecision !== undefined || opts.targetRecall !== undefined) {
        const s = suggest(curve, opts.targetPrecision !== undefined ? { precision: opts.targetPrecision } : { recall: opts.targetRecall! });
        suggestion = { ...s, sample: s.point ? sampleOf(s.point, decided) : null };
      }
      const diff = whatIf(items, current, candidate);
      const limit = opts.listLimit ?? 50;
      return {
        label,
        model: m,
        thresholdVersion: version.id,
        current,
        candidate,
        counts: {
          scored: prepared.all.length,
          decided,
          positives: prepared.positives.length,
          negatives: prepared.negatives.length,
          undecided: prepared.all.length - decided,
        },
        histogram: histogram(items, opts.bins ?? 20),
        curve: thinCurve(curve, CURVE_POINTS_DRAWN),
        curvePoints: curve.length,
        atCurrent: at(current),
        atCandidate: at(candidate),
        suggestion,
        whatIf: {
          entering: { count: diff.entering.length, items: withSnippets(diff.entering.slice(0, limit)) },
          leaving: { count: diff.leaving.length, items: withSnippets(diff.leaving.slice(0, limit)) },
          decided: diff.decided,
        },
      };
    },

    /** One page of the comments a candidate threshold would move in or out of the queue. */
    whatIfPage(label: Label, candidate: number | null, direction: 'entering' | 'leaving', offset: number, limit: number): { count: number; items: ListedComment[] } {
      const current = store.current().values[label];
      const diff = whatIf(labelData(label, currentModel()).items, current, candidate);
      const list = diff[direction];
      return { count: list.length, items: withSnippets(list.slice(offset, offset + limit)) };
    },

    /** How often the model at the current thresholds agrees with the moderators' standing decisions. */
    shadow(): ShadowView {
      const version = store.current();
      const m = currentModel();
      const t = version.values;
      // One pass with running tallies: the view may cover a million decisions.
      const overall = new AgreementTally();
      const perLabel = new Map(LABELS.map((l) => [l, new AgreementTally()]));
      const perThread = new Map<number, { title: string; tally: AgreementTally }>();
      const perModerator = new Map<string, AgreementTally>();
      for (const r of m ? evidence.shadowRows(m) : []) {
        const positive = isPositiveAction(r.action);
        let modelFlagged = false;
        for (const label of LABELS) {
          const score = r.scores[label];
          if (score === null) continue;
          const flagged = reaches(score, t[label]);
          modelFlagged ||= flagged;
          perLabel.get(label)!.add(flagged, positive);
        }
        overall.add(modelFlagged, positive);
        let thread = perThread.get(r.threadId);
        if (!thread) perThread.set(r.threadId, (thread = { title: r.threadTitle, tally: new AgreementTally() }));
        thread.tally.add(modelFlagged, positive);
        let mod = perModerator.get(r.moderator);
        if (!mod) perModerator.set(r.moderator, (mod = new AgreementTally()));
        mod.add(modelFlagged, positive);
      }
      return {
        model: m,
        thresholdVersion: version.id,
        overall: overall.result(),
        perLabel: LABELS.map((label) => ({ label, threshold: t[label], ...perLabel.get(label)!.result() })),
        perThread: [...perThread]
          .map(([threadId, { title, tally }]) => ({ threadId, threadTitle: title, ...tally.result() }))
          .sort((a, b) => b.n - a.n || a.threadId - b.threadId),
        perModerator: [...perModerator].map(([moderator, tally]) => ({ moderator, ...tally.result() })).sort((a, b) => a.moderator.localeCompare(b.moderator)),
      };
    },
  };
}

export type ThresholdService = ReturnType<typeof createThresholdService>;
