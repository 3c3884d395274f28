/**
 * Measures the local model on the held-out split of every set, next to the
 * profanity-check baseline on the same rows (and, on wiki-detox, the
 * Perspective API scores the authors stored), and marks each target.
 *
 *   npm run eval -- [--data ../shared/data] [--model models/local] [--json FILE]
 *
 * Needs ../shared/data and ../shared/models/baselines (not part of a clone).
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Label } from '../server/scoring/labels.ts';
import { DEFAULT_MODEL_DIR, loadLocalModel } from '../server/scoring/local-model.ts';
import { DEFAULT_PROFANITY_CHECK_PATH, loadProfanityCheck } from '../server/scoring/profanity-check.ts';
import type { Scorer } from '../server/scoring/types.ts';
import { DEFAULT_DATA_DIR, PROJECT_ROOT, SET_IDS, loadAllSets, type DataRow, type SetId } from './lib/datasets.ts';
import { averagePrecision, rocAuc } from './lib/metrics.ts';
import { runProbes, type ProbeResult } from './lib/probes.ts';

export interface EvalLine {
  set: SetId;
  label: Label;
  rows: number;
  positives: number;
  ours: { roc: number | null; pr: number | null };
  baseline: { roc: number | null; pr: number | null };
  perspective?: { roc: number | null; pr: number | null };
  /** Each target that applies to this line, and whether it is met. */
  targets: { name: string; met: boolean }[];
}

/** The label that a set is mainly about: what its baseline comparison and domain target use. */
const PRIMARY: Record<SetId, Label> = {
  'wiki-detox-gc': 'toxicity',
  'wiki-detox-gn': 'toxicity',
  'wiki-detox-small': 'toxicity',
  'civil-spans': 'toxicity',
  davidson: 'toxicity',
  olid: 'toxicity',
  hateval: 'identity_attack',
  toxichat: 'toxicity',
  gab: 'toxicity',
  'implicit-hate': 'identity_attack',
  stormfront: 'identity_attack',
  convabuse: 'toxicity',
  hatemoji: 'identity_attack',
  madlibs: 'toxicity',
};
const DOMAIN_TARGET: Partial<Record<SetId, number>> = { olid: 0.85, toxichat: 0.85, hateval: 0.75 };
const SUB_LABEL_TARGET = 0.9;

function pair(scores: number[], labels: number[]): { roc: number | null; pr: number | null } {
  return { roc: rocAuc(scores, labels), pr: averagePrecision(scores, labels) };
}

function judge(line: EvalLine): void {
  const checks: { name: string; ok: boolean }[] = [];
  const ours = line.ours.roc;
  if (ours === null) return;
  if (line.perspective?.roc != null) checks.push({ name: '>= Perspective', ok: ours >= line.perspective.roc });
  const domain = DOMAIN_TARGET[line.set];
  if (domain !== undefined && line.label === PRIMARY[line.set]) checks.push({ name: `>= ${domain}`, ok: ours >= domain });
  if (line.label === PRIMARY[line.set] && line.set !== 'davidson' && line.baseline.roc !== null) {
    checks.push({ name: '>= baseline', ok: ours >= line.baseline.roc });
  }
  if (line.label !== 'toxicity' && line.label !== PRIMARY[line.set]) checks.push({ name: `>= ${SUB_LABEL_TARGET}`, ok: ours >= SUB_LABEL_TARGET });
  line.targets = checks.map((c) => ({ name: c.name, met: c.ok }));
}

export async function evaluate(rows: DataRow[], ours: Scorer, baseline: Scorer): Promise<EvalLine[]> {
  const held = rows.filter((r) => r.split === 'heldout');
  const texts = held.map((r) => r.text);
  const oursScores = await ours.scoreBatch(texts);
  const baseScores = await baseline.scoreBatch(texts);
  const lines: EvalLine[] = [];
  for (const set of SET_IDS) {
    const idx = held.map((_, i) => i).filter((i) => held[i]!.set === set);
    const labels = [...new Set(idx.flatMap((i) => Object.keys(held[i]!.labels) as Label[]))];
    labels.sort((a, b) => (a === PRIMARY[set] ? -1 : b === PRIMARY[set] ? 1 : a.localeCompare(b)));
    for (const label of labels) {
      const rowsWith = idx.filter((i) => held[i]!.labels[label] !== undefined);
      const y = rowsWith.map((i) => held[i]!.labels[label]!);
      const positives = y.filter((v) => v === 1).length;
      if (positives === 0 || positives === y.length) continue; // one class only: nothing to rank
      const line: EvalLine = {
        set,
        label,
        rows: y.length,
        positives,
        ours: pair(rowsWith.map((i) => oursScores[i]!.scores[label] ?? 0), y),
        baseline: pair(rowsWith.map((i) => baseScores[i]!.scores.toxicity ?? 0), y),
        targets: [],
      };
      if (rowsWith.every((i) => held[i]!.perspective !== undefined)) {
        line.perspective = pair(rowsWith.map((i) => held[i]!.perspective!), y);
      }
      judge(line);
      lines.push(line);
    }
  }
  return lines;
}

const f3 = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : v.toFixed(3));

export function formatTable(lines: EvalLine[]): string {
  const out = [
    '| set | label | rows | pos | ours ROC | ours PR | baseline ROC | baseline PR | Perspective ROC | Perspective PR | targets (ROC AUC) |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const l of lines) {
    out.push(
      `| ${l.set} | ${l.label} | ${l.rows} | ${l.positives} | ${f3(l.ours.roc)} | ${f3(l.ours.pr)} | ${f3(l.baseline.roc)} | ${f3(l.baseline.pr)} | ` +
        `${f3(l.perspective?.roc)} | ${f3(l.perspective?.pr)} | ${l.targets.map((t) => `${t.name}: ${t.met ? 'met' : '**missed**'}`).join('; ')} |`,
    );
  }
  return out.join('\n');
}

function formatProbes(results: ProbeResult[]): string {
  const out = ['| probe | what | ours | baseline |', '|---|---|---:|---:|'];
  for (const r of results) out.push(`| ${r.name} | ${r.what} | ${f3(r.ours)} | ${f3(r.baseline)} |`);
  return out.join('\n');
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(PROJECT_ROOT, 'scripts', 'eval.ts');
if (isMain) {
  const program = new Command()
    .name('eval')
    .description('Held-out ROC AUC / PR AUC of the local model, the profanity-check baseline and Perspective (needs ../shared)')
    .option('--data <dir>', 'labelled data folder', DEFAULT_DATA_DIR)
    .option('--model <dir>', 'local model folder', DEFAULT_MODEL_DIR)
    .option('--baseline <file>', 'profanity-check weights', DEFAULT_PROFANITY_CHECK_PATH)
    .option('--json <file>', 'also write the figures as JSON');
  program.parse();
  const o = program.opts<{ data: string; model: string; baseline: string; json?: string }>();
  (async () => {
    await tf.setBackend('cpu');
    const rows = loadAllSets(resolve(o.data));
    const ours = await loadLocalModel(resolve(o.model));
    const baseline = await loadProfanityCheck(resolve(o.baseline));
    const lines = await evaluate(rows, ours, baseline);
    const probes = await runProbes(rows, ours, baseline);
    console.log(`Held-out ROC AUC and PR AUC (average precision); ours = ${ours.model}, baseline = ${baseline.model}\n`);
    console.log(formatTable(lines));
    const targets = lines.flatMap((l) => l.targets);
    console.log(`\nTargets met: ${targets.filter((t) => t.met).length} of ${targets.length}\n`);
    console.log(formatProbes(probes));
    if (o.json) writeFileSync(o.json, `${JSON.stringify({ model: ours.model, lines, probes }, null, 2)}\n`);
    await ours.dispose();
  })().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
