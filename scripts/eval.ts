/**
 * Measures the local model on the held-out split of every set, next to the
 * previous shipped model (1.2.0, read from git history), the profanity-check
 * baseline on the same rows (and, on wiki-detox, the Perspective API scores
 * the authors stored), and marks each target; then the same on our
 * hand-written probe groups (test/fixtures/probes) and the comments issue 10
 * quotes, flagged or not at the default thresholds.
 *
 *   npm run eval -- [--data ../shared/data] [--model models/local] [--previous f27e585] [--json FILE]
 *
 * Needs ../shared/data and ../shared/models/baselines (not part of a clone).
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Label } from '../server/scoring/labels.ts';
import { DEFAULT_THRESHOLDS } from '../server/thresholds/defaults.ts';
import { DEFAULT_MODEL_DIR, loadLocalModel } from '../server/scoring/local-model.ts';
import { DEFAULT_PROFANITY_CHECK_PATH, loadProfanityCheck } from '../server/scoring/profanity-check.ts';
import type { Scorer } from '../server/scoring/types.ts';
import { DEFAULT_DATA_DIR, PROJECT_ROOT, SET_IDS, loadAllSets, type DataRow, type SetId } from './lib/datasets.ts';
import { averagePrecision, rocAuc } from './lib/metrics.ts';
import { ISSUE_EXAMPLES, flaggedLabels, scoreFor, loadProbeGroups, runProbeGroups, runProbes, type ProbeGroupResult, type ProbeResult } from './lib/probes.ts';

export interface EvalLine {
  set: SetId;
  label: Label;
  rows: number;
  positives: number;
  ours: { roc: number | null; pr: number | null };
  /** The previous shipped model on the same rows (its toxicity where it lacks the label). */
  previous?: { roc: number | null; pr: number | null };
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
/** The last commit that shipped triage-local@1.2.0; eval reads its files from git. */
export const PREVIOUS_MODEL_REF = 'f27e585';

/** Issue 10's targets (ROC AUC on held-out rows). */
const TOXICITY_TARGET = 0.9;
const IDENTITY_TARGET = 0.85;
const THREAT_TARGET = 0.85;
/** How far any line may fall below the previous model. */
const MAX_DROP = 0.01;
/** Sets whose point is hate speech: identity_attack is held to IDENTITY_TARGET there. */
const HATE_SETS: ReadonlySet<SetId> = new Set(['davidson', 'hateval', 'gab', 'implicit-hate', 'stormfront', 'hatemoji']);

function pair(scores: number[], labels: number[]): { roc: number | null; pr: number | null } {
  return { roc: rocAuc(scores, labels), pr: averagePrecision(scores, labels) };
}

function judge(line: EvalLine): void {
  const checks: { name: string; ok: boolean }[] = [];
  const ours = line.ours.roc;
  if (ours === null) return;
  if (line.label === 'toxicity') checks.push({ name: `>= ${TOXICITY_TARGET}`, ok: ours >= TOXICITY_TARGET });
  if (line.label === 'identity_attack' && HATE_SETS.has(line.set)) checks.push({ name: `>= ${IDENTITY_TARGET}`, ok: ours >= IDENTITY_TARGET });
  if (line.label === 'threat') checks.push({ name: `>= ${THREAT_TARGET}`, ok: ours >= THREAT_TARGET });
  if (line.previous?.roc != null) checks.push({ name: `>= previous - ${MAX_DROP}`, ok: ours >= line.previous.roc - MAX_DROP });
  line.targets = checks.map((c) => ({ name: c.name, met: c.ok }));
}

export async function evaluate(rows: DataRow[], ours: Scorer, baseline: Scorer, previous?: Scorer): Promise<EvalLine[]> {
  const held = rows.filter((r) => r.split === 'heldout');
  const texts = held.map((r) => r.text);
  const oursScores = await ours.scoreBatch(texts);
  const baseScores = await baseline.scoreBatch(texts);
  const prevScores = previous ? await previous.scoreBatch(texts) : null;
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
      if (prevScores) line.previous = pair(rowsWith.map((i) => scoreFor(prevScores[i]!.scores, label)), y);
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

export function formatTable(lines: EvalLine[], previousName: string): string {
  const out = [
    `| set | label | rows | pos | ours ROC | ${previousName} ROC | change | ours PR | baseline ROC | baseline PR | Perspective ROC | targets (ROC AUC) |`,
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const l of lines) {
    const change = l.ours.roc !== null && l.previous?.roc != null ? l.ours.roc - l.previous.roc : null;
    out.push(
      `| ${l.set} | ${l.label} | ${l.rows} | ${l.positives} | ${f3(l.ours.roc)} | ${f3(l.previous?.roc)} | ${change === null ? '—' : `${change >= 0 ? '+' : '−'}${Math.abs(change).toFixed(3)}`} | ` +
        `${f3(l.ours.pr)} | ${f3(l.baseline.roc)} | ${f3(l.baseline.pr)} | ${f3(l.perspective?.roc)} | ${l.targets.map((t) => `${t.name}: ${t.met ? 'met' : '**missed**'}`).join('; ')} |`,
    );
  }
  return out.join('\n');
}

function formatProbes(results: ProbeResult[], previous?: ProbeResult[]): string {
  const out = ['| probe | what | ours | previous | baseline |', '|---|---|---:|---:|---:|'];
  results.forEach((r, i) => out.push(`| ${r.name} | ${r.what} | ${f3(r.ours)} | ${f3(previous?.[i]?.ours)} | ${f3(r.baseline)} |`));
  return out.join('\n');
}

function formatProbeGroups(results: ProbeGroupResult[], names: string[]): string {
  const out = [`| probe group | ranked by | pos / neg | ${names.join(' | ')} |`, `|---|---|---|${names.map(() => '---:').join('|')}|`];
  for (const r of results) out.push(`| ${r.group} | ${r.label} | ${r.positives} / ${r.negatives} | ${r.auc.map(f3).join(' | ')} |`);
  return out.join('\n');
}

/** Each quoted comment's scores and whether the default thresholds flag it, per model. */
async function formatIssueExamples(scorers: Scorer[]): Promise<{ table: string; ok: boolean[] }> {
  const texts = ISSUE_EXAMPLES.map((e) => e.text);
  const results = await Promise.all(scorers.map((s) => s.scoreBatch(texts)));
  const out = [`| comment | should flag | ${scorers.map((s) => s.model).join(' | ')} |`, `|---|---|${scorers.map(() => '---').join('|')}|`];
  const ok = scorers.map(() => true);
  ISSUE_EXAMPLES.forEach((e, i) => {
    const cells = results.map((r, m) => {
      const s = r[i]!.scores;
      const flagged = flaggedLabels(s, DEFAULT_THRESHOLDS);
      if ((flagged.length > 0) !== e.flag) ok[m] = false;
      const top = (Object.keys(s) as Label[]).filter((l) => s[l] !== null).sort((a, b) => s[b]! - s[a]!).slice(0, 2);
      return `${flagged.length > 0 ? `**flagged** (${flagged.join(', ')})` : 'not flagged'}; ${top.map((l) => `${l} ${s[l]!.toFixed(2)}`).join(', ')}`;
    });
    // One table row per comment: the seed comments have line breaks.
    const text = e.text.replace(/\s+/g, ' ');
    out.push(`| ${text.length > 60 ? `${text.slice(0, 57)}…` : text} | ${e.flag ? 'yes' : 'no'} | ${cells.join(' | ')} |`);
  });
  return { table: out.join('\n'), ok };
}

/**
 * Writes a model folder from git history (model.json and weights.bin at
 * `ref`), so the previous release can be compared without shipping it twice.
 * Null with a reason when git or the commit is not there.
 */
export function previousModelDir(ref: string): { dir: string; cleanup: () => void } | { error: string } {
  const dir = mkdtempSync(join(tmpdir(), 'triage-previous-model-'));
  try {
    for (const file of ['model.json', 'weights.bin']) {
      const bytes = execFileSync('git', ['show', `${ref}:models/local/${file}`], { cwd: PROJECT_ROOT, maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
      writeFileSync(join(dir, file), bytes);
    }
    return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { error: `cannot read models/local at ${ref} from git (${(err as Error).message.split('\n')[0]})` };
  }
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(PROJECT_ROOT, 'scripts', 'eval.ts');
if (isMain) {
  const program = new Command()
    .name('eval')
    .description('Held-out ROC AUC / PR AUC of the local model, the profanity-check baseline and Perspective (needs ../shared)')
    .option('--data <dir>', 'labelled data folder', DEFAULT_DATA_DIR)
    .option('--model <dir>', 'local model folder', DEFAULT_MODEL_DIR)
    .option('--baseline <file>', 'profanity-check weights', DEFAULT_PROFANITY_CHECK_PATH)
    .option('--previous <git-ref>', 'commit whose models/local is the previous model to compare with ("" for none)', PREVIOUS_MODEL_REF)
    .option('--json <file>', 'also write the figures as JSON');
  program.parse();
  const o = program.opts<{ data: string; model: string; baseline: string; previous: string; json?: string }>();
  (async () => {
    await tf.setBackend('cpu');
    const rows = loadAllSets(resolve(o.data));
    const ours = await loadLocalModel(resolve(o.model));
    const baseline = await loadProfanityCheck(resolve(o.baseline));
    const prevDir = o.previous === '' ? { error: 'no --previous given' } : previousModelDir(o.previous);
    let previous: Scorer | undefined;
    if ('dir' in prevDir) {
      previous = await loadLocalModel(prevDir.dir);
      prevDir.cleanup();
    } else {
      console.log(`Without a previous model: ${prevDir.error}\n`);
    }
    const prevName = previous?.model ?? 'previous';
    const lines = await evaluate(rows, ours, baseline, previous);
    console.log(`Held-out ROC AUC and PR AUC (average precision); ours = ${ours.model}, previous = ${prevName}, baseline = ${baseline.model}`);
    console.log('Where the previous model lacks a label, its toxicity score ranks it.\n');
    console.log(formatTable(lines, prevName));
    const targets = lines.flatMap((l) => l.targets);
    console.log(`\nTargets met: ${targets.filter((t) => t.met).length} of ${targets.length}\n`);
    const probes = await runProbes(rows, ours, baseline);
    const prevProbes = previous ? await runProbes(rows, previous, baseline) : undefined;
    console.log(formatProbes(probes, prevProbes));
    const scorers = previous ? [ours, previous, baseline] : [ours, baseline];
    const groups = await runProbeGroups(loadProbeGroups(), scorers);
    console.log(`\nProbe groups (test/fixtures/probes, ROC AUC of the named label; the baseline ranks by its one score)\n`);
    console.log(formatProbeGroups(groups, scorers.map((s) => s.model)));
    const examples = await formatIssueExamples(previous ? [ours, previous] : [ours]);
    console.log(`\nThe comments quoted in issue 10, at the default thresholds (server/thresholds/defaults.ts)\n`);
    console.log(examples.table);
    console.log(`\nAll as they should be: ${examples.ok.map((ok, i) => `${scorers[i]!.model} ${ok ? 'yes' : 'no'}`).join(', ')}`);
    if (o.json) writeFileSync(o.json, `${JSON.stringify({ model: ours.model, previous: previous?.model ?? null, lines, probes, previousProbes: prevProbes ?? null, groups }, null, 2)}\n`);
    await ours.dispose();
    await previous?.dispose();
  })().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
