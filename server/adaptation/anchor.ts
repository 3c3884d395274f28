/**
 * The anchor (issue 11, "do not forget what it knew"): a seeded sample of the
 * shipped model's own TRAINING rows, shipped beside its weights as what a
 * site head trains on, never as text: each row's frozen features
 * (features.ts: the dense row, the hashed n-gram ids and their pooling scale)
 * and its soft target, the shipped model's own toxicity probability.
 * `scripts/anchor.ts` (`npm run anchor`, needs ../shared/data) writes
 * `anchor.bin` and the manifest's `anchor` entry; `adaptRows` adds the rows
 * to training with total weight ANCHOR_LAMBDA times the decisions' (guards.ts).
 *
 * anchor.bin, little-endian: the magic "TRANCHOR", then uint32 format (1),
 * rows, denseDim, outputs, total ids; float32 dense [rows × denseDim];
 * float32 target [rows]; float32 scale [rows]; uint32 id count [rows];
 * uint16 ids [total] (each row's ids sorted; ids are below featurizer.buckets,
 * at most 65,536). A model folder without an anchor still adapts (an older
 * model folder): the head then trains without it, and the report says 0 rows.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalModelManifest } from '../scoring/local-model.ts';
import type { FrozenFeatures } from './features.ts';

export const ANCHOR_FORMAT = 1;
const MAGIC = 'TRANCHOR';
const HEADER = 8 + 5 * 4;

/** The manifest's `anchor` entry (model.json). */
export interface AnchorManifest {
  file: string;
  /** Hex SHA-256 of the anchor file, checked at load. */
  sha256: string;
  rows: number;
  denseDim: number;
  /** The model output the targets are the probability of. */
  target: 'toxicity';
  /** How the rows were drawn (scripts/anchor.ts): seed, rows per training set, and the rule. */
  seed: number;
  sets: Record<string, number>;
  rule: string;
}

/** Anchor rows: frozen features and the shipped model's toxicity probability of each. */
export interface Anchor {
  features: FrozenFeatures;
  target: Float32Array;
}

export function anchorChecksum(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The anchor file's bytes for `features` (one row per text) and `target`. */
export function encodeAnchor(f: FrozenFeatures, target: ArrayLike<number>): Buffer {
  if (target.length !== f.n) throw new RangeError(`anchor: ${target.length} targets for ${f.n} rows`);
  const counts = new Uint32Array(f.n);
  for (let k = 0; k < f.segments.length; k++) counts[f.segments[k]!]!++;
  const ids = new Uint16Array(f.ids.length);
  for (let k = 0, row = 0, start = 0; row < f.n; row++) {
    const end = start + counts[row]!;
    const part = Int32Array.from(f.ids.subarray(start, end)).sort();
    for (const id of part) {
      if (id < 0 || id > 0xffff) throw new RangeError(`anchor: n-gram id ${id} does not fit 16 bits`);
      ids[k++] = id;
    }
    start = end;
  }
  const head = Buffer.alloc(HEADER);
  head.write(MAGIC, 0, 'latin1');
  [ANCHOR_FORMAT, f.n, f.denseDim, f.outputs, f.ids.length].forEach((v, i) => head.writeUInt32LE(v, 8 + 4 * i));
  const bytes = (a: Float32Array | Uint32Array | Uint16Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return Buffer.concat([head, bytes(Float32Array.from(f.dense)), bytes(Float32Array.from(target)), bytes(Float32Array.from(f.scale)), bytes(counts), bytes(ids)]);
}

/** Reads anchor bytes back into features (probs and shipped derived from the dense logits) and targets. */
export function decodeAnchor(buf: Uint8Array, where = 'anchor'): Anchor {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.byteLength < HEADER || b.toString('latin1', 0, 8) !== MAGIC) throw new Error(`${where}: not an anchor file (no ${MAGIC} header)`);
  const [format, n, denseDim, outputs, total] = [0, 1, 2, 3, 4].map((i) => b.readUInt32LE(8 + 4 * i)) as [number, number, number, number, number];
  if (format !== ANCHOR_FORMAT) throw new Error(`${where}: anchor format ${format}, this version reads ${ANCHOR_FORMAT}`);
  const need = HEADER + 4 * (n * denseDim + 3 * n) + 2 * total;
  if (b.byteLength !== need) throw new Error(`${where}: ${b.byteLength} bytes, the header says ${need}`);
  let at = HEADER;
  // Copy out: a Buffer's offset may not be aligned for typed-array views.
  const take = <T extends Float32Array | Uint32Array | Uint16Array>(make: (ab: ArrayBuffer) => T, bytes: number): T => {
    const copy = new Uint8Array(bytes);
    copy.set(b.subarray(at, at + bytes));
    at += bytes;
    return make(copy.buffer);
  };
  const dense = take((ab) => new Float32Array(ab), 4 * n * denseDim);
  const target = take((ab) => new Float32Array(ab), 4 * n);
  const scale = take((ab) => new Float32Array(ab), 4 * n);
  const counts = take((ab) => new Uint32Array(ab), 4 * n);
  const ids16 = take((ab) => new Uint16Array(ab), 2 * total);
  const segments = new Int32Array(total);
  let k = 0;
  for (let row = 0; row < n; row++) for (let c = 0; c < counts[row]!; c++) segments[k++] = row;
  if (k !== total) throw new Error(`${where}: id counts add up to ${k}, the header says ${total}`);
  const probs = new Float32Array(n * outputs);
  const shipped = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < outputs; j++) probs[i * outputs + j] = 1 / (1 + Math.exp(-dense[i * denseDim + j]!));
    shipped[i] = target[i]!;
  }
  return { features: { n, dense, denseDim, ids: Int32Array.from(ids16), segments, scale, probs, outputs, shipped }, target };
}

/**
 * The model folder's anchor, or null when its manifest has none (a model
 * folder from before anchors). Fails, naming the file, when the file is
 * missing, its SHA-256 differs from the manifest's, or its shape does not fit.
 */
export async function readAnchor(dir: string, manifest: LocalModelManifest): Promise<Anchor | null> {
  const entry = manifest.anchor;
  if (!entry) return null;
  const path = join(dir, entry.file);
  if (!existsSync(path)) throw new Error(`the model's anchor ${path} is missing (anchor.file in ${join(dir, 'model.json')}); run npm run anchor, or remove the anchor entry`);
  const buf = await readFile(path);
  const actual = anchorChecksum(buf);
  if (actual !== entry.sha256) {
    throw new Error(`the model's anchor ${path} is corrupt or from another model: SHA-256 ${actual}, expected ${entry.sha256} (anchor.sha256 in ${join(dir, 'model.json')})`);
  }
  const anchor = decodeAnchor(buf, path);
  const { outputs, hidden, members = 1 } = manifest.architecture;
  if (anchor.features.n !== entry.rows || anchor.features.denseDim !== outputs + hidden * members) {
    throw new Error(`${path}: ${anchor.features.n} rows of ${anchor.features.denseDim} features; the manifest says ${entry.rows} rows and the model gives ${outputs + hidden * members}`);
  }
  return anchor;
}
