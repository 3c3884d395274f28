/**
 * Frozen features in batches of texts, so a long featurisation can report
 * progress. Each text's features depend on that text alone (features.ts takes
 * the maximum over its own windows), so batching changes no figure.
 */
import { frozenFeatures, type FrozenFeatures, type FrozenModel } from './features.ts';

/** Texts featurised between two progress reports. */
export const FEATURE_BATCH = 256;

export function featuriseInBatches(model: FrozenModel, texts: readonly string[], onBatch: (texts: number) => void = () => {}, batch = FEATURE_BATCH): FrozenFeatures {
  if (texts.length <= batch) {
    const f = frozenFeatures(model, texts);
    onBatch(texts.length);
    return f;
  }
  const parts: FrozenFeatures[] = [];
  for (let start = 0; start < texts.length; start += batch) {
    const slice = texts.slice(start, start + batch);
    parts.push(frozenFeatures(model, slice));
    onBatch(slice.length);
  }
  return concatFeatures(parts);
}

/** The features of several batches as one, texts in order (pure). */
export function concatFeatures(parts: readonly FrozenFeatures[]): FrozenFeatures {
  const first = parts[0];
  if (!first) throw new RangeError('concatFeatures needs at least one part');
  const { denseDim, outputs } = first;
  const n = parts.reduce((s, p) => s + p.n, 0);
  const idCount = parts.reduce((s, p) => s + p.ids.length, 0);
  const out: FrozenFeatures = {
    n,
    denseDim,
    outputs,
    dense: new Float32Array(n * denseDim),
    ids: new Int32Array(idCount),
    segments: new Int32Array(idCount),
    scale: new Float32Array(n),
    probs: new Float32Array(n * outputs),
    shipped: new Float32Array(n),
  };
  let row = 0;
  let at = 0;
  for (const p of parts) {
    if (p.denseDim !== denseDim || p.outputs !== outputs) throw new RangeError('concatFeatures: parts of different models');
    out.dense.set(p.dense, row * denseDim);
    out.probs.set(p.probs, row * outputs);
    out.scale.set(p.scale, row);
    out.shipped.set(p.shipped, row);
    out.ids.set(p.ids, at);
    // Segments name the text within its part; shift them to the whole.
    for (let k = 0; k < p.segments.length; k++) out.segments[at + k] = p.segments[k]! + row;
    at += p.ids.length;
    row += p.n;
  }
  return out;
}
