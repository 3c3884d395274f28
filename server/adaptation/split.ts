/**
 * How the decisions are divided and weighted before training (pure).
 */

/** The share of labelled comments, the most recent, held out for evaluation and never trained on. */
export const HELD_OUT_SHARE = 0.2;

/** Fewer labelled comments than this and adaptation refuses to run (issue 11: "as few as 200"). */
export const MIN_DECISIONS = 200;

/**
 * Splits rows ordered oldest first: the most recent `share` (rounded up, so
 * at least that share) is held out; the rest is for training. The two never
 * share a row, and every held-out row is at least as recent as every training row.
 */
export function timeSplit<T>(ordered: readonly T[], share = HELD_OUT_SHARE): { train: T[]; heldOut: T[] } {
  if (!(share > 0 && share < 1)) throw new RangeError(`held-out share must be between 0 and 1, got ${share}`);
  const held = Math.ceil(ordered.length * share);
  const cut = ordered.length - held;
  return { train: ordered.slice(0, cut), heldOut: ordered.slice(cut) };
}

/** How much one moderator's decisions count in training. */
export interface ModeratorWeight {
  moderatorId: number;
  moderator: string;
  decisions: number;
  /** The weight of each of their decisions (the mean over all training decisions is 1). */
  weight: number;
  /** Their share of the total weight; without weighting it would be decisions / total. */
  share: number;
}

/**
 * Square-root weighting: a moderator with n decisions gets a total weight
 * proportional to sqrt(n), so each decision weighs 1/sqrt(n), scaled so the
 * mean weight is 1. One moderator with 900 decisions beside one with 100 gets
 * 75% of the weight instead of 90%. Equal shares per moderator (1/n) would let
 * someone with five decisions count as much as someone with a thousand, and
 * make the head as noisy as its smallest contributor; sqrt is the usual middle
 * ground between the two.
 */
export function moderatorWeights(rows: readonly { moderatorId: number; moderator: string }[]): { perRow: Float32Array; moderators: ModeratorWeight[] } {
  const counts = new Map<number, { moderator: string; n: number }>();
  for (const r of rows) {
    const c = counts.get(r.moderatorId);
    if (c) c.n++;
    else counts.set(r.moderatorId, { moderator: r.moderator, n: 1 });
  }
  let total = 0;
  for (const { n } of counts.values()) total += Math.sqrt(n);
  // Each decision weighs 1/sqrt(n); the sum of all weights is `total`, so scale by rows / total.
  const scale = rows.length / (total || 1);
  const moderators = [...counts.entries()]
    .map(([moderatorId, { moderator, n }]) => ({ moderatorId, moderator, decisions: n, weight: scale / Math.sqrt(n), share: Math.sqrt(n) / total }))
    .sort((a, b) => b.decisions - a.decisions || a.moderatorId - b.moderatorId);
  const byId = new Map(moderators.map((m) => [m.moderatorId, m.weight]));
  const perRow = Float32Array.from(rows, (r) => byId.get(r.moderatorId)!);
  return { perRow, moderators };
}
