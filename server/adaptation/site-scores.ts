/**
 * What a site model says about a comment. A site model is the shipped model
 * with a site head on top: the head's probability that this site's
 * moderators hide the comment becomes its `toxicity` score (the label that
 * means "unwelcome here" in general), and the other labels keep the shipped
 * model's meaning and scores. So the flag rule, thresholds, flags, reports
 * and the queue work unchanged, and "why" still names threats or insults.
 */
import { LABELS, type Label, type LabelScores } from '../scoring/labels.ts';

/** The label a site head's probability gives. */
export const SITE_LABEL = 'toxicity' satisfies Label;

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
    scores[label] = j === null ? null : probs[i * outputs + j]!;
  }
  if (headProbability !== null) scores[SITE_LABEL] = headProbability;
  return scores;
}
