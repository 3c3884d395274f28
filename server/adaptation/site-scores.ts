/**
 * What a site model says about a comment. A site model is the shipped model
 * with a site head on top, and the head decides: its probability that this
 * site's moderators hide the comment becomes the comment's `toxicity` (the
 * label that means "unwelcome here" in general), and caps every other label.
 * What this site's moderators would let stand is flagged for no reason; what
 * they would hide keeps the shipped model's reasons, so "why" still names an
 * insult or an obscenity. A comment's highest label, the queue's ranking,
 * is then the head's probability.
 *
 * Two labels are never capped: a site's standard does not silence a threat
 * (threats are rare in any site's decisions, and a missed one costs most),
 * nor what only Google's model reports as severe.
 *
 * So the flag rule, thresholds, flags, reports and the queue work unchanged
 * under a site model.
 */
import { LABELS, type Label, type LabelScores } from '../scoring/labels.ts';

/** The label a site head's probability gives. */
export const SITE_LABEL = 'toxicity' satisfies Label;

/** Labels a site model leaves as the shipped model scores them. */
export const NEVER_CAPPED: readonly Label[] = ['threat', 'severe_toxicity'];

/**
 * Label scores of text `i` from the shipped model's output probabilities
 * (`probs`, [texts × outputs]) and, for a site model, the head's probability.
 * `outputOf` is the shipped manifest's label → output map (null: no signal).
 */
export function siteLabelScores(
  outputOf: Record<Label, number | null>,
  probs: ArrayLike<number>,
  outputs: number,
  i: number,
  headProbability: number | null,
): LabelScores {
  const scores = {} as LabelScores;
  for (const label of LABELS) {
    const j = outputOf[label];
    const shipped = j === null ? null : probs[i * outputs + j]!;
    if (headProbability === null || shipped === null || NEVER_CAPPED.includes(label)) scores[label] = shipped;
    else scores[label] = Math.min(shipped, headProbability);
  }
  if (headProbability !== null) scores[SITE_LABEL] = headProbability;
  return scores;
}
