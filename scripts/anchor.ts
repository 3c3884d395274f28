/**
 * Writes models/local/anchor.bin and the manifest's `anchor` entry: a seeded
 * sample of the shipped model's own TRAINING rows (never a held-out or
 * validation row: the rows `splitForTraining` trains on, with the model's own
 * seed), stratified across the training sets in proportion to their size, as
 * frozen features and the shipped model's toxicity probability
 * (server/adaptation/anchor.ts). No text is written. Site heads train on them
 * so as not to forget what the model knew (issue 11).
 *
 *   npm run anchor -- [--data ../shared/data] [--model models/local] [--rows 4000] [--seed 20261202]
 *
 * Needs ../shared/data (not part of a clone). `npm run train` calls it after
 * writing the weights; run it alone to rebuild the anchor of a model as is.
 * The weights and weights.sha256 are never touched: only anchor.bin and the
 * `anchor` entry of model.json change.
 */
import { Command } from 'commander';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { anchorChecksum, encodeAnchor, type AnchorManifest } from '../server/adaptation/anchor.ts';
import { featuriseInBatches } from '../server/adaptation/batches.ts';
import { readFrozenModel } from '../server/adaptation/features.ts';
import type { LocalModelManifest } from '../server/scoring/local-model.ts';
import { DataMissingError, DEFAULT_DATA_DIR, PROJECT_ROOT, SET_IDS, loadAllSets, seededRandom, shuffleInPlace, type DataRow } from './lib/datasets.ts';
import { splitForTraining } from './train.ts';

export const ANCHOR_ROWS = 4_000;
export const ANCHOR_SEED = 20_261_202;
export const ANCHOR_FILE = 'anchor.bin';
/** models/local must stay under this (the repository ships it). */
const MODEL_DIR_MAX_BYTES = 16 * 1024 * 1024;

export interface AnchorOptions {
  data: string;
  model: string;
  rows: number;
  seed: number;
  log?: (msg: string) => void;
}

/** `rows` training rows, each set's share in proportion to its training rows (largest remainder), seeded shuffle within each set. */
export function sampleAnchorRows(trainRows: readonly DataRow[], rows: number, seed: number): DataRow[] {
  const bySet = SET_IDS.map((set) => trainRows.filter((r) => r.set === set));
  const total = trainRows.length;
  const exact = bySet.map((r) => (rows * r.length) / Math.max(1, total));
  const take = exact.map(Math.floor);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0, left = Math.min(rows, total) - take.reduce((s, x) => s + x, 0); k < left; k++) take[order[k]![1]]!++;
  return bySet.flatMap((setRows, i) => shuffleInPlace([...setRows], seededRandom(seed + i)).slice(0, take[i]!));
}

export async function writeAnchor(o: AnchorOptions): Promise<AnchorManifest> {
  const log = o.log ?? console.log;
  const manifestPath = join(o.model, 'model.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as LocalModelManifest;
  const training = manifest.training ?? {};
  const trainSeed = typeof training.seed === 'number' ? training.seed : 7;
  const madlibsShare = typeof training.madlibsShare === 'number' ? training.madlibsShare : undefined;
  const all = loadAllSets(o.data, { madlibsShare });
  // The very rows the model trained on: held-out rows, their copies and the validation split are left out.
  const { trainRows } = splitForTraining(all, trainSeed, manifest.featurizer);
  const rows = sampleAnchorRows(trainRows, o.rows, o.seed);
  const sets: Record<string, number> = {};
  for (const r of rows) sets[r.set] = (sets[r.set] ?? 0) + 1;
  log(`anchor: ${rows.length} of ${trainRows.length} training rows (seed ${o.seed}): ${JSON.stringify(sets)}`);

  const frozen = await readFrozenModel(o.model);
  try {
    const tox = manifest.labels.toxicity;
    if (tox === null) throw new Error(`${manifestPath}: the model has no toxicity output to anchor to`);
    const started = Date.now();
    const f = featuriseInBatches(frozen, rows.map((r) => r.text));
    const target = Float32Array.from({ length: f.n }, (_, i) => f.probs[i * f.outputs + tox]!);
    const bytes = encodeAnchor(f, target);
    writeFileSync(join(o.model, ANCHOR_FILE), bytes);
    const entry: AnchorManifest = {
      file: ANCHOR_FILE,
      sha256: anchorChecksum(bytes),
      rows: f.n,
      denseDim: f.denseDim,
      target: 'toxicity',
      seed: o.seed,
      sets,
      rule:
        `a seeded sample of the rows npm run train trained on (splitForTraining, seed ${trainSeed}: no held-out row, no copy of one, no validation row), ` +
        "each set's share in proportion to its training rows; frozen features and the model's own toxicity probability, no text",
    };
    writeFileSync(manifestPath, `${JSON.stringify({ ...manifest, anchor: entry }, null, 2)}\n`);
    const size = readdirSync(o.model).reduce((s, name) => s + statSync(join(o.model, name)).size, 0);
    log(`anchor: wrote ${join(o.model, ANCHOR_FILE)} (${(bytes.byteLength / 1e6).toFixed(1)} MB, ${f.ids.length} n-gram ids) in ${((Date.now() - started) / 1000).toFixed(0)} s; ${o.model} is ${(size / 1e6).toFixed(1)} MB`);
    if (size > MODEL_DIR_MAX_BYTES) throw new Error(`${o.model} is ${size} bytes, over the ${MODEL_DIR_MAX_BYTES} the repository allows; pass fewer --rows`);
    return entry;
  } finally {
    frozen.dispose();
  }
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(PROJECT_ROOT, 'scripts', 'anchor.ts');
if (isMain) {
  const program = new Command()
    .name('anchor')
    .description("Write the model's anchor rows (frozen features of a seeded sample of its training rows) for site models; needs ../shared/data, which is not part of a clone")
    .option('--data <dir>', 'labelled data folder', DEFAULT_DATA_DIR)
    .option('--model <dir>', 'the model folder (model.json, weights.bin)', resolve(PROJECT_ROOT, 'models', 'local'))
    .option('--rows <n>', 'rows to sample', (v) => parseInt(v, 10), ANCHOR_ROWS)
    .option('--seed <n>', 'seed of the sample', (v) => parseInt(v, 10), ANCHOR_SEED);
  program.parse();
  const opts = program.opts<AnchorOptions>();
  if (!existsSync(opts.data)) {
    console.error(`anchor: needs the labelled sets in ${opts.data} (../shared/data beside the checkout; not part of a clone); pass --data DIR`);
    process.exit(2);
  }
  writeAnchor({ ...opts, data: resolve(opts.data), model: resolve(opts.model) }).catch((err: unknown) => {
    console.error(err instanceof DataMissingError ? `anchor: ${err.message}` : process.env.DEBUG ? err : err instanceof Error ? err.message : err);
    process.exit(err instanceof DataMissingError ? 2 : 1);
  });
}
