/**
 * A site head as bytes: how it is stored (site_models.head), exported (a
 * directory like models/local/: model.json and head.bin, with the SHA-256 of
 * the bytes) and imported. Little-endian float32 and int32:
 *
 *   bias, mean[d], std[d], dense[d], ngramIds[k] (int32), ngramWeights[k]
 */
import { createHash } from 'node:crypto';
import type { SiteHead } from './head.ts';

export function encodeHead(head: SiteHead): Uint8Array {
  const d = head.dense.length;
  const k = head.ngrams.size;
  const buf = new ArrayBuffer(4 * (1 + 3 * d + 2 * k));
  const view = new DataView(buf);
  let at = 0;
  const f32 = (x: number) => {
    view.setFloat32(at, x, true);
    at += 4;
  };
  f32(head.bias);
  for (const part of [head.mean, head.std, head.dense]) for (const x of part) f32(x);
  const ids = [...head.ngrams.keys()].sort((a, b) => a - b);
  for (const id of ids) {
    view.setInt32(at, id, true);
    at += 4;
  }
  for (const id of ids) f32(head.ngrams.get(id)!);
  return new Uint8Array(buf);
}

/** The bytes back as a head; `denseDim` and `ngrams` come from the manifest, and a size that disagrees is an error. */
export function decodeHead(bytes: Uint8Array, shape: { denseDim: number; ngrams: number }): SiteHead {
  const { denseDim: d, ngrams: k } = shape;
  const expected = 4 * (1 + 3 * d + 2 * k);
  if (bytes.byteLength !== expected) {
    throw new Error(`a site head of ${d} dense and ${k} n-gram weights is ${expected} bytes; this one is ${bytes.byteLength}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const f32 = () => {
    const x = view.getFloat32(at, true);
    at += 4;
    return x;
  };
  const bias = f32();
  const take = () => Float32Array.from({ length: d }, f32);
  const mean = take();
  const std = take();
  const dense = take();
  const ids: number[] = [];
  for (let i = 0; i < k; i++) {
    ids.push(view.getInt32(at, true));
    at += 4;
  }
  const ngrams = new Map<number, number>();
  for (const id of ids) ngrams.set(id, f32());
  return { bias, mean, std, dense, ngrams };
}

export function headChecksum(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
