/**
 * The site head: logistic regression in TensorFlow.js over the frozen
 * features (features.ts). Its logit is
 *
 *   b + standardised(dense) · a + scale · Σ v[id]   (over the text's n-gram ids)
 *
 * so it can lean on the shipped model's outputs and hidden layer where the
 * site agrees with them, and learn a word the shipped model never weighed
 * (a site's own standard) through v. Only ids seen in training get a weight.
 *
 * tfjs-core registers no kernel gradients by itself (scripts/train.ts says
 * why it writes its own), so the gradients are written out here; both
 * directions use sparseSegmentSum, which the cpu and wasm backends have.
 */
import * as tf from '@tensorflow/tfjs-core';
import { byRow } from '../scoring/segments.ts';
import type { FrozenFeatures } from './features.ts';

export interface HeadOptions {
  /** Full-batch Adam steps (default 300). */
  steps?: number;
  /** Adam's learning rate (default 0.05). */
  learningRate?: number;
  /** L2 penalty on the dense weights (default 1e-3). */
  l2Dense?: number;
  /** L2 penalty on the n-gram weights (default 1e-4). */
  l2Ngram?: number;
  /** Which features the head may weigh (default both): the others keep weight 0. For measuring what each adds. */
  features?: 'both' | 'dense' | 'ngrams';
  /** Told after each step (1-based), for progress. */
  onStep?: (step: number) => void;
}

/** A trained head. */
export interface SiteHead {
  bias: number;
  /** Dense features are standardised with the training rows' mean and deviation. */
  mean: Float32Array;
  std: Float32Array;
  dense: Float32Array;
  /** Weight of each hashed n-gram id seen in training. */
  ngrams: Map<number, number>;
}

let trainings = 0;

export function trainHead(f: FrozenFeatures, labels: ArrayLike<number>, weights: ArrayLike<number>, options: HeadOptions = {}): SiteHead {
  const { steps = 300, learningRate = 0.05, l2Dense = 1e-3, l2Ngram = 1e-4, features = 'both' } = options;
  const { n, denseDim: d } = f;
  const { mean, std } = standardiser(f);
  const x = standardise(f, mean, std);

  // Local row per distinct id, and the (row, text) pairs ordered by row for the backward pass.
  const local = new Map<number, number>();
  const localIds = new Int32Array(f.ids.length);
  for (let k = 0; k < f.ids.length; k++) {
    let r = local.get(f.ids[k]!);
    if (r === undefined) local.set(f.ids[k]!, (r = local.size));
    localIds[k] = r;
  }
  const rows = Math.max(1, local.size);
  const { ids: idsByRow, segs: segsByRow } = byRow(localIds, f.segments, rows);

  let wSum = 0;
  let pos = 0;
  for (let i = 0; i < n; i++) {
    wSum += weights[i]!;
    pos += weights[i]! * labels[i]!;
  }
  const base = Math.min(0.99, Math.max(0.01, pos / wSum));

  // Variable names are global to tfjs: each training gets its own.
  const run = ++trainings;
  const a = tf.variable(tf.zeros([d, 1]), true, `site-head-${run}-dense`);
  const v = tf.variable(tf.zeros([rows, 1]), true, `site-head-${run}-ngrams`);
  const b = tf.variable(tf.scalar(Math.log(base / (1 - base))), true, `site-head-${run}-bias`);
  const xT = tf.tensor2d(x, [n, d]);
  const y = tf.tensor2d(Float32Array.from(labels), [n, 1]);
  const w = tf.tensor2d(Float32Array.from(weights, (wi) => wi / wSum), [n, 1]);
  const scale = tf.tensor2d(f.scale, [n, 1]);
  const localT = tf.tensor1d(localIds, 'int32');
  const segT = tf.tensor1d(f.segments, 'int32');
  const idsByRowT = tf.tensor1d(idsByRow, 'int32');
  const segsByRowT = tf.tensor1d(segsByRow, 'int32');
  const optimizer = tf.train.adam(learningRate);
  try {
    for (let step = 0; step < steps; step++) {
      const grads = tf.tidy(() => {
        const bag = padRows(tf.sparse.sparseSegmentSum(v, localT, segT) as tf.Tensor2D, n);
        const z = tf.add(tf.add(tf.matMul(xT, a), tf.mul(bag, scale)), b);
        // d(weighted mean cross-entropy)/dz = w (sigmoid(z) - y).
        const dz = tf.mul(tf.sub(tf.sigmoid(z), y), w) as tf.Tensor2D;
        const dA = tf.add(tf.matMul(xT, dz, true, false), tf.mul(a, l2Dense));
        const dV = tf.add(padRows(tf.sparse.sparseSegmentSum(tf.mul(dz, scale), segsByRowT, idsByRowT) as tf.Tensor2D, rows), tf.mul(v, l2Ngram));
        return [
          ...(features === 'ngrams' ? [] : [{ name: a.name, tensor: dA }]),
          ...(features === 'dense' ? [] : [{ name: v.name, tensor: dV }]),
          { name: b.name, tensor: tf.sum(dz) },
        ];
      });
      optimizer.applyGradients(grads);
      tf.dispose(grads.map((g) => g.tensor));
      options.onStep?.(step + 1);
    }
    const dense = a.dataSync().slice() as Float32Array;
    const vs = v.dataSync();
    const ngrams = new Map<number, number>();
    for (const [id, r] of local) ngrams.set(id, vs[r]!);
    return { bias: b.dataSync()[0]!, mean, std, dense, ngrams };
  } finally {
    optimizer.dispose();
    tf.dispose([a, v, b, xT, y, w, scale, localT, segT, idsByRowT, segsByRowT]);
  }
}

/** The head's probability for each text of `f`. */
export function predictHead(head: SiteHead, f: FrozenFeatures): Float32Array {
  const x = standardise(f, head.mean, head.std);
  const z = new Float64Array(f.n).fill(head.bias);
  for (let i = 0; i < f.n; i++) {
    for (let j = 0; j < f.denseDim; j++) z[i]! += x[i * f.denseDim + j]! * head.dense[j]!;
  }
  for (let k = 0; k < f.ids.length; k++) {
    const t = f.segments[k]!;
    z[t]! += (head.ngrams.get(f.ids[k]!) ?? 0) * f.scale[t]!;
  }
  return Float32Array.from(z, (zi) => 1 / (1 + Math.exp(-zi)));
}

function standardiser(f: FrozenFeatures): { mean: Float32Array; std: Float32Array } {
  const { n, denseDim: d } = f;
  const mean = new Float32Array(d);
  const std = new Float32Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += f.dense[i * d + j]! / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) std[j]! += (f.dense[i * d + j]! - mean[j]!) ** 2 / n;
  // A feature constant in training (a dead hidden unit) is left at 0 rather than divided by 0.
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]!) || 1;
  return { mean, std };
}

function standardise(f: FrozenFeatures, mean: Float32Array, std: Float32Array): Float32Array {
  const out = new Float32Array(f.dense.length);
  for (let i = 0; i < f.n; i++) for (let j = 0; j < f.denseDim; j++) out[i * f.denseDim + j] = (f.dense[i * f.denseDim + j]! - mean[j]!) / std[j]!;
  return out;
}

/** sparseSegmentSum returns one row per segment up to the last one present; pad to `rows`. */
function padRows(t: tf.Tensor2D, rows: number): tf.Tensor2D {
  const have = t.shape[0];
  return have === rows ? t : (tf.concat([t, tf.zeros([rows - have, t.shape[1]])], 0) as tf.Tensor2D);
}

