/**
 * Trains the local toxicity model and writes models/local/{model.json,weights.bin}, then its
 * anchor (anchor.bin and model.json's `anchor`: scripts/anchor.ts, for site models).
 *
 *   npm run train -- [--data ../shared/data] [--out models/local] [--seed 7]  (see --help for the rest)
 *
 * Needs the labelled sets in ../shared/data (not part of a clone). Held-out
 * rows are never seen here; early stopping and thresholds use a validation
 * split carved from the training rows.
 *
 * `--members N` trains N such models from different seeds on the same rows
 * and ships them together; the loader averages their probabilities.
 *
 * The embedding table is large (buckets × dim) but each batch touches a few
 * thousand rows, so gradients are taken (tf.valueAndGrads) with respect to
 * just the gathered rows and Adam updates only those rows ("lazy" Adam, as in
 * TensorFlow's LazyAdamOptimizer): dense Adam over the whole table each step
 * would cost most of the training time on a 2-core machine.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { Command, InvalidArgumentError } from 'commander';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_FEATURIZER, featurize, normalizeText, type FeaturizerParams } from '../server/scoring/featurize.ts';
import { LABELS, type Label } from '../server/scoring/labels.ts';
import { byRow } from '../server/scoring/segments.ts';
import { headLogits, poolingScale, weightsChecksum, type LocalModelManifest, type Pooling, type TensorSpec } from '../server/scoring/local-model.ts';
import { DEFAULT_DATA_DIR, MADLIBS_NAME_ADJ_TRAIN_SHARE, PROJECT_ROOT, SET_IDS, loadAllSets, seededRandom, shuffleInPlace, stratifiedSplit, type DataRow, type SetId } from './lib/datasets.ts';
import { LEXICON_SOURCE, buildLexicon } from './lib/lexicon.ts';
import { maskedBinaryCrossEntropy, maskedBinaryCrossEntropyGrad } from './lib/loss.ts';
import { rocAuc, thresholdForBestF1, thresholdForPrecision } from './lib/metrics.ts';

/**
 * The labels with training signal here, in output order. severe_toxicity has
 * none and stays null; sexual_explicit (ConvAbuse's sex_harassment, a small
 * proxy) is trained but only exposed with --sexual-explicit (see the model card).
 */
export const LEARNED: Label[] = ['toxicity', 'identity_attack', 'insult', 'threat', 'obscene', 'sexual_explicit'];
const VALIDATION_FRACTION = 0.1;
const TARGET_PRECISION = 0.8;

interface Options extends LossWeights {
  data: string;
  out: string;
  epochs: number;
  seed: number;
  dim: number;
  hidden: number;
  lr: number;
  batch: number;
  buckets: number;
  version: string;
  optimizer: 'adam' | 'adagrad' | 'sgd';
  embeddingLr: number;
  l2: number;
  dropout: number;
  setBias: boolean;
  pooling: Pooling;
  minN: number;
  maxN: number;
  decay: boolean;
  average: boolean;
  soft: boolean;
  members: number;
  setHeads: number;
  normalization: number;
  lexicon: boolean;
  clauseMarks: boolean;
  sexualExplicit: boolean;
  madlibsShare: number;
}

/**
 * Labels a set gives only through a broader proxy: hate speech read as an
 * identity attack, Gab's vulgarity as obscene, its calls for violence as
 * threat. At full weight they outnumber the narrower labels of Civil
 * Comments and Davidson and pull those sets below 1.2.0 (models/README.md).
 */
const PROXY_LABELS: Partial<Record<SetId, Label[]>> = {
  gab: ['identity_attack', 'obscene', 'threat'],
  'implicit-hate': ['identity_attack'],
  stormfront: ['identity_attack'],
  hatemoji: ['identity_attack'],
};

export interface Encoded {
  features: Int32Array[];
  targets: Float32Array;
  mask: Float32Array;
  rows: DataRow[];
}

/** How much each known label counts in the loss, through the mask; validation rows all count 1. */
export interface LossWeights {
  /** alpha: each row weighs (mean set size / its set's size)^alpha, so the big easy sets (Davidson) do not drown the small ones. */
  setWeight: number;
  /** Labels in PROXY_LABELS weigh this much. */
  proxyWeight: number;
  /** Every label of the named sets weighs this much more. */
  setBoost: Partial<Record<SetId, number>>;
}

const UNWEIGHTED: LossWeights = { setWeight: 0, proxyWeight: 1, setBoost: {} };

export function encode(rows: DataRow[], p: FeaturizerParams, soft = false, w: LossWeights = UNWEIGHTED): Encoded {
  const k = LEARNED.length;
  const sizes = new Map<string, number>();
  for (const r of rows) sizes.set(r.set, (sizes.get(r.set) ?? 0) + 1);
  const meanSize = rows.length / Math.max(1, sizes.size);
  const targets = new Float32Array(rows.length * k);
  const mask = new Float32Array(rows.length * k);
  rows.forEach((row, i) => {
    LEARNED.forEach((label, j) => {
      const y = row.labels[label];
      if (y !== undefined) {
        targets[i * k + j] = soft ? (row.soft?.[label] ?? y) : y;
        const bySize = w.setWeight === 0 ? 1 : (meanSize / sizes.get(row.set)!) ** w.setWeight;
        mask[i * k + j] = bySize * (PROXY_LABELS[row.set]?.includes(label) ? w.proxyWeight : 1) * (w.setBoost[row.set] ?? 1);
      }
    });
  });
  return { features: rows.map((r) => featurize(r.text, p)), targets, mask, rows };
}

/** Plain Float32Arrays of every parameter: training state lives in JS, tensors are made per step. */
interface Params {
  embedding: Float32Array;
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

function initParams(o: Options, random: () => number): Params {
  const uniform = (n: number, limit: number): Float32Array => Float32Array.from({ length: n }, () => (random() * 2 - 1) * limit);
  const k = LEARNED.length;
  return {
    embedding: uniform(o.buckets * o.dim, 0.05),
    w1: uniform(o.dim * o.hidden, Math.sqrt(6 / (o.dim + o.hidden))),
    b1: new Float32Array(o.hidden),
    w2: uniform(o.hidden * k, Math.sqrt(6 / (o.hidden + k))),
    b2: new Float32Array(k),
  };
}

/** Updates param[base + i] from grad[i] for i < grad.length; `t` is the 1-based step. */
interface Optimizer {
  /** Multiplies the learning rate (the linear decay schedule sets it each step). */
  factor: number;
  step(param: Float32Array, base: number, grad: Float32Array | ArrayLike<number>, t: number): void;
}

class Adam implements Optimizer {
  factor = 1;
  readonly m: Float32Array;
  readonly v: Float32Array;
  constructor(size: number, private readonly lr: number) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }
  step(param: Float32Array, base: number, grad: Float32Array | ArrayLike<number>, t: number): void {
    const b1 = 0.9;
    const b2 = 0.999;
    const lrT = (this.lr * this.factor * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    for (let i = 0; i < grad.length; i++) {
      const g = grad[i]!;
      const k = base + i;
      const m = (this.m[k] = b1 * this.m[k]! + (1 - b1) * g);
      const v = (this.v[k] = b2 * this.v[k]! + (1 - b2) * g * g);
      param[k] = param[k]! - (lrT * m) / (Math.sqrt(v) + 1e-8);
    }
  }
}

/** Adagrad with an initial accumulator, so a feature seen once moves little. */
class Adagrad implements Optimizer {
  factor = 1;
  readonly acc: Float32Array;
  constructor(size: number, private readonly lr: number) {
    this.acc = new Float32Array(size).fill(0.1);
  }
  step(param: Float32Array, base: number, grad: Float32Array | ArrayLike<number>): void {
    for (let i = 0; i < grad.length; i++) {
      const g = grad[i]!;
      const k = base + i;
      const a = (this.acc[k] = this.acc[k]! + g * g);
      param[k] = param[k]! - (this.lr * this.factor * g) / Math.sqrt(a);
    }
  }
}

class Sgd implements Optimizer {
  factor = 1;
  constructor(private readonly lr: number) {}
  step(param: Float32Array, base: number, grad: Float32Array | ArrayLike<number>): void {
    for (let i = 0; i < grad.length; i++) param[base + i] = param[base + i]! - this.lr * this.factor * grad[i]!;
  }
}

function makeOptimizer(kind: Options['optimizer'], size: number, lr: number): Optimizer {
  return kind === 'adam' ? new Adam(size, lr) : kind === 'adagrad' ? new Adagrad(size, lr) : new Sgd(lr);
}

interface Batch {
  /** Row of `sub` for each feature occurrence, grouped by text (segments ascending). */
  localIds: tf.Tensor1D;
  segments: tf.Tensor1D;
  /** The same pairs ordered by embedding row, for the backward segment sum. */
  localIdsByRow: tf.Tensor1D;
  segmentsByRow: tf.Tensor1D;
  scale: tf.Tensor2D;
  targets: tf.Tensor2D;
  mask: tf.Tensor2D;
  /** Whether rowHead carries per-set output offsets (--set-heads); otherwise it is a [rows × 1 × labels] placeholder. */
  setHeads: boolean;
}

/**
 * Masked loss of one batch as a function of the gathered embedding rows and
 * the dense weights, with its backward pass written out (tf.customGrad):
 * tfjs-core registers no kernel gradients on its own (they ship with the
 * @tensorflow/tfjs union package), and the cpu backend's unsortedSegmentSum
 * costs segments × ids, far too slow for a bag of 50k ids. Both directions
 * use sparseSegmentSum, which is linear in the ids.
 */
type LossFn = (sub: tf.Tensor, w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor, rowBias: tf.Tensor, rowHead: tf.Tensor) => tf.Scalar;

/**
 * `rowBias` is each row's set bias (training only): it soaks up how often each
 * set says "toxic", so the shared weights need not learn a set's style
 * (tweets vs talk pages) as a stand-in for its base rate.
 */
function batchLoss(batch: Batch): LossFn {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [sub, w1, b1, w2, b2, rowBias, rowHead] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor3D];
    const save = args[7] as tf.GradSaveFunc;
    const summed = tf.sparse.sparseSegmentSum(sub, batch.localIds, batch.segments) as tf.Tensor2D;
    const pooled = tf.mul(summed, batch.scale) as tf.Tensor2D;
    const pre = tf.add(tf.matMul(pooled, w1), b1) as tf.Tensor2D;
    // rowHead [rows × hidden × labels]: each row's set offset to the output weights (training only).
    const base = tf.add(headLogits(pooled, { w1, b1, w2, b2 }), rowBias) as tf.Tensor2D;
    const logits = batch.setHeads ? (tf.add(base, tf.sum(tf.mul(tf.expandDims(tf.relu(pre), 2), rowHead), 1)) as tf.Tensor2D) : base;
    const value = maskedBinaryCrossEntropy(logits, batch.targets, batch.mask);
    save([pooled, pre, logits, w1, w2, rowHead]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [sPooled, sPre, sLogits, sW1, sW2, sRowHead] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor3D];
      const dLogits = tf.mul(maskedBinaryCrossEntropyGrad(sLogits, batch.targets, batch.mask), dy) as tf.Tensor2D;
      const h = tf.relu(sPre);
      const dW2 = tf.matMul(h, dLogits, true, false);
      const dB2 = tf.sum(dLogits, 0);
      const dL3 = tf.expandDims(dLogits, 1);
      const dRowHead = batch.setHeads ? tf.mul(tf.expandDims(h, 2), dL3) : tf.zerosLike(sRowHead);
      const dH = batch.setHeads ? tf.add(tf.matMul(dLogits, sW2, false, true), tf.sum(tf.mul(sRowHead, dL3), 2)) : tf.matMul(dLogits, sW2, false, true);
      const dPre = tf.mul(dH, tf.step(sPre)) as tf.Tensor2D;
      const dW1 = tf.matMul(sPooled, dPre, true, false);
      const dB1 = tf.sum(dPre, 0);
      const dSummed = tf.mul(tf.matMul(dPre, sW1, false, true), batch.scale) as tf.Tensor2D;
      // Each feature occurrence sends its text's gradient back to its embedding row.
      const dSub = tf.sparse.sparseSegmentSum(dSummed, batch.segmentsByRow, batch.localIdsByRow);
      return [dSub, dW1, dB1, dW2, dB2, dLogits, dRowHead];
    };
    return { value, gradFunc };
  }) as unknown as LossFn;
}


/** Probabilities [rows × LEARNED] with the current parameters (training-time path, float32). */
function predict(params: Params, o: Options, features: Int32Array[]): Float32Array {
  const k = LEARNED.length;
  const out = new Float32Array(features.length * k);
  const emb = tf.tensor2d(params.embedding, [o.buckets, o.dim]);
  const w = {
    w1: tf.tensor2d(params.w1, [o.dim, o.hidden]),
    b1: tf.tensor1d(params.b1),
    w2: tf.tensor2d(params.w2, [o.hidden, k]),
    b2: tf.tensor1d(params.b2),
  };
  for (let start = 0; start < features.length; start += 1024) {
    const chunk = features.slice(start, start + 1024);
    const total = chunk.reduce((a, f) => a + f.length, 0);
    const ids = new Int32Array(total);
    const seg = new Int32Array(total);
    const counts = new Int32Array(chunk.length);
    let p = 0;
    chunk.forEach((f, i) => {
      ids.set(f, p);
      seg.fill(i, p, p + f.length);
      p += f.length;
      counts[i] = f.length;
    });
    const probs = tf.tidy(() => {
      const summed = tf.sparse.sparseSegmentSum(emb, ids, seg) as tf.Tensor2D;
      return tf.sigmoid(headLogits(tf.mul(summed, tf.tensor2d(poolingScale(counts, o.pooling), [chunk.length, 1])) as tf.Tensor2D, w));
    });
    out.set(probs.dataSync(), start * k);
    probs.dispose();
  }
  emb.dispose();
  Object.values(w).forEach((t) => t.dispose());
  return out;
}

/** Per label, validation scores and labels of the rows that carry it. */
function labelColumn(enc: Encoded, probs: Float32Array, j: number, set?: string): { scores: number[]; labels: number[] } {
  const k = LEARNED.length;
  const scores: number[] = [];
  const labels: number[] = [];
  enc.rows.forEach((row, i) => {
    if (enc.mask[i * k + j]! > 0 && (set === undefined || row.set === set)) {
      scores.push(probs[i * k + j]!);
      labels.push(enc.targets[i * k + j]!);
    }
  });
  return { scores, labels };
}

/**
 * Mean validation ROC AUC over the learned labels and, for toxicity, over each
 * set (domains count equally). Entries with fewer than MIN_POSITIVES positives
 * are reported but left out of the mean: with a handful of positives (the
 * wiki-detox sets) they swing by 0.1 from run to run and would pick epochs by noise.
 */
const MIN_POSITIVES = 30;
function validationScore(enc: Encoded, probs: Float32Array): { score: number; detail: Record<string, number | null> } {
  const detail: Record<string, number | null> = {};
  const counted: number[] = [];
  const add = (key: string, c: { scores: number[]; labels: number[] }): void => {
    const auc = rocAuc(c.scores, c.labels);
    detail[key] = auc;
    if (auc !== null && c.labels.filter((y) => y === 1).length >= MIN_POSITIVES) counted.push(auc);
  };
  LEARNED.forEach((label, j) => add(label, labelColumn(enc, probs, j)));
  for (const set of SET_IDS) add(`toxicity/${set}`, labelColumn(enc, probs, 0, set));
  return { score: counted.reduce((a, b) => a + b, 0) / counted.length, detail };
}

function featurizerParams(o: Options): FeaturizerParams {
  const p: FeaturizerParams = { ...DEFAULT_FEATURIZER, buckets: o.buckets, minN: o.minN, maxN: o.maxN };
  if (o.normalization === 2) p.normalization = 2;
  if (o.lexicon) p.lexicon = buildLexicon();
  if (o.clauseMarks) p.clauseMarks = true;
  return p;
}

function quantizeRows(emb: Float32Array, rows: number, dim: number): { q: Int8Array; scale: Float32Array } {
  const q = new Int8Array(rows * dim);
  const scale = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = r * dim; c < (r + 1) * dim; c++) max = Math.max(max, Math.abs(emb[c]!));
    const s = max / 127 || 1;
    scale[r] = s;
    for (let c = r * dim; c < (r + 1) * dim; c++) q[c] = Math.round(emb[c]! / s);
  }
  return { q, scale };
}

function writeModel(o: Options, members: Params[], thresholds: Record<Label, number | null>, thresholdRules: Record<string, string>, training: Record<string, unknown>): void {
  const k = LEARNED.length;
  const parts: { spec: Omit<TensorSpec, 'offset'>; bytes: Uint8Array }[] = members.flatMap((params, member) => {
    const { q, scale } = quantizeRows(params.embedding, o.buckets, o.dim);
    return [
      { spec: { name: 'embedding', member, dtype: 'int8', shape: [o.buckets, o.dim] }, bytes: new Uint8Array(q.buffer) },
      { spec: { name: 'embedding_scale', member, dtype: 'float32', shape: [o.buckets] }, bytes: new Uint8Array(scale.buffer) },
      { spec: { name: 'w1', member, dtype: 'float32', shape: [o.dim, o.hidden] }, bytes: new Uint8Array(params.w1.buffer) },
      { spec: { name: 'b1', member, dtype: 'float32', shape: [o.hidden] }, bytes: new Uint8Array(params.b1.buffer) },
      { spec: { name: 'w2', member, dtype: 'float32', shape: [o.hidden, k] }, bytes: new Uint8Array(params.w2.buffer) },
      { spec: { name: 'b2', member, dtype: 'float32', shape: [k] }, bytes: new Uint8Array(params.b2.buffer) },
    ] satisfies { spec: Omit<TensorSpec, 'offset'>; bytes: Uint8Array }[];
  });
  let offset = 0;
  const tensors: TensorSpec[] = parts.map(({ spec, bytes }) => {
    const t = { ...spec, offset };
    offset += bytes.byteLength;
    return t;
  });
  const file = Buffer.concat(parts.map((p) => p.bytes));
  const exposed = (l: Label): boolean => LEARNED.includes(l) && (l !== 'sexual_explicit' || o.sexualExplicit);
  const labels = Object.fromEntries(LABELS.map((l) => [l, exposed(l) ? LEARNED.indexOf(l) : null])) as Record<Label, number | null>;
  for (const l of LABELS) if (!exposed(l)) thresholds[l] = null;
  const manifest: LocalModelManifest = {
    id: 'triage-local',
    version: o.version,
    labels,
    featurizer: featurizerParams(o),
    architecture: { dim: o.dim, hidden: o.hidden, outputs: k, pooling: o.pooling, members: members.length },
    weights: { file: 'weights.bin', sha256: weightsChecksum(file), tensors },
    thresholds,
    thresholdRule:
      `lowest score reaching precision ${TARGET_PRECISION} on the validation split (10% of training rows, all sets pooled); ` +
      'where no score reaches it, the best-F1 threshold on the same rows; null for labels the model does not have. ' +
      `Per label: ${Object.entries(thresholdRules).map(([l, r]) => `${l}: ${r}`).join('; ')}`,
    training,
  };
  mkdirSync(o.out, { recursive: true });
  writeFileSync(resolve(o.out, 'weights.bin'), file);
  writeFileSync(resolve(o.out, 'model.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

interface Member {
  params: Params;
  /** Validation probabilities [rows × LEARNED] of the chosen epoch. */
  probs: Float32Array;
  name: string;
  score: number;
}

/** Trains one model from `seed` and keeps its best epoch on the validation split. */
function trainMember(o: Options, tr: Encoded, va: Encoded, seed: number, log: (msg: string) => void): Member {
  const random = seededRandom(seed);
  const params = initParams(o, random);
  const k = LEARNED.length;
  const optEmb = makeOptimizer(o.optimizer, params.embedding.length, o.embeddingLr);
  const adamDense = { w1: new Adam(params.w1.length, o.lr), b1: new Adam(params.b1.length, o.lr), w2: new Adam(params.w2.length, o.lr), b2: new Adam(params.b2.length, o.lr) };
  const setIndex = new Map<string, number>(SET_IDS.map((s, i) => [s, i]));
  const setBias = new Float32Array(SET_IDS.length * k);
  const adamSetBias = new Adam(setBias.length, o.lr);
  // Per-set offsets to w2 (--set-heads): each set's own idea of each label; inference uses w2 alone.
  const setHead = new Float32Array(SET_IDS.length * o.hidden * k);
  const adamSetHead = new Adam(setHead.length, o.lr);
  const hk = o.hidden * k;
  const local = new Int32Array(o.buckets).fill(-1);
  let best = { score: -1, epoch: 0, params: structuredClone(params), detail: {} as Record<string, number | null>, name: '' };
  let step = 0;
  const order = Array.from({ length: tr.rows.length }, (_, i) => i);
  const totalSteps = o.epochs * Math.ceil(order.length / o.batch);
  // Running mean of the parameters at each epoch's end (o.average): smoother than any one epoch's.
  const sum: Params | null = o.average ? structuredClone(params) : null;
  if (sum) for (const a of Object.values(sum) as Float32Array[]) a.fill(0);
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    shuffleInPlace(order, random);
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start < order.length; start += o.batch) {
      const idx = order.slice(start, start + o.batch);
      const uniq: number[] = [];
      let total = 0;
      for (const r of idx) total += tr.features[r]!.length;
      const localIds = new Int32Array(total);
      const segments = new Int32Array(total);
      const counts = new Int32Array(idx.length);
      const targets = new Float32Array(idx.length * k);
      const mask = new Float32Array(idx.length * k);
      let q = 0;
      const rowBias = new Float32Array(idx.length * k);
      const rowHead = new Float32Array(o.setHeads > 0 ? idx.length * hk : idx.length * k);
      idx.forEach((r, i) => {
        const f = tr.features[r]!;
        const from = q;
        for (let a = 0; a < f.length; a++) {
          // Feature dropout (never the per-text bias id at 0): no single n-gram can carry a label alone.
          if (a > 0 && o.dropout > 0 && random() < o.dropout) continue;
          const id = f[a]!;
          if (local[id] === -1) {
            local[id] = uniq.length;
            uniq.push(id);
          }
          localIds[q] = local[id]!;
          segments[q++] = i;
        }
        counts[i] = q - from;
        if (o.setHeads > 0) rowHead.set(setHead.subarray(setIndex.get(tr.rows[r]!.set)! * hk, (setIndex.get(tr.rows[r]!.set)! + 1) * hk), i * hk);
        if (o.setBias) rowBias.set(setBias.subarray(setIndex.get(tr.rows[r]!.set)! * k, (setIndex.get(tr.rows[r]!.set)! + 1) * k), i * k);
        targets.set(tr.targets.subarray(r * k, (r + 1) * k), i * k);
        mask.set(tr.mask.subarray(r * k, (r + 1) * k), i * k);
      });
      const used = q;
      const sub = new Float32Array(uniq.length * o.dim);
      uniq.forEach((id, u) => sub.set(params.embedding.subarray(id * o.dim, (id + 1) * o.dim), u * o.dim));
      step++;
      if (o.decay) {
        // fastText-style linear decay to zero over the run.
        const factor = Math.max(0.02, 1 - (step - 1) / totalSteps);
        for (const opt of [optEmb, ...Object.values(adamDense), adamSetBias, adamSetHead]) opt.factor = factor;
      }
      const inputs = [
        tf.tensor2d(sub, [uniq.length, o.dim]),
        tf.tensor2d(params.w1, [o.dim, o.hidden]),
        tf.tensor1d(params.b1),
        tf.tensor2d(params.w2, [o.hidden, k]),
        tf.tensor1d(params.b2),
        tf.tensor2d(rowBias, [idx.length, k]),
        tf.tensor3d(rowHead, [idx.length, o.setHeads > 0 ? o.hidden : 1, k]),
      ];
      const sorted = byRow(localIds.subarray(0, used), segments.subarray(0, used), uniq.length);
      const batch: Batch = {
        localIds: tf.tensor1d(localIds.subarray(0, used), 'int32'),
        segments: tf.tensor1d(segments.subarray(0, used), 'int32'),
        localIdsByRow: tf.tensor1d(sorted.ids, 'int32'),
        segmentsByRow: tf.tensor1d(sorted.segs, 'int32'),
        scale: tf.tensor2d(poolingScale(counts, o.pooling), [idx.length, 1]),
        targets: tf.tensor2d(targets, [idx.length, k]),
        mask: tf.tensor2d(mask, [idx.length, k]),
        setHeads: o.setHeads > 0,
      };
      const { value, grads } = tf.valueAndGrads(batchLoss(batch))(inputs);
      const [gSub, gW1, gB1, gW2, gB2, gRow, gHead] = grads.map((g) => g!.dataSync() as Float32Array);
      lossSum += value.dataSync()[0]!;
      batches++;
      uniq.forEach((id, u) => {
        const g = gSub!.subarray(u * o.dim, (u + 1) * o.dim);
        // Lazy L2: only rows this batch touched decay, as in sparse training elsewhere.
        if (o.l2 > 0) for (let c = 0; c < o.dim; c++) g[c]! += o.l2 * params.embedding[id * o.dim + c]!;
        optEmb.step(params.embedding, id * o.dim, g, step);
        local[id] = -1;
      });
      if (o.setBias) {
        const gSet = new Float32Array(setBias.length);
        idx.forEach((r, i) => {
          const s0 = setIndex.get(tr.rows[r]!.set)! * k;
          for (let j = 0; j < k; j++) gSet[s0 + j]! += gRow![i * k + j]!;
        });
        adamSetBias.step(setBias, 0, gSet, step);
      }
      if (o.setHeads > 0) {
        // L2 (strength --set-heads) keeps the offsets small, so w2 carries what the sets share.
        const gSetHead = new Float32Array(setHead.length);
        const touched = new Set<number>();
        idx.forEach((r, i) => {
          const s0 = setIndex.get(tr.rows[r]!.set)! * hk;
          touched.add(s0);
          for (let j = 0; j < hk; j++) gSetHead[s0 + j]! += gHead![i * hk + j]!;
        });
        for (const s0 of touched) for (let j = 0; j < hk; j++) gSetHead[s0 + j]! += o.setHeads * setHead[s0 + j]!;
        adamSetHead.step(setHead, 0, gSetHead, step);
      }
      adamDense.w1.step(params.w1, 0, gW1!, step);
      adamDense.b1.step(params.b1, 0, gB1!, step);
      adamDense.w2.step(params.w2, 0, gW2!, step);
      adamDense.b2.step(params.b2, 0, gB2!, step);
      tf.dispose([value, ...grads, ...inputs, ...Object.values(batch).filter((t): t is tf.Tensor => t instanceof tf.Tensor)]);
      if (batches % 100 === 0) log(`epoch ${epoch} step ${batches}: loss ${(lossSum / batches).toFixed(4)}`);
    }
    const candidates: { name: string; p: Params }[] = [{ name: `epoch ${epoch}`, p: params }];
    if (sum) {
      const keys = Object.keys(sum) as (keyof Params)[];
      for (const key of keys) {
        const acc = sum[key];
        const cur = params[key];
        for (let i = 0; i < acc.length; i++) acc[i]! += cur[i]!;
      }
      if (epoch > 1) {
        const mean = structuredClone(sum);
        for (const key of keys) for (let i = 0; i < mean[key].length; i++) mean[key][i]! /= epoch;
        candidates.push({ name: `mean of epochs 1-${epoch}`, p: mean });
      }
    }
    for (const c of candidates) {
      const val = validationScore(va, predict(c.p, o, va.features));
      log(`${c.name}: train loss ${(lossSum / batches).toFixed(4)}, validation mean AUC ${val.score.toFixed(4)} ${JSON.stringify(Object.fromEntries(Object.entries(val.detail).map(([a, b]) => [a, b === null ? null : +b.toFixed(3)])))}`);
      if (val.score > best.score) best = { score: val.score, epoch, params: c.p === params ? structuredClone(params) : c.p, detail: val.detail, name: c.name };
    }
  }

  return { params: best.params, probs: predict(best.params, o, va.features), name: best.name, score: best.score };
}

/**
 * The training and validation rows: held-out rows never, nor training rows
 * whose normalised text is a held-out text in any set (retweets, reposts);
 * validation is a seeded, stratified 10% of each set's remaining rows.
 * scripts/validation-thresholds.ts reads the same validation rows.
 */
export function splitForTraining(all: DataRow[], seed: number, p: FeaturizerParams): { trainRows: DataRow[]; valRows: DataRow[]; dropped: number } {
  const key = (text: string): string => normalizeText(text, p.maxChars, p.normalization).trim();
  const heldKeys = new Set(all.filter((r) => r.split === 'heldout').map((r) => key(r.text)));
  const trainable = all.filter((r) => r.split === 'train');
  const train0 = trainable.filter((r) => !heldKeys.has(key(r.text)));
  const trainRows: DataRow[] = [];
  const valRows: DataRow[] = [];
  SET_IDS.forEach((set, i) => {
    const { keep, out } = stratifiedSplit(train0.filter((r) => r.set === set), VALIDATION_FRACTION, seed * 100 + i);
    trainRows.push(...keep);
    valRows.push(...out);
  });
  return { trainRows, valRows, dropped: trainable.length - train0.length };
}

export async function train(o: Options): Promise<void> {
  const started = Date.now();
  const log = (msg: string): void => console.log(`[${((Date.now() - started) / 1000).toFixed(0)}s] ${msg}`);
  await tf.setBackend('cpu');
  const p = featurizerParams(o);
  if (p.lexicon) log(`lexicon: ${p.lexicon.length} terms from ${LEXICON_SOURCE}`);

  const all = loadAllSets(o.data, { madlibsShare: o.madlibsShare });
  // Held-out texts may reappear in another set (retweets, reposts): drop those from training.
  const { trainRows, valRows, dropped } = splitForTraining(all, o.seed, p);
  log(`rows: ${trainRows.length} train, ${valRows.length} validation, ${dropped} dropped as copies of held-out texts`);

  const tr = encode(trainRows, p, o.soft, o);
  const va = encode(valRows, p);
  log('featurised');

  // Each member starts from its own seed (initialisation, shuffling, dropout); member 0 uses --seed itself.
  const members: Member[] = [];
  for (let m = 0; m < o.members; m++) {
    const member = trainMember(o, tr, va, o.seed + 7919 * m, (msg) => log(o.members > 1 ? `member ${m + 1}/${o.members}: ${msg}` : msg));
    members.push(member);
  }
  // The ensemble's score is the mean of its members' probabilities (the loader does the same).
  const probs = new Float32Array(members[0]!.probs.length);
  for (const m of members) for (let i = 0; i < probs.length; i++) probs[i]! += m.probs[i]! / members.length;
  const ensemble = validationScore(va, probs);
  if (members.length > 1) log(`ensemble of ${members.length}: validation mean AUC ${ensemble.score.toFixed(4)} ${JSON.stringify(Object.fromEntries(Object.entries(ensemble.detail).map(([a, b]) => [a, b === null ? null : +b.toFixed(3)])))}`);
  const thresholds = Object.fromEntries(LABELS.map((l) => [l, null])) as Record<Label, number | null>;
  const thresholdRules: Record<string, string> = {};
  LEARNED.forEach((label, j) => {
    const c = labelColumn(va, probs, j);
    const atPrecision = thresholdForPrecision(c.scores, c.labels, TARGET_PRECISION);
    // Rare labels may never reach the precision on validation: fall back to the best-F1 threshold, and say so.
    const t = atPrecision ?? thresholdForBestF1(c.scores, c.labels);
    thresholdRules[label] = atPrecision !== null ? `precision ${TARGET_PRECISION}` : 'best F1 (precision never reached)';
    thresholds[label] = t === null ? null : Math.round(t * 1000) / 1000;
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  writeModel(o, members.map((m) => m.params), thresholds, thresholdRules, {
    command: 'npm run train',
    seed: o.seed,
    epochs: o.epochs,
    members: o.members,
    chosen: members.map((m) => m.name),
    memberValidationAuc: members.map((m) => +m.score.toFixed(4)),
    validationMeanAuc: +ensemble.score.toFixed(4),
    learningRate: o.lr,
    embeddingOptimizer: o.optimizer,
    embeddingLearningRate: o.embeddingLr,
    l2: o.l2,
    dropout: o.dropout,
    setBias: o.setBias,
    setHeads: o.setHeads,
    softTargets: o.soft,
    setWeight: o.setWeight,
    madlibsShare: o.madlibsShare,
    proxyWeight: o.proxyWeight,
    setBoost: o.setBoost,
    normalization: o.normalization,
    lexicon: o.lexicon ? LEXICON_SOURCE : null,
    clauseMarks: o.clauseMarks,
    batch: o.batch,
    trainRows: trainRows.length,
    validationRows: valRows.length,
    validationAuc: Object.fromEntries(Object.entries(ensemble.detail).map(([a, b]) => [a, b === null ? null : +b.toFixed(4)])),
    seconds,
  });
  log(`chose ${members.map((m) => m.name).join(', ')}; validation mean AUC ${ensemble.score.toFixed(4)}; thresholds ${JSON.stringify(thresholds)}; wrote ${o.out} in ${seconds}s`);
  // The anchor (site models' "don't forget" rows, scripts/anchor.ts) is features of these weights: rebuild it, in its
  // own process so its features come from the backend the scorer uses, exactly as `npm run anchor` writes them.
  const anchor = spawnSync(process.execPath, [...process.execArgv, resolve(PROJECT_ROOT, 'scripts', 'anchor.ts'), '--data', o.data, '--model', o.out], { stdio: 'inherit' });
  if (anchor.status !== 0) throw new Error(`npm run anchor failed (status ${anchor.status}); the weights are written, run it again alone`);
}

/** "civil-spans=2,olid=1.5" → { 'civil-spans': 2, olid: 1.5 }; a set that does not exist or a weight that is not positive is an error. */
export function parseSetBoost(value: string): Partial<Record<SetId, number>> {
  const boost: Partial<Record<SetId, number>> = {};
  for (const part of value.split(',').filter((s) => s.trim() !== '')) {
    const [set, weight] = part.split('=').map((s) => s.trim());
    if (!(SET_IDS as readonly string[]).includes(set!)) throw new InvalidArgumentError(`--set-boost: no set "${set}" (sets: ${SET_IDS.join(', ')})`);
    const x = Number(weight);
    if (!(x > 0)) throw new InvalidArgumentError(`--set-boost: the weight of ${set} must be a positive number, not "${weight ?? ''}"`);
    boost[set as SetId] = x;
  }
  return boost;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(PROJECT_ROOT, 'scripts', 'train.ts');
if (isMain) {
  const program = new Command()
    .name('train')
    .description('Train the local toxicity model (needs ../shared/data, which is not part of a clone)')
    .option('--data <dir>', 'labelled data folder', DEFAULT_DATA_DIR)
    .option('--out <dir>', 'where to write model.json and weights.bin', resolve(PROJECT_ROOT, 'models', 'local'))
    .option('--epochs <n>', 'passes over the training rows', (v) => parseInt(v, 10), 2)
    .option('--seed <n>', 'seed for initialisation, shuffling and the validation split', (v) => parseInt(v, 10), 7)
    .option('--dim <n>', 'embedding width', (v) => parseInt(v, 10), 64)
    .option('--hidden <n>', 'hidden layer width', (v) => parseInt(v, 10), 64)
    .option('--lr <x>', 'Adam learning rate', parseFloat, 0.003)
    .option('--batch <n>', 'rows per step', (v) => parseInt(v, 10), 128)
    .option('--buckets <n>', 'hash buckets (power of two)', (v) => parseInt(v, 10), DEFAULT_FEATURIZER.buckets)
    .option('--version <v>', 'model version written to model.json (stored with every score: bump it with the weights)', '2.1.0')
    .option('--optimizer <name>', 'embedding optimizer: adam, adagrad or sgd', 'adam')
    .option('--embedding-lr <x>', 'embedding learning rate', parseFloat, 0.003)
    .option('--l2 <x>', 'L2 weight decay on touched embedding rows', parseFloat, 0)
    .option('--dropout <x>', 'share of feature occurrences dropped per step', parseFloat, 0.3)
    .option('--pooling <name>', 'sqrtn or mean', 'sqrtn')
    .option('--min-n <n>', 'smallest character n-gram (above --max-n: none)', (v) => parseInt(v, 10), DEFAULT_FEATURIZER.minN)
    .option('--max-n <n>', 'largest character n-gram', (v) => parseInt(v, 10), DEFAULT_FEATURIZER.maxN)
    .option('--no-decay', 'keep learning rates constant instead of decaying them linearly to zero')
    .option('--average', 'also try the mean of the parameters at each epoch end')
    .option('--no-soft', 'train on majority labels even where a set has annotator shares (civil-spans, davidson)')
    .option('--set-weight <alpha>', 'weight rows by (mean set size / set size)^alpha', parseFloat, 0)
    .option('--members <n>', 'models trained from different seeds whose probabilities are averaged', (v) => parseInt(v, 10), 2)
    .option('--proxy-weight <x>', 'loss weight of labels a set gives only through a proxy (hate as identity attack, Gab vulgarity as obscene, calls for violence as threat)', parseFloat, 0.4)
    .option('--set-boost <set=x,...>', 'loss weight of every label of the named sets ("" for none)', parseSetBoost, parseSetBoost('civil-spans=2'))
    .option('--set-heads <l2>', 'learn per-set offsets to the output weights in training, with this L2 strength (0: off)', parseFloat, 0)
    .option('--no-set-bias', 'do not learn a per-set bias during training')
    .option('--normalization <n>', 'featurizer normalisation: 1 (as 1.x) or 2 (controls, homoglyphs, wider spacing)', (v) => parseInt(v, 10), 2)
    .option('--no-lexicon', 'leave out the lexicon feature (naughty-words, baked into model.json)')
    .option('--no-clause-marks', 'leave out the marks on words of clauses with a negator or a word about speech')
    .option('--madlibs-share <x>', 'share of the 72,000 "<name> is a <adjective> <identity>" madlibs trained on', parseFloat, MADLIBS_NAME_ADJ_TRAIN_SHARE)
    .option('--no-sexual-explicit', 'train the sexual_explicit output but leave the label null in model.json');
  program.parse();
  const opts = program.opts<Options>();
  if (!(opts.buckets > 0) || (opts.buckets & (opts.buckets - 1)) !== 0) program.error('--buckets must be a power of two');
  if (!['adam', 'adagrad', 'sgd'].includes(opts.optimizer)) program.error('--optimizer must be adam, adagrad or sgd');
  if (opts.pooling !== 'sqrtn' && opts.pooling !== 'mean') program.error('--pooling must be sqrtn or mean');
  if (!(opts.dropout >= 0 && opts.dropout < 1)) program.error('--dropout must be in [0, 1)');
  if (opts.normalization !== 1 && opts.normalization !== 2) program.error('--normalization must be 1 or 2');
  if (opts.lexicon && opts.normalization !== 2) program.error('--lexicon needs --normalization 2');
  for (const key of ['epochs', 'dim', 'hidden', 'batch', 'members'] as const) {
    if (!Number.isInteger(opts[key]) || opts[key] < 1) program.error(`--${key} must be a positive integer`);
  }
  train({ ...opts, data: resolve(opts.data), out: resolve(opts.out) }).catch((err: unknown) => {
    console.error(process.env.DEBUG ? err : err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
