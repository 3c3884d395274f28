import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfconv from '@tensorflow/tfjs-converter';
import { ToxicityClassifier } from '@tensorflow-models/toxicity';
import { Tokenizer } from '@tensorflow-models/universal-sentence-encoder';
import { LABELS, type Label, type LabelScores } from './labels.ts';
import type { ScoredText, Scorer } from './types.ts';

/** Stored with every score this model produces. */
export const TOXICITY_MODEL_ID = 'google-toxicity@1';

/** Where `npm run model:fetch` puts the weights, relative to the project root. */
export const DEFAULT_TOXICITY_DIR = fileURLToPath(new URL('../../models/toxicity/', import.meta.url));

/** The files Google's model needs, as TF Hub serves them. */
export const TOXICITY_FILES = [
  'model.json',
  ...Array.from({ length: 7 }, (_, i) => `group1-shard${i + 1}of7`),
  'vocab.json',
] as const;

/**
 * Long comments are scored in windows of this many code points and each label
 * takes the highest window's probability, so an insult at the end of a long
 * comment still counts. The model's cost grows with the square of the token
 * count (self-attention) and the tokenizer's with the square of the length,
 * so one huge window would stall every comment batched with it.
 */
export const WINDOW_CHARS = 1_000;
/** Beyond this many windows (the first 10,000 code points) the rest of a comment is ignored. */
export const MAX_WINDOWS = 10;
/**
 * The model pads every text to the longest in its batch; texts are sorted by
 * length and run in groups of at most this many so short ones pad little.
 */
const GROUP_SIZE = 32;

/** Lists the files of the model that are missing from `dir` (empty when complete). */
export function missingToxicityFiles(dir: string): string[] {
  return TOXICITY_FILES.filter((file) => !existsSync(path.join(dir, file)));
}

/** True when `dir` holds model.json, all 7 shards and vocab.json. */
export function isCompleteToxicityFolder(dir: string): boolean {
  return missingToxicityFiles(dir).length === 0;
}

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

/** Reads a converted graph model from disk: the converter's own loaders only speak http and browser storage. */
function folderIOHandler(dir: string): tf.io.IOHandler {
  return {
    async load() {
      const modelJson = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as ModelJson;
      const weightSpecs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      for (const group of modelJson.weightsManifest) {
        weightSpecs.push(...group.weights);
        for (const shard of group.paths) buffers.push(await readFile(path.join(dir, shard)));
      }
      const all = Buffer.concat(buffers);
      return {
        modelTopology: modelJson.modelTopology,
        weightSpecs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
        format: modelJson.format,
        generatedBy: modelJson.generatedBy,
        convertedBy: modelJson.convertedBy ?? undefined,
      };
    },
  };
}

/** The package's classifier, loading from a local folder instead of TF Hub. */
class LocalToxicityClassifier extends ToxicityClassifier {
  constructor(private readonly dir: string) {
    super();
  }

  override loadModel(): Promise<tfconv.GraphModel> {
    return tfconv.loadGraphModel(folderIOHandler(this.dir));
  }

  override async loadTokenizer(): Promise<Tokenizer> {
    const vocabulary = JSON.parse(await readFile(path.join(this.dir, 'vocab.json'), 'utf8')) as [string, number][];
    return new Tokenizer(vocabulary);
  }
}

/**
 * Cuts a text into windows of at most WINDOW_CHARS code points (never
 * splitting a surrogate pair), preferring to break at whitespace.
 */
export function toWindows(text: string): string[] {
  const chars = Array.from(text);
  if (chars.length <= WINDOW_CHARS) return [text];
  const windows: string[] = [];
  let start = 0;
  while (start < chars.length && windows.length < MAX_WINDOWS) {
    let end = Math.min(start + WINDOW_CHARS, chars.length);
    if (end < chars.length) {
      const lastSpace = chars.lastIndexOf(' ', end - 1);
      if (lastSpace > start + WINDOW_CHARS / 2) end = lastSpace + 1;
    }
    windows.push(chars.slice(start, end).join(''));
    start = end;
  }
  return windows;
}

/**
 * Google's toxicity model (TF Hub tensorflow/tfjs-model/toxicity/1) from a
 * local folder. Reports the probability of the "true" class for all seven
 * labels. Call initBackend() first.
 */
export async function loadToxicityModel(dir: string = DEFAULT_TOXICITY_DIR): Promise<Scorer> {
  const missing = missingToxicityFiles(dir);
  if (missing.length > 0) {
    throw new Error(`Google's toxicity model is incomplete in ${dir}: missing ${missing.join(', ')}. Run \`npm run model:fetch\` where the internet is reachable.`);
  }
  const classifier = new LocalToxicityClassifier(dir);
  await classifier.load();

  // classify() never disposes of the model's output tensors; a scope around
  // it does. Scopes are per engine, so calls must not interleave: `queue`
  // runs them one at a time.
  let queue: Promise<unknown> = Promise.resolve();
  async function classifyGroup(texts: string[]): Promise<Map<Label, Float32Array>> {
    tf.engine().startScope();
    try {
      const heads = await classifier.classify(texts);
      const byLabel = new Map<Label, Float32Array>();
      for (const head of heads) {
        const label = LABELS.find((l) => l === head.label);
        if (!label) continue;
        // Each result holds [p(false), p(true)].
        byLabel.set(label, Float32Array.from(head.results, (r) => r.probabilities[1]!));
      }
      return byLabel;
    } finally {
      tf.engine().endScope();
    }
  }

  async function scoreAll(texts: string[]): Promise<ScoredText[]> {
    const pieces: { owner: number; text: string }[] = [];
    texts.forEach((text, owner) => {
      for (const window of toWindows(text)) pieces.push({ owner, text: window });
    });
    // Sort by length so each group pads to a similar length; `owner` restores order.
    pieces.sort((a, b) => a.text.length - b.text.length);

    const best: LabelScores[] = texts.map(() => Object.fromEntries(LABELS.map((l) => [l, null])) as LabelScores);
    for (let start = 0; start < pieces.length; start += GROUP_SIZE) {
      const group = pieces.slice(start, start + GROUP_SIZE);
      const byLabel = await classifyGroup(group.map((p) => p.text));
      group.forEach((piece, i) => {
        const scores = best[piece.owner]!;
        for (const label of LABELS) {
          const p = byLabel.get(label)?.[i];
          if (p === undefined) continue;
          scores[label] = Math.max(scores[label] ?? 0, p);
        }
      });
    }
    return best.map((scores) => ({ scores, model: TOXICITY_MODEL_ID }));
  }

  let disposed = false;
  return {
    model: TOXICITY_MODEL_ID,
    scoreBatch(texts) {
      if (disposed) return Promise.reject(new Error('The toxicity model has been disposed'));
      if (texts.length === 0) return Promise.resolve([]);
      const run = queue.then(() => scoreAll(texts));
      queue = run.catch(() => undefined);
      return run;
    },
    async dispose() {
      disposed = true;
      await queue;
      const model = (classifier as unknown as { model?: tfconv.GraphModel }).model;
      model?.dispose();
    },
  };
}
