/**
 * Triage's own toxicity model (models/local, trained by scripts/train.ts):
 * an embedding bag over hashed word and character n-gram features, one small
 * hidden layer, one sigmoid per learned label; an ensemble of such models
 * (architecture.members) averages their probabilities. See models/README.md.
 *
 * Runs on whichever TensorFlow.js backend is active (cpu, wasm, node); the
 * backend is chosen elsewhere (server/scoring/backend.ts), never here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { featurizeBatch, splitWindows, type FeaturizerParams } from './featurize.ts';
import { LABELS, type Label, type LabelScores } from './labels.ts';
import type { AnchorManifest } from '../adaptation/anchor.ts';
import type { ScoredText, Scorer } from './types.ts';

export const DEFAULT_MODEL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'models', 'local');

/** Texts featurised and run through the graph at once; bounds memory for huge batches. */
const CHUNK = 512;

export interface TensorSpec {
  name: 'embedding' | 'embedding_scale' | 'w1' | 'b1' | 'w2' | 'b2';
  dtype: 'int8' | 'float32';
  shape: number[];
  /** Which ensemble member the tensor belongs to (0 when absent: single-model files). */
  member?: number;
  /** Byte offset in the weights file. */
  offset: number;
}

/** models/local/model.json */
export interface LocalModelManifest {
  id: string;
  version: string;
  /** For each of the seven labels, the model output that gives it, or null where the model has no honest signal. */
  labels: Record<Label, number | null>;
  featurizer: FeaturizerParams;
  /** `members`: models whose probabilities are averaged (1 when absent). */
  architecture: { dim: number; hidden: number; outputs: number; pooling: Pooling; members?: number };
  /** `sha256`: hex SHA-256 of the weights file, checked at load (scripts/train.ts writes it). */
  weights: { file: string; sha256: string; tensors: TensorSpec[] };
  /** Recommended flag thresholds per label (null where the label is null); the rule is in `thresholdRule`. */
  thresholds: Record<Label, number | null>;
  thresholdRule: string;
  training?: Record<string, unknown>;
  /**
   * Rows of the model's own training data as frozen features and soft targets, for site heads not to forget
   * (server/adaptation/anchor.ts; scripts/anchor.ts writes it). The scorer never reads it.
   */
  anchor?: AnchorManifest;
}

/** The trainable tensors of the model, float32. */
export interface LocalModelWeights {
  embedding: tf.Tensor2D;
  w1: tf.Tensor2D;
  b1: tf.Tensor1D;
  w2: tf.Tensor2D;
  b2: tf.Tensor1D;
}

/**
 * Everything after pooling: shared by training (scripts/train.ts) and
 * inference, so both compute the same function.
 */
export function headLogits(pooled: tf.Tensor2D, w: Pick<LocalModelWeights, 'w1' | 'b1' | 'w2' | 'b2'>): tf.Tensor2D {
  const hidden = tf.relu(tf.add(tf.matMul(pooled, w.w1), w.b1)) as tf.Tensor2D;
  return tf.add(tf.matMul(hidden, w.w2), w.b2) as tf.Tensor2D;
}

/** How a text's feature embeddings are combined: sum divided by sqrt(count) or by count. */
export type Pooling = 'sqrtn' | 'mean';

/**
 * The factor each text's summed embedding is multiplied by. sqrtn keeps one
 * strong n-gram audible in a long text better than a plain mean would.
 */
export function poolingScale(counts: Int32Array, pooling: Pooling = 'sqrtn'): Float32Array {
  const out = new Float32Array(counts.length);
  for (let i = 0; i < counts.length; i++) {
    const n = Math.max(1, counts[i]!);
    out[i] = pooling === 'mean' ? 1 / n : 1 / Math.sqrt(n);
  }
  return out;
}

function readTensor(buf: Buffer, spec: TensorSpec): Float32Array | Int8Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const bytes = size * (spec.dtype === 'int8' ? 1 : 4);
  if (spec.offset + bytes > buf.byteLength) {
    throw new Error(`weights file too short for tensor ${spec.name} (needs bytes ${spec.offset}..${spec.offset + bytes}, has ${buf.byteLength})`);
  }
  // Copy out: Buffer slices may be unaligned for Float32Array views.
  const copy = new Uint8Array(bytes);
  copy.set(buf.subarray(spec.offset, spec.offset + bytes));
  return spec.dtype === 'int8' ? new Int8Array(copy.buffer) : new Float32Array(copy.buffer);
}

/** Fails with the field at fault rather than producing NaN scores later. */
function checkManifest(m: LocalModelManifest, path: string): void {
  const fail = (field: string, why: string): never => {
    throw new Error(`${path}: field ${field} ${why}`);
  };
  if (typeof m.id !== 'string' || m.id === '') fail('id', 'must be a non-empty string');
  if (typeof m.version !== 'string' || m.version === '') fail('version', 'must be a non-empty string');
  const a = m.architecture;
  if (!a || ![a.dim, a.hidden, a.outputs].every((n) => Number.isInteger(n) && n > 0)) fail('architecture', 'needs positive integer dim, hidden and outputs');
  if (a.pooling !== 'sqrtn' && a.pooling !== 'mean') fail('architecture.pooling', 'must be sqrtn or mean');
  if (a.members !== undefined && !(Number.isInteger(a.members) && a.members > 0)) fail('architecture.members', 'must be a positive integer');
  for (const label of LABELS) {
    const j = m.labels?.[label];
    if (j !== null && !(Number.isInteger(j) && j! >= 0 && j! < a.outputs)) fail(`labels.${label}`, `must be null or an output index below ${a.outputs}`);
  }
  const f = m.featurizer;
  if (!f || !(f.buckets > 0) || (f.buckets & (f.buckets - 1)) !== 0) fail('featurizer.buckets', 'must be a power of two');
  if (typeof m.weights?.file !== 'string' || !Array.isArray(m.weights.tensors)) fail('weights', 'needs file and tensors');
  if (typeof m.weights.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.weights.sha256)) {
    fail('weights.sha256', 'must be the SHA-256 of the weights file, 64 lowercase hex digits (scripts/train.ts writes it)');
  }
}

/** Hex SHA-256 of the weights, as recorded in the manifest's `weights.sha256`. */
export function weightsChecksum(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads manifest and weights; int8 embedding rows are dequantised with their per-row scale. */
export async function readLocalModel(dir: string): Promise<{ manifest: LocalModelManifest; members: LocalModelWeights[] }> {
  let manifest: LocalModelManifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as LocalModelManifest;
  } catch (err) {
    throw new Error(`cannot read the local model manifest ${join(dir, 'model.json')}: ${(err as Error).message}`, { cause: err });
  }
  checkManifest(manifest, join(dir, 'model.json'));
  let buf: Buffer;
  try {
    buf = await readFile(join(dir, manifest.weights.file));
  } catch (err) {
    throw new Error(`cannot read the local model weights ${join(dir, manifest.weights.file)}: ${(err as Error).message}`, { cause: err });
  }
  // Random bytes of the right size would load and score NaN or nonsense under the same model id.
  const actual = weightsChecksum(buf);
  if (actual !== manifest.weights.sha256) {
    throw new Error(
      `the local model weights ${join(dir, manifest.weights.file)} are corrupt or from another model: ` +
        `SHA-256 ${actual}, expected ${manifest.weights.sha256} (weights.sha256 in ${join(dir, 'model.json')})`,
    );
  }
  const members: LocalModelWeights[] = [];
  try {
    for (let m = 0; m < (manifest.architecture.members ?? 1); m++) members.push(readMember(buf, manifest, m, join(dir, 'model.json')));
  } catch (err) {
    // A later member's fault must not strand the earlier members' tensors.
    for (const w of members) for (const t of Object.values(w)) t.dispose();
    throw err;
  }
  return { manifest, members };
}

function readMember(buf: Buffer, manifest: LocalModelManifest, member: number, path: string): LocalModelWeights {
  const specs = new Map(manifest.weights.tensors.filter((t) => (t.member ?? 0) === member).map((t) => [t.name, t]));
  const need = (name: TensorSpec['name']): TensorSpec => {
    const spec = specs.get(name);
    if (!spec) throw new Error(`${path}: weights.tensors lacks ${name} of member ${member}`);
    return spec;
  };
  const embSpec = need('embedding');
  const [rows, dim] = embSpec.shape as [number, number];
  if (rows !== manifest.featurizer.buckets || dim !== manifest.architecture.dim) {
    throw new Error(`${path}: embedding shape [${rows}, ${dim}] of member ${member} does not match featurizer.buckets and architecture.dim`);
  }
  let embedding: Float32Array;
  const raw = readTensor(buf, embSpec);
  if (embSpec.dtype === 'int8') {
    const scale = readTensor(buf, need('embedding_scale')) as Float32Array;
    embedding = new Float32Array(raw.length);
    for (let r = 0; r < rows; r++) {
      const s = scale[r]!;
      for (let c = r * dim, end = c + dim; c < end; c++) embedding[c] = raw[c]! * s;
    }
  } else {
    embedding = raw as Float32Array;
  }
  const dense = (name: TensorSpec['name']): Float32Array => readTensor(buf, need(name)) as Float32Array;
  const { hidden, outputs } = manifest.architecture;
  return {
    embedding: tf.tensor2d(embedding, [rows, dim]),
    w1: tf.tensor2d(dense('w1'), [dim, hidden]),
    b1: tf.tensor1d(dense('b1')),
    w2: tf.tensor2d(dense('w2'), [hidden, outputs]),
    b2: tf.tensor1d(dense('b2')),
  };
}

class LocalScorer implements Scorer {
  readonly model: string;
  #members: LocalModelWeights[] | null;
  readonly #manifest: LocalModelManifest;

  constructor(manifest: LocalModelManifest, members: LocalModelWeights[]) {
    this.model = `${manifest.id}@${manifest.version}`;
    this.#manifest = manifest;
    this.#members = members;
  }

  /** Probabilities [texts.length × outputs] for texts that each fit one window. */
  async #probabilities(texts: string[]): Promise<Float32Array> {
    const members = this.#members;
    if (!members) throw new Error(`${this.model} has been disposed`);
    const { ids, segments, counts } = featurizeBatch(texts, this.#manifest.featurizer);
    const probs = tf.tidy(() => {
      // Gather and sum in one op (cpu and wasm both have it): no [ids × dim] intermediate.
      const idsT = tf.tensor1d(ids, 'int32');
      const segT = tf.tensor1d(segments, 'int32');
      const scale = tf.tensor2d(poolingScale(counts, this.#manifest.architecture.pooling), [counts.length, 1]);
      // An ensemble's score is the mean of its members' probabilities.
      const each = members.map((w) => {
        const summed = tf.sparse.sparseSegmentSum(w.embedding, idsT, segT) as tf.Tensor2D;
        return tf.sigmoid(headLogits(tf.mul(summed, scale) as tf.Tensor2D, w));
      });
      return each.length === 1 ? each[0]! : tf.div(tf.addN(each), each.length);
    });
    try {
      return (await probs.data()) as Float32Array;
    } finally {
      probs.dispose();
    }
  }

  async scoreBatch(texts: string[]): Promise<ScoredText[]> {
    const p = this.#manifest.featurizer;
    const outputs = this.#manifest.architecture.outputs;
    // Long texts become several windows; a text's score is each label's maximum over its windows.
    const windows: string[] = [];
    const owner: number[] = [];
    texts.forEach((text, i) => {
      for (const w of splitWindows(typeof text === 'string' ? text : String(text ?? ''), p)) {
        windows.push(w);
        owner.push(i);
      }
    });
    const best = new Float32Array(texts.length * outputs);
    for (let start = 0; start < windows.length; start += CHUNK) {
      const probs = await this.#probabilities(windows.slice(start, start + CHUNK));
      for (let k = 0; k < probs.length / outputs; k++) {
        const o = owner[start + k]! * outputs;
        for (let j = 0; j < outputs; j++) best[o + j] = Math.max(best[o + j]!, probs[k * outputs + j]!);
      }
    }
    return texts.map((_, i) => {
      const scores = {} as LabelScores;
      for (const label of LABELS) {
        const j = this.#manifest.labels[label];
        scores[label] = j === null ? null : best[i * outputs + j]!;
      }
      return { scores, model: this.model };
    });
  }

  async dispose(): Promise<void> {
    if (!this.#members) return;
    for (const w of this.#members) for (const t of Object.values(w)) t.dispose();
    this.#members = null;
  }
}

/** Loads models/local (or `dir`) onto the active TensorFlow.js backend. */
export async function loadLocalModel(dir: string = DEFAULT_MODEL_DIR): Promise<Scorer> {
  await tf.ready();
  const { manifest, members } = await readLocalModel(dir);
  return new LocalScorer(manifest, members);
}
