/**
 * Scores with a site model: the shipped model's features and outputs, then
 * the site head (site-scores.ts says what the scores mean). Runs where the
 * scorer runs, in the scoring worker thread.
 */
import { frozenFeatures, readFrozenModel } from './features.ts';
import { decodeHead } from './head-format.ts';
import { predictHead } from './head.ts';
import { siteLabelScores } from './site-scores.ts';
import type { ScoredText, Scorer } from '../scoring/types.ts';

/** A stored site model as plain data, so it can cross into a worker thread. */
export interface SiteModelFiles {
  /** `triage-site@<n>`. */
  model: string;
  baseModel: string;
  baseSha256: string;
  denseDim: number;
  ngrams: number;
  head: Uint8Array;
}

/** Texts featurised at once: bounds memory for huge batches. */
const CHUNK = 512;

export async function loadSiteScorer(files: SiteModelFiles, localDir?: string): Promise<Scorer> {
  const frozen = await readFrozenModel(localDir);
  if (frozen.model !== files.baseModel || frozen.manifest.weights.sha256 !== files.baseSha256) {
    frozen.dispose();
    throw new Error(
      `${files.model} was trained on ${files.baseModel} (weights ${files.baseSha256.slice(0, 12)}…), ` +
        `but this installation ships ${frozen.model} (weights ${frozen.manifest.weights.sha256.slice(0, 12)}…): a head only fits the features it was trained on`,
    );
  }
  const head = decodeHead(files.head, files);
  if (head.dense.length !== frozen.manifest.architecture.outputs + frozen.manifest.architecture.hidden * frozen.members.length) {
    frozen.dispose();
    throw new Error(`${files.model} has ${head.dense.length} dense weights; ${files.baseModel} gives ${files.denseDim} features`);
  }
  let disposed = false;
  return {
    model: files.model,
    async scoreBatch(texts: string[]): Promise<ScoredText[]> {
      if (disposed) throw new Error(`${files.model} has been disposed`);
      const out: ScoredText[] = [];
      for (let start = 0; start < texts.length; start += CHUNK) {
        const chunk = texts.slice(start, start + CHUNK).map((t) => (typeof t === 'string' ? t : String(t ?? '')));
        const f = frozenFeatures(frozen, chunk);
        const p = predictHead(head, f);
        for (let i = 0; i < chunk.length; i++) {
          out.push({ scores: siteLabelScores(frozen.manifest.labels, f.probs, f.outputs, i, p[i]!), model: files.model });
        }
      }
      return out;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      frozen.dispose();
    },
  };
}
