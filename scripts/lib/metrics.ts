/**
 * Ranking metrics for binary labels (pure). Scores may tie: tied scores are
 * one threshold, so neither order inside a tie counts as right or wrong.
 */

function check(scores: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (scores.length !== labels.length) throw new Error(`metrics: ${scores.length} scores but ${labels.length} labels`);
}

/** Indices ordered by score, highest first. */
function byScoreDesc(scores: ArrayLike<number>): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  return order.sort((a, b) => scores[b]! - scores[a]!);
}

/** Every distinct score, highest first, with the positives and the count at or above it. */
function* cumulativeAtEachThreshold(scores: ArrayLike<number>, labels: ArrayLike<number>): Generator<{ threshold: number; tp: number; flagged: number }> {
  const order = byScoreDesc(scores);
  let tp = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && scores[order[j]!] === scores[order[i]!]) {
      if (labels[order[j]!] === 1) tp++;
      j++;
    }
    yield { threshold: scores[order[i]!]!, tp, flagged: j };
    i = j;
  }
}

function countPositives(labels: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < labels.length; i++) total += labels[i] === 1 ? 1 : 0;
  return total;
}

/**
 * ROC AUC: the probability that a random positive scores above a random
 * negative, ties counting one half (Mann-Whitney U with average ranks).
 * null when either class is absent.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  check(scores, labels);
  const order = byScoreDesc(scores).reverse();
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && scores[order[j]!] === scores[order[i]!]) j++;
    const avgRank = (i + 1 + j) / 2; // ranks i+1 .. j, averaged over the tie
    for (let k = i; k < j; k++) {
      if (labels[order[k]!] === 1) {
        pos++;
        rankSum += avgRank;
      }
    }
    i = j;
  }
  const neg = order.length - pos;
  if (pos === 0 || neg === 0) return null;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * Average precision (area under the precision-recall curve, step form as in
 * scikit-learn): the sum over distinct thresholds of recall gained times
 * precision there. null when there are no positives.
 */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  check(scores, labels);
  const total = countPositives(labels);
  if (total === 0) return null;
  let ap = 0;
  let prevRecall = 0;
  for (const { tp, flagged } of cumulativeAtEachThreshold(scores, labels)) {
    const recall = tp / total;
    ap += (recall - prevRecall) * (tp / flagged);
    prevRecall = recall;
  }
  return ap;
}

/**
 * The lowest threshold t (one of the scores) at which flagging every score
 * >= t reaches `precision`, i.e. the most recall at that precision; null
 * when no threshold reaches it.
 */
export function thresholdForPrecision(scores: ArrayLike<number>, labels: ArrayLike<number>, precision: number): number | null {
  check(scores, labels);
  let best: number | null = null;
  for (const { threshold, tp, flagged } of cumulativeAtEachThreshold(scores, labels)) {
    if (tp / flagged >= precision) best = threshold;
  }
  return best;
}

/** The threshold (one of the scores) with the highest F1 of flagging every score >= it; null without positives. */
export function thresholdForBestF1(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  check(scores, labels);
  const total = countPositives(labels);
  if (total === 0) return null;
  let best: number | null = null;
  let bestF1 = -1;
  for (const { threshold, tp, flagged } of cumulativeAtEachThreshold(scores, labels)) {
    const f1 = (2 * tp) / (flagged + total);
    if (f1 > bestF1) {
      bestF1 = f1;
      best = threshold;
    }
  }
  return best;
}
