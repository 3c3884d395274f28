/**
 * Precision, recall and how much gets flagged at candidate thresholds, per
 * label, on the validation split training used (never the held-out rows):
 * the evidence behind server/thresholds/defaults.ts.
 *
 *   npx tsx scripts/validation-thresholds.ts [--data ../shared/data] [--model models/local] [--seed 7] [--compare DIR...]
 *
 * Pooled validation is far more toxic than a comment stream (about 35%
 * toxic), so it also prints each label's figures on the comment-like sets
 * only (Civil Comments, Wikipedia talk, Reddit, ConvAbuse), whose base rates
 * are nearer a real site's.
 *
 * Last, ROC AUC per set and label on the same rows, beside the models named
 * by --compare (candidate model folders written by `npm run train -- --out`):
 * how a training change is measured without touching held-out rows.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import { resolve } from 'node:path';
import type { Label, LabelScores } from '../server/scoring/labels.ts';
import { DEFAULT_MODEL_DIR, loadLocalModel, readLocalModel } from '../server/scoring/local-model.ts';
import { DEFAULT_DATA_DIR, PROJECT_ROOT, SET_IDS, loadAllSets, type DataRow, type SetId } from './lib/datasets.ts';
import { rocAuc, thresholdForBestF1, thresholdForPrecision } from './lib/metrics.ts';
import { scoreFor } from './lib/probes.ts';
import { splitForTraining } from './train.ts';

const COMMENT_LIKE: ReadonlySet<SetId> = new Set(['wiki-detox-gc', 'wiki-detox-gn', 'wiki-detox-small', 'civil-spans', 'toxichat', 'convabuse']);
const CANDIDATES = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

function at(scores: number[], labels: number[], t: number): { precision: number | null; recall: number; flagged: number } {
  let tp = 0;
  let fp = 0;
  const pos = labels.filter((y) => y === 1).length;
  scores.forEach((s, i) => {
    if (s >= t && labels[i] === 1) tp++;
    else if (s >= t) fp++;
  });
  return { precision: tp + fp === 0 ? null : tp / (tp + fp), recall: pos === 0 ? 0 : tp / pos, flagged: (tp + fp) / scores.length };
}

const pct = (v: number | null): string => (v === null ? '—' : `${(v * 100).toFixed(0)}%`);

/** Fewer positives than this on a set's validation rows and its AUC is noise: left out of the table. */
const MIN_TABLE_POSITIVES = 5;

/** ROC AUC per set and label (each model scored by its own label, where it has it) as markdown rows. */
function aucTable(rows: DataRow[], models: { name: string; scores: LabelScores[] }[], labels: Label[]): string[] {
  const out = [`| set | label | positives | ${models.map((m) => m.name).join(' | ')} |`, `|---|---|---:|${models.map(() => '---:|').join('')}`];
  for (const set of SET_IDS) {
    for (const label of labels) {
      const idx = rows.map((_, i) => i).filter((i) => rows[i]!.set === set && rows[i]!.labels[label] !== undefined);
      const y = idx.map((i) => rows[i]!.labels[label]!);
      const pos = y.filter((v) => v === 1).length;
      if (pos < MIN_TABLE_POSITIVES || pos === y.length) continue;
      const aucs = models.map((m) => rocAuc(idx.map((i) => scoreFor(m.scores[i]!, label)), y));
      out.push(`| ${set} | ${label} | ${pos} | ${aucs.map((a) => (a === null ? '—' : a.toFixed(3))).join(' | ')} |`);
    }
  }
  return out;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(PROJECT_ROOT, 'scripts', 'validation-thresholds.ts');
if (isMain) {
  const o = new Command()
    .option('--data <dir>', 'labelled data folder', DEFAULT_DATA_DIR)
    .option('--model <dir>', 'local model folder', DEFAULT_MODEL_DIR)
    .option('--seed <n>', 'the seed training used (its validation split)', (v) => parseInt(v, 10), 7)
    .option('--compare <dir...>', 'other model folders to put beside it in the per-set table', [])
    .parse()
    .opts<{ data: string; model: string; seed: number; compare: string[] }>();
  (async () => {
    await tf.setBackend('cpu');
    const { manifest, members } = await readLocalModel(resolve(o.model));
    for (const w of members) for (const t of Object.values(w)) t.dispose();
    const { valRows } = splitForTraining(loadAllSets(resolve(o.data)), o.seed, manifest.featurizer);
    const model = await loadLocalModel(resolve(o.model));
    const results = await model.scoreBatch(valRows.map((r) => r.text));
    console.log(`${model.model} on ${valRows.length} validation rows (seed ${o.seed})\n`);
    for (const label of Object.keys(manifest.labels) as Label[]) {
      if (manifest.labels[label] === null) continue;
      for (const [name, keep] of [
        ['all sets', () => true],
        ['comment-like sets', (r: DataRow) => COMMENT_LIKE.has(r.set)],
      ] as [string, (r: DataRow) => boolean][]) {
        const idx = valRows.map((_, i) => i).filter((i) => valRows[i]!.labels[label] !== undefined && keep(valRows[i]!));
        const y = idx.map((i) => valRows[i]!.labels[label]!);
        const s = idx.map((i) => results[i]!.scores[label]!);
        const pos = y.filter((v) => v === 1).length;
        if (pos === 0 || pos === y.length) continue;
        const p80 = thresholdForPrecision(s, y, 0.8);
        const p90 = thresholdForPrecision(s, y, 0.9);
        const f1 = thresholdForBestF1(s, y);
        console.log(`${label}, ${name}: ${y.length} rows, ${pos} positive (${pct(pos / y.length)}); precision 0.8 at ${p80?.toFixed(3) ?? '—'}, 0.9 at ${p90?.toFixed(3) ?? '—'}, best F1 at ${f1?.toFixed(3) ?? '—'}`);
        console.log(`  ${CANDIDATES.map((t) => { const a = at(s, y, t); return `${t}: P ${pct(a.precision)} R ${pct(a.recall)} flags ${pct(a.flagged)}`; }).join(' | ')}`);
      }
    }
    const models = [{ name: model.model, scores: results.map((r) => r.scores) }];
    for (const dir of o.compare) {
      const other = await loadLocalModel(resolve(dir));
      models.push({ name: `${other.model} (${dir})`, scores: (await other.scoreBatch(valRows.map((r) => r.text))).map((r) => r.scores) });
      await other.dispose();
    }
    const learned = (Object.keys(manifest.labels) as Label[]).filter((l) => manifest.labels[l] !== null);
    console.log(`\nROC AUC per set and label on these rows (sets with at least ${MIN_TABLE_POSITIVES} positives)\n`);
    console.log(aucTable(valRows, models, learned).join('\n'));
    await model.dispose();
  })().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
