/**
 * What a missed-abuse sample says, as pure functions: the Wilson score
 * interval of a proportion, and the estimate of the abuse the model misses.
 */

/** z for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

/**
 * The Wilson score interval of `successes` out of `n` (Wilson 1927): unlike
 * p ± z·√(p(1−p)/n) it stays inside [0, 1] and is not zero-width at 0 or n
 * successes, which a small sample of rare abuse usually is. Null when n = 0.
 */
export function wilsonInterval(successes: number, n: number, z = Z95): { low: number; high: number } | null {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new RangeError(`wilsonInterval needs 0 <= successes <= n, integers (got ${successes} of ${n})`);
  }
  if (n === 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Exact at the ends: rounding must not push 0 successes above 0 or n below 1.
  return { low: successes === 0 ? 0 : Math.max(0, centre - half), high: successes === n ? 1 : Math.min(1, centre + half) };
}

export interface MissedEstimate {
  /** Decided items the moderators hid or escalated, over the decided items. */
  share: number;
  /** The 95% Wilson interval of `share`. */
  low: number;
  high: number;
  /** `share`, `low` and `high` times the unflagged comments the sample was drawn from, rounded. */
  count: number;
  countLow: number;
  countHigh: number;
}

/** The share of unflagged comments that are abuse, and how many that makes, from `missed` of `decided` sample items; null before any is decided. */
export function estimateMissed(missed: number, decided: number, population: number): MissedEstimate | null {
  const interval = wilsonInterval(missed, decided);
  if (!interval) return null;
  const share = missed / decided;
  return {
    share,
    low: interval.low,
    high: interval.high,
    count: Math.round(share * population),
    countLow: Math.round(interval.low * population),
    countHigh: Math.round(interval.high * population),
  };
}
