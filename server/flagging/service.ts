import type { Db } from '../db/open.ts';
import type { Label } from '../scoring/labels.ts';
import { maxScore, reasonsFor, type ThresholdValues } from './rules.ts';
import { NO_REEVALUATION, type FlagStore, type Reevaluation } from './store.ts';

export interface FlaggingDeps {
  db: Db;
  store: FlagStore;
  /** The thresholds in force and their version. */
  thresholds: () => { id: number; values: ThresholdValues };
  /** `<model id>@<version>` whose scores count; null when none does yet. */
  model: () => string | null;
  now: () => number;
}

/**
 * Decides which comments need a human. The scoring pipeline calls `flag`
 * after it writes scores; the thresholds domain calls `reflag` when
 * thresholds change. Both write inside the caller's transaction when there
 * is one.
 */
export function createFlagging({ db, store, thresholds, model, now }: FlaggingDeps) {
  const flag = db.transaction((commentIds: number[], m: string) => {
    const { id: version, values } = thresholds();
    const by = { version, model: m, now: now() };
    for (const { commentId, scores } of store.scoresOf(commentIds, m)) {
      store.setFlags(commentId, reasonsFor({ scores }, { thresholds: values }), maxScore(scores), by);
    }
  });

  return {
    /** Flags (or unflags) these comments from what is stored about them: the scores of `m`, by default the model in force. */
    flag(commentIds: number[], m = model()): void {
      if (m && commentIds.length > 0) flag(commentIds, m);
    },

    /** Re-evaluates every stored comment's flags for labels whose threshold changed to `version`. */
    reflag(changes: { label: Label; value: number | null }[], at: { version: number; now: number }): Reevaluation {
      const m = model();
      return m ? store.reevaluate(changes, { ...at, model: m }) : { ...NO_REEVALUATION };
    },
  };
}

export type Flagging = ReturnType<typeof createFlagging>;
