import type { Db } from '../db/open.ts';
import type { Flagging } from '../flagging/service.ts';
import type { ScoreWrite, ScoringCounts, ScoringStore } from './store.ts';

export interface ScoringServiceDeps {
  db: Db;
  store: ScoringStore;
  /** Told which comments got new scores, inside the same transaction. */
  flagging: Pick<Flagging, 'flag'>;
}

/** How long scoring counts may be reused: health and stats are polled every few seconds. */
const COUNTS_TTL_MS = 1000;

export function createScoringService({ db, store, flagging }: ScoringServiceDeps) {
  // Counting a million jobs takes tens of milliseconds; health and stats can
  // show figures up to a second old.
  let countsCache: { at: number; model: string; counts: ScoringCounts } | undefined;

  return {
    /**
     * Writes a batch of scores, then flags the comments they belong to, in
     * one transaction: a crash leaves all of it or none. Returns how many
     * scores were written.
     */
    record: db.transaction((batch: ScoreWrite[], meta: { model: string; now: number }): number => {
      const written = store.writeScores(batch, meta);
      flagging.flag(written, meta.model);
      return written.length;
    }),

    /** Scoring progress of a model, at most a second old. */
    counts(model: string): ScoringCounts {
      if (!countsCache || countsCache.model !== model || Date.now() - countsCache.at >= COUNTS_TTL_MS) {
        countsCache = { at: Date.now(), model, counts: store.counts(model) };
      }
      return countsCache.counts;
    },
  };
}

export type ScoringService = ReturnType<typeof createScoringService>;
