import * as tf from '@tensorflow/tfjs-core';
import { Command, InvalidArgumentError } from 'commander';
import { sampleCommentTexts } from '../scripts/lib/datasets.ts';
import { initBackend, type ScoringLogger } from '../server/scoring/backend.ts';
import { createScorer } from '../server/scoring/index.ts';
import { loadLocalModel } from '../server/scoring/local-model.ts';
import { loadToxicityModel } from '../server/scoring/toxicity-model.ts';
import type { Scorer } from '../server/scoring/types.ts';
import { assembleStandinToxicityDir } from '../test/scoring/toxicity-standin.ts';
import { loadProfanityCheck } from '../server/scoring/profanity-check.ts';
import { percentile } from './lib/figures.ts';

// `npm run bench:score`: throughput and latency of every scorer on real
// comments from ../shared/data (needs that folder: it is not in a clone), then
// a leak check of our model over many comments. Figures are printed, never
// asserted; the machine and its load change them.

const BATCH_SIZES = [1, 32, 256] as const;

function positiveInt(value: string): number {
  const n = Number(value.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number >= 0');
  return n;
}

const options = new Command('bench:score')
  .description('Benchmark the scorers: comments/s and latency at batch sizes 1, 32, 256; peak memory; leak check')
  .option('--n <count>', 'real comments per row', positiveInt, 10_000)
  .option('--google-seconds <s>', "time box per batch size for Google's model (it runs ~10-25 comments/s on wasm)", positiveInt, 20)
  .option('--leak-n <count>', 'comments scored by our model in the leak check (0 skips it)', positiveInt, 1_000_000)
  .parse(process.argv)
  .opts<{ n: number; googleSeconds: number; leakN: number }>();

const MB = 1024 * 1024;
const mb = (bytes: number): string => (bytes / MB).toFixed(0);

interface Measure {
  row: string;
  batch: number;
  comments: number;
  calls: number;
  perSecond: number;
  p50: number;
  p95: number;
  peakRss: number;
  peakHeap: number;
  note: string;
}

/**
 * Scores `texts` in batches of `batch`, timing each call, until all are done
 * or `budgetMs` has passed (at least one call).
 */
async function measure(row: string, scorer: Scorer, texts: string[], batch: number, budgetMs = Infinity): Promise<Measure> {
  const latencies: number[] = [];
  let peakRss = 0;
  let peakHeap = 0;
  let done = 0;
  const start = performance.now();
  while (done < texts.length) {
    const chunk = texts.slice(done, done + batch);
    const t0 = performance.now();
    const results = await scorer.scoreBatch(chunk);
    latencies.push(performance.now() - t0);
    if (results.length !== chunk.length) throw new Error(`${row}: ${results.length} results for ${chunk.length} texts`);
    done += chunk.length;
    // memoryUsage() costs about as much as scoring one comment: sample it
    // between timed calls, not on every one.
    if (latencies.length % 64 === 1 || done >= texts.length) {
      const mem = process.memoryUsage();
      peakRss = Math.max(peakRss, mem.rss);
      peakHeap = Math.max(peakHeap, mem.heapUsed);
    }
    if (performance.now() - start > budgetMs) break;
  }
  const elapsed = performance.now() - start;
  latencies.sort((a, b) => a - b);
  return {
    row,
    batch,
    comments: done,
    calls: latencies.length,
    perSecond: (done / elapsed) * 1000,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    peakRss,
    peakHeap,
    note: done < texts.length ? `time-boxed at ${budgetMs / 1000} s` : '',
  };
}

async function benchScorer(row: string, load: () => Promise<Scorer>, texts: string[], budgetMs = Infinity): Promise<Measure[]> {
  const t0 = performance.now();
  const scorer = await load();
  const loadMs = performance.now() - t0;
  console.log(`${row}: ${scorer.model} loaded in ${loadMs.toFixed(0)} ms`);
  try {
    // Warm-up: first calls compile kernels and grow the wasm heap.
    await scorer.scoreBatch(texts.slice(0, 32));
    const rows: Measure[] = [];
    for (const batch of BATCH_SIZES) {
      const m = await measure(row, scorer, texts, batch, budgetMs);
      console.log(`  batch ${String(batch).padStart(3)}: ${m.perSecond.toFixed(1)} comments/s over ${m.comments}${m.note ? ` (${m.note})` : ''}`);
      rows.push(m);
    }
    return rows;
  } finally {
    await scorer.dispose();
  }
}

function printTable(rows: Measure[]): void {
  const header = ['scorer', 'batch', 'comments', 'comments/s', 'call p50 ms', 'call p95 ms', 'peak RSS MB', 'peak heap MB', 'note'];
  const cells = rows.map((r) => [
    r.row,
    String(r.batch),
    String(r.comments),
    r.perSecond.toFixed(r.perSecond < 100 ? 1 : 0),
    r.p50.toFixed(2),
    r.p95.toFixed(2),
    mb(r.peakRss),
    mb(r.peakHeap),
    r.note,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((v, i) => (i === 0 || i === c.length - 1 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}

function printRatios(rows: Measure[], ours: string, others: string[]): void {
  for (const batch of BATCH_SIZES) {
    const base = rows.find((r) => r.row === ours && r.batch === batch);
    if (!base) continue;
    const parts = others.flatMap((name) => {
      const other = rows.find((r) => r.row === name && r.batch === batch);
      return other ? [`${(base.perSecond / other.perSecond).toFixed(1)}x ${name}`] : [];
    });
    console.log(`  batch ${String(batch).padStart(3)}: ${ours} is ${parts.join(', ')} (comments/s)`);
  }
}

async function leakCheck(texts: string[], total: number): Promise<void> {
  console.log(`\nLeak check: our model, in this thread, batches of 256, ${total.toLocaleString('en')} comments (texts cycle through the ${texts.length.toLocaleString('en')} real ones)`);
  const scorer = await loadLocalModel();
  const batch = 256;
  const every = Math.max(batch, Math.ceil(total / 10 / batch) * batch);
  const checkpoints: { scored: number; rss: number; heap: number; tensors: number }[] = [];
  const start = performance.now();
  console.log(`${'scored'.padStart(10)}  ${'RSS MB'.padStart(7)}  ${'heap MB'.padStart(7)}  ${'tensors'.padStart(7)}  ${'comments/s'.padStart(10)}`);
  try {
    let scored = 0;
    let offset = 0;
    while (scored < total) {
      const n = Math.min(batch, total - scored);
      const chunk = texts.slice(offset, offset + n);
      if (chunk.length < n) chunk.push(...texts.slice(0, n - chunk.length));
      offset = (offset + n) % texts.length;
      await scorer.scoreBatch(chunk);
      scored += n;
      if (scored % every === 0 || scored === total) {
        const mem = process.memoryUsage();
        const point = { scored, rss: mem.rss, heap: mem.heapUsed, tensors: tf.memory().numTensors };
        checkpoints.push(point);
        const rate = (scored / (performance.now() - start)) * 1000;
        console.log(`${scored.toLocaleString('en').padStart(10)}  ${mb(point.rss).padStart(7)}  ${mb(point.heap).padStart(7)}  ${String(point.tensors).padStart(7)}  ${rate.toFixed(0).padStart(10)}`);
      }
    }
  } finally {
    await scorer.dispose();
  }
  // Compare the second checkpoint (after warm-up growth) with the last.
  const first = checkpoints[Math.min(1, checkpoints.length - 1)]!;
  const last = checkpoints[checkpoints.length - 1]!;
  const growth = (last.rss - first.rss) / MB;
  const tensorsFlat = checkpoints.every((c) => c.tensors === first.tensors);
  console.log(
    `RSS ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB from ${first.scored.toLocaleString('en')} to ${last.scored.toLocaleString('en')} comments; ` +
      `tensors ${tensorsFlat ? `flat at ${first.tensors}` : 'CHANGED (leak)'}: ${Math.abs(growth) < 50 && tensorsFlat ? 'flat, no leak seen' : 'LOOK INTO THIS'}`,
  );
}

const quietLogger: ScoringLogger = { info: (_d, message) => console.log(message), warn: (_d, message) => console.log(`warning: ${message}`) };

console.log(`bench:score on Node ${process.version}, ${(await import('node:os')).cpus().length} CPU(s)`);
const texts = sampleCommentTexts(options.n);
const chars = texts.reduce((sum, t) => sum + t.length, 0);
console.log(`${texts.length.toLocaleString('en')} real comments from ../shared/data, mean ${(chars / texts.length).toFixed(0)} characters`);
const backend = await initBackend(quietLogger);

const rows: Measure[] = [];
const skipped: string[] = [];
/** A row whose model cannot load is reported as skipped, so the others still run. */
async function addRows(name: string, run: () => Promise<Measure[]>): Promise<void> {
  try {
    rows.push(...(await run()));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.log(`${name}: SKIPPED (${reason})`);
    skipped.push(`${name}: ${reason}`);
  }
}

await addRows('ours', () => benchScorer('ours', () => loadLocalModel(), texts));
await addRows('ours in worker', async () =>
  (await benchScorer('ours in worker', () => createScorer({ model: 'local', logger: quietLogger }), texts)).map((r) => ({
    ...r,
    // The worker's heap is its own; the main thread's figures would mislead.
    note: 'via createScorer: includes thread messaging; heap = main thread only',
  })),
);
const standin = assembleStandinToxicityDir();
try {
  await addRows('google (stand-in)', async () =>
    (await benchScorer('google (stand-in)', () => loadToxicityModel(standin.dir), texts, options.googleSeconds * 1000)).map((r) => ({
      ...r,
      note: `COST ONLY: stand-in shards, outputs meaningless${r.note ? `; ${r.note}` : ''}`,
    })),
  );
} finally {
  standin.remove();
}
await addRows('profanity-check', () => benchScorer('profanity-check', () => loadProfanityCheck(), texts));

console.log(`\nBackend: ${backend}. "call" = one scoreBatch call of <batch> comments; at batch 1 it is the single-comment latency.\nPeak RSS is the whole process, so it includes the rows before; peak heap is this thread's V8 heap (the wasm heap counts in RSS only).`);
printTable(rows);
console.log('\nRatios:');
printRatios(rows, 'ours', ['google (stand-in)', 'profanity-check']);
for (const line of skipped) console.log(`SKIPPED ${line}`);
console.log(`Peak RSS of the whole process so far: ${mb(process.resourceUsage().maxRSS * 1024)} MB`);

if (options.leakN > 0) await leakCheck(texts, options.leakN);
