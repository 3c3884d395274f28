/**
 * The profanity-check baseline (vzhou842/profanity-check, MIT), re-implemented
 * in plain TypeScript from its exported weights: a bag of lowercased words
 * (scikit-learn's token pattern `(?u)\b\w\w+\b`, raw counts) fed to five
 * calibrated LinearSVC folds; the score is the mean of the folds' sigmoids.
 * It has one label ("offensive"), reported here as toxicity.
 *
 * Its weights live in ../shared/models/baselines (not part of a clone): it is
 * what eval and the scoring benchmark compare our model with, not a scorer
 * users are offered.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LABELS, type LabelScores } from './labels.ts';
import type { ScoredText, Scorer } from './types.ts';

export const DEFAULT_PROFANITY_CHECK_PATH = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..', '..', '..', 'shared', 'models', 'baselines', 'profanity-check.json',
);

interface Fold {
  coef: number[];
  intercept: number;
  a: number;
  b: number;
}

interface ProfanityCheckFile {
  tokenPattern: string;
  lowercase: boolean;
  vocabulary: Record<string, number>;
  folds: Fold[];
}

/**
 * Python's `\w` is a letter, a number of any kind or "_"; a maximal run of two
 * or more of them is exactly what `\b\w\w+\b` matches.
 */
const TOKEN = /[\p{L}\p{N}_]{2,}/gu;

export class ProfanityCheck implements Scorer {
  readonly model = 'profanity-check@c835dc0';
  readonly #vocabulary: Map<string, number>;
  readonly #folds: { coef: Float64Array; intercept: number; a: number; b: number }[];

  constructor(file: ProfanityCheckFile) {
    if (file.tokenPattern !== '(?u)\\b\\w\\w+\\b' || file.lowercase !== true || !Array.isArray(file.folds) || file.folds.length === 0) {
      throw new Error('profanity-check.json: expected tokenPattern (?u)\\b\\w\\w+\\b, lowercase true and at least one fold');
    }
    this.#vocabulary = new Map(Object.entries(file.vocabulary));
    this.#folds = file.folds.map((f, i) => {
      if (f.coef.length !== this.#vocabulary.size) {
        throw new Error(`profanity-check.json: folds[${i}].coef has ${f.coef.length} weights for ${this.#vocabulary.size} words`);
      }
      return { coef: Float64Array.from(f.coef), intercept: f.intercept, a: f.a, b: f.b };
    });
  }

  /** Probability that `text` is offensive, in [0, 1]. */
  score(text: string): number {
    const counts = new Map<number, number>();
    for (const m of text.toLowerCase().matchAll(TOKEN)) {
      const i = this.#vocabulary.get(m[0]);
      if (i !== undefined) counts.set(i, (counts.get(i) ?? 0) + 1);
    }
    let sum = 0;
    for (const f of this.#folds) {
      let d = f.intercept;
      for (const [i, c] of counts) d += f.coef[i]! * c;
      sum += 1 / (1 + Math.exp(f.a * d + f.b));
    }
    return sum / this.#folds.length;
  }

  async scoreBatch(texts: string[]): Promise<ScoredText[]> {
    return texts.map((text) => {
      const scores = Object.fromEntries(LABELS.map((l) => [l, null])) as LabelScores;
      scores.toxicity = this.score(text);
      return { scores, model: this.model };
    });
  }

  async dispose(): Promise<void> {}
}

export async function loadProfanityCheck(path: string = DEFAULT_PROFANITY_CHECK_PATH): Promise<ProfanityCheck> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch {
    throw new Error(
      `profanity-check weights not found at ${path}: they live in ../shared/models/baselines beside the checkout ` +
        '(project machines and CI), not in a clone.',
    );
  }
  return new ProfanityCheck(JSON.parse(raw) as ProfanityCheckFile);
}
