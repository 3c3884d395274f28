import type { Readable } from 'node:stream';
import type { ThresholdValues } from '../flagging/rules.ts';
import type { ThresholdStore } from '../thresholds/store.ts';
import { decisionLogStream, type LogFormat } from './export.ts';
import type { ReportStore } from './store.ts';
import { summarise, versionsInForce, type ModelInForcePeriod, type ReportFilter, type Summary, type ThresholdPeriod } from './summary.ts';

export interface ReportServiceDeps {
  store: ReportStore;
  thresholds: Pick<ThresholdStore, 'history'>;
  now: () => number;
  /** `<model id>@<version>` whose scores count for decisions that name none. */
  model: () => string | null;
  /** Every model put in force, oldest first, starting with the shipped model (version 0, since 0). */
  modelHistory: () => Omit<ModelInForcePeriod, 'until'>[];
}

export function createReportService({ store, thresholds, now: clock, model: currentModel, modelHistory }: ReportServiceDeps) {
  /** Every threshold version, oldest first, and a way to find the one a decision was taken under. */
  function thresholdTimeline() {
    const history = thresholds.history();
    const periods: Omit<ThresholdPeriod, 'until'>[] = history.map((h) => ({
      version: h.id,
      moderator: h.moderator,
      reason: h.reason,
      since: h.createdAt,
      values: h.values,
    }));
    const byId = new Map(history.map((h) => [h.id, h.values]));
    const at = (version: number | null, time: number): { version: number; values: ThresholdValues } => {
      if (version !== null && byId.has(version)) return { version, values: byId.get(version)! };
      // Decisions that name no version were taken under the one in force at the time.
      let found = history[0];
      for (const h of history) if (h.createdAt <= time) found = h;
      if (!found) throw new Error('No thresholds stored: ensureDefaults() runs at start');
      return { version: found.id, values: found.values };
    };
    return { periods, at };
  }

  return {
    summary(filter: ReportFilter): Summary {
      const m = currentModel();
      const timeline = thresholdTimeline();
      const decisions = store.decisions(filter, m).map((d) => Object.assign(d, { thresholds: timeline.at(d.thresholdVersion, d.decidedAt).values }));
      return summarise({
        filter,
        generatedAt: clock(),
        comments: store.comments(filter),
        undone: store.undone(filter),
        decisions,
        threads: store.threads(filter),
        thresholds: versionsInForce(timeline.periods, filter.from, filter.to),
        models: store.models(filter),
        modelsInForce: versionsInForce(modelHistory(), filter.from, filter.to),
        readerReports: store.readerReports(filter),
      });
    },
    /** The decision log as a stream of CSV or JSON text; memory stays flat however many rows. */
    decisionLog(filter: ReportFilter, format: LogFormat): Readable {
      const timeline = thresholdTimeline();
      return decisionLogStream(store.decisionLog(filter, currentModel()), format, (row) => timeline.at(row.thresholdVersion, row.decidedAt));
    },
  };
}

export type ReportService = ReturnType<typeof createReportService>;
