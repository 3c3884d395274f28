/**
 * What the site head sees of a text: features of the shipped model, frozen.
 * Computed from the model's own files with the functions local-model.ts
 * exports (readLocalModel, poolingScale, headLogits), the same steps the
 * scorer takes, so the shipped score here equals the scorer's.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../scoring/backend.ts';
import { featurizeBatch, splitWindows } from '../scoring/featurize.ts';
import { LABELS } from '../scoring/labels.ts';
import { DEFAULT_MODEL_DIR, headLogits, poolingScale, readLocalModel, type LocalModelManifest, type LocalModelWeights } from '../scoring/local-model.ts';

/** Windows run through the graph at once (as in the scorer). */
const CHUNK = 512;

/** The shipped model, read once for feature extraction; dispose() frees its tensors. */
export interface FrozenModel {
  /** `<id>@<version>`, as the scorer names itself. */
  model: string;
  manifest: LocalModelManifest;
  members: LocalModelWeights[];
  dispose(): void;
}

/** Reads the shipped model onto this thread's TensorFlow.js backend (chosen once, as for scoring). */
export async function readFrozenModel(dir: string = DEFAULT_MODEL_DIR): Promise<FrozenModel> {
  await initBackend();
  const { manifest, members } = await readLocalModel(dir);
  return {
    model: `${manifest.id}@${manifest.version}`,
    manifest,
    members,
    dispose: () => {
      for (const w of members) for (const t of Object.values(w)) t.dispose();
    },
  };
}

/** Frozen features of n texts. */
export interface FrozenFeatures {
  n: number;
  /**
   * [n × denseDim], row-major: the logit of each model output (members' mean
   * probability, max over windows), then each member's hidden layer (ReLU,
   * max over windows).
   */
  dense: Float32Array;
  denseDim: number;
  /** The hashed n-gram ids of every window of each text, and the text each belongs to (ascending). */
  ids: Int32Array;
  segments: Int32Array;
  /** Per text, 1/sqrt(its number of ids): the model's own sqrtn pooling. */
  scale: Float32Array;
  /** [n × outputs]: each model output's probability (members' mean, max over windows), as the scorer reports them. */
  probs: Float32Array;
  outputs: number;
  /** The shipped model's score: the highest of its label scores, as the queue's max_score. */
  shipped: Float32Array;
}

const logit = (p: number) => {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(q / (1 - q));
};

export function frozenFeatures(model: FrozenModel, texts: readonly string[]): FrozenFeatures {
  const { manifest, members } = model;
  const p = manifest.featurizer;
  const { hidden, outputs } = manifest.architecture;
  const denseDim = outputs + hidden * members.length;
  const windows: string[] = [];
  const owner: number[] = [];
  texts.forEach((text, i) => {
    for (const w of splitWindows(text, p)) {
      windows.push(w);
      owner.push(i);
    }
  });
  const probs = new Float32Array(texts.length * outputs);
  const dense = new Float32Array(texts.length * denseDim);
  const idParts: Int32Array[] = [];
  const segParts: Int32Array[] = [];
  const counts = new Int32Array(texts.length);
  for (let start = 0; start < windows.length; start += CHUNK) {
    const chunk = windows.slice(start, start + CHUNK);
    const batch = featurizeBatch(chunk, p);
    const out = tf.tidy(() => {
      const idsT = tf.tensor1d(batch.ids, 'int32');
      const segT = tf.tensor1d(batch.segments, 'int32');
      const scale = tf.tensor2d(poolingScale(batch.counts, manifest.architecture.pooling), [chunk.length, 1]);
      const hiddens: tf.Tensor2D[] = [];
      const memberProbs: tf.Tensor2D[] = [];
      for (const w of members) {
        const pooled = tf.mul(tf.sparse.sparseSegmentSum(w.embedding, idsT, segT), scale) as tf.Tensor2D;
        hiddens.push(tf.relu(tf.add(tf.matMul(pooled, w.w1), w.b1)) as tf.Tensor2D);
        memberProbs.push(tf.sigmoid(headLogits(pooled, w)));
      }
      const meanProb = memberProbs.length === 1 ? memberProbs[0]! : tf.div(tf.addN(memberProbs), memberProbs.length);
      return tf.concat([meanProb, ...hiddens], 1);
    });
    const values = out.dataSync();
    out.dispose();
    for (let k = 0; k < chunk.length; k++) {
      const t = owner[start + k]!;
      for (let j = 0; j < outputs; j++) probs[t * outputs + j] = Math.max(probs[t * outputs + j]!, values[k * denseDim + j]!);
      for (let j = outputs; j < denseDim; j++) dense[t * denseDim + j] = Math.max(dense[t * denseDim + j]!, values[k * denseDim + j]!);
    }
    // The text's ids across all its windows, under its own index.
    const segs = new Int32Array(batch.ids.length);
    for (let k = 0; k < batch.ids.length; k++) {
      const t = owner[start + batch.segments[k]!]!;
      segs[k] = t;
      counts[t]!++;
    }
    idParts.push(batch.ids);
    segParts.push(segs);
  }
  const labelOutputs = LABELS.map((l) => manifest.labels[l]).filter((j): j is number => j !== null);
  const shipped = new Float32Array(texts.length);
  for (let t = 0; t < texts.length; t++) {
    for (let j = 0; j < outputs; j++) dense[t * denseDim + j] = logit(probs[t * outputs + j]!);
    shipped[t] = Math.max(...labelOutputs.map((j) => probs[t * outputs + j]!));
  }
  const ids = concat(idParts);
  const segments = concat(segParts);
  return { n: texts.length, dense, denseDim, ids, segments, scale: poolingScale(counts, 'sqrtn'), probs, outputs, shipped };
}

function concat(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((s, a) => s + a.length, 0));
  let at = 0;
  for (const a of parts) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}
