/**
 * `npm run bench:thresholds [-- --comments N]`: builds N (default 1,000,000)
 * scored comments in a temporary database, half of them decided (escalated,
 * then hidden by a lead: N decision rows), then times
 *   - re-evaluating every comment's flags after threshold changes,
 *   - the analysis of one label (histogram, curve, what-if),
 *   - the report summary over the whole period,
 *   - streaming the decision log (N rows) as CSV and as JSON to /dev/null,
 *     with the process's peak RSS while it streams.
 *   - the analysis, shadow view and summary again in the read worker, with
 *     the latency of moderation queue pages served meanwhile on this thread.
 * Prints figures; asserts nothing.
 */
import { Command } from 'commander';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { openDatabase, type Db } from '../server/db/open.ts';
import type { ThresholdValues } from '../server/flagging/rules.ts';
import { LABELS } from '../server/scoring/labels.ts';
import { createThresholdStore } from '../server/thresholds/store.ts';
import { createTriage } from '../server/triage.ts';

const MODEL = 'bench@1';
const T0 = Date.UTC(2026, 9, 1);

const opts = new Command('bench:thresholds')
  .option('--comments <n>', 'scored comments to build', (v) => Number.parseInt(v, 10), 1_000_000)
  .option('--build-only <path>', 'only build the database, at this path, and keep it (for profiling)')
  .parse()
  .opts<{ comments: number; buildOnly?: string }>();

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function time<T>(fn: () => T): [T, number] {
  const started = performance.now();
  const result = fn();
  return [result, performance.now() - started];
}

/**
 * Fills the database with SQL alone: a JS loop over a million rows would
 * dominate the set-up time. Comments are written with their final status,
 * flagged and max_score, as the pipeline and moderation would leave them.
 */
function build(db: Db, n: number): void {
  // Every label at 0.8, as the SQL below flags them (independent of the product's defaults).
  createThresholdStore(db).ensureDefaults(T0, Object.fromEntries(LABELS.map((l) => [l, 0.8])) as ThresholdValues);
  // A deterministic spread of scores in [0, 1) per label, skewed low like real comments.
  const score = (salt: number) => `((((n * ${2654435761 + salt * 40503}) % 1000003) / 1000003.0) * (((n * ${97 + salt}) % 101) / 100.0))`;
  db.transaction(() => {
    db.exec(`
      INSERT INTO moderators (username, password_hash, role, created_at)
        VALUES ('mod1', 'x', 'moderator', 0), ('mod2', 'x', 'moderator', 0), ('mod3', 'x', 'moderator', 0), ('lead', 'x', 'lead', 0);
      WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 1000)
        INSERT INTO threads (source, external_id, title, imported_at) SELECT 'bench', 't' || n, 'Thread ' || n, ${T0} FROM seq;
      WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${n})
        INSERT INTO comments (id, thread_id, external_id, position, author, body, imported_at, status, flagged, max_score)
        SELECT n, n % 1000 + 1, 'c' || n, n, 'user' || (n % 5000),
               'Comment ' || n || ': "quoted", a comma, and a second line' || char(10) || 'with Unicode ✓', ${T0} + n * 1000,
               CASE WHEN n % 2 = 0 THEN 'hidden' ELSE 'pending' END, m >= 0.8, m
        FROM (SELECT n, max(${LABELS.map((_, i) => score(i)).join(', ')}) AS m FROM seq);
      WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${n})
        INSERT INTO scores (comment_id, model, ${LABELS.join(', ')}, scored_at)
        SELECT n, '${MODEL}', ${LABELS.map((_, i) => score(i)).join(', ')}, ${T0} + n * 1000 + 500 FROM seq;
    `);
    for (const label of LABELS) {
      db.exec(`INSERT INTO flags (comment_id, label, score, threshold, threshold_version, model, flagged_at)
               SELECT comment_id, '${label}', ${label}, 0.8, 1, '${MODEL}', scored_at FROM scores WHERE ${label} >= 0.8`);
    }
    db.exec(`
      INSERT INTO decisions (comment_id, moderator_id, action, status_before, status_after, threshold_version, model, decided_at)
        SELECT id, id % 3 + 1, 'escalate', 'pending', 'escalated', 1, '${MODEL}', imported_at + 60000 FROM comments WHERE id % 2 = 0 ORDER BY id;
      INSERT INTO decisions (comment_id, moderator_id, action, status_before, status_after, note, threshold_version, model, decided_at)
        SELECT id, 4, 'hide', 'escalated', 'hidden', CASE WHEN id % 10 = 0 THEN '=confirmed' END, 1, '${MODEL}', imported_at + 3600000
        FROM comments WHERE id % 2 = 0 ORDER BY id;
    `);
  })();
}

/**
 * Streams to /dev/null while sampling RSS; returns elapsed ms, the peak RSS
 * and the RSS after each quarter of the rows, which stays level when memory is flat.
 */
async function streamToNull(make: () => NodeJS.ReadableStream, rows: number, rowEnd: string) {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  let bytes = 0;
  let seen = 0;
  const quarters: number[] = [];
  const started = performance.now();
  const source = make();
  source.on('data', (chunk: Buffer | string) => {
    bytes += chunk.length;
    const text = chunk.toString();
    for (let i = text.indexOf(rowEnd); i !== -1; i = text.indexOf(rowEnd, i + rowEnd.length)) seen++;
    while (quarters.length < 4 && seen >= ((quarters.length + 1) * rows) / 4) quarters.push(process.memoryUsage.rss());
  });
  await pipeline(source, createWriteStream('/dev/null'));
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage.rss());
  return { ms: performance.now() - started, peak, bytes, quarters };
}

const dir = mkdtempSync(join(tmpdir(), 'triage-bench-thresholds-'));
try {
  const db = openDatabase(opts.buildOnly ?? join(dir, 'bench.db'));
  const n = opts.comments;
  console.log(`Building ${n.toLocaleString('en')} scored comments (half decided: ${n.toLocaleString('en')} decision rows)...`);
  const [, buildMs] = time(() => build(db, n));
  const flagged = (db.prepare('SELECT count(*) AS c FROM comments WHERE flagged = 1').get() as { c: number }).c;
  console.log(`  built in ${secs(buildMs)}; ${flagged.toLocaleString('en')} flagged at 0.8 for every label`);
  if (opts.buildOnly) {
    db.close();
    process.exit(0);
  }

  // Export first, while the process holds little else, so the RSS figures show the stream alone.
  let clock = T0 + n * 1000 + 10_000_000;
  const { reports, thresholds, moderation, reads } = createTriage({ db, now: () => clock++, model: () => MODEL });
  const everything = { from: 0, to: Number.MAX_SAFE_INTEGER, threads: null, labels: null };
  const base = process.memoryUsage.rss();
  console.log(`\nDecision log export of ${n.toLocaleString('en')} rows to /dev/null (RSS before: ${mb(base)}):`);
  // Row ends: CRLF in CSV (bodies hold bare LFs), LF in JSON (bodies' LFs are escaped there).
  for (const [format, rowEnd] of [['csv', '\r\n'], ['json', '\n']] as const) {
    const r = await streamToNull(() => reports.decisionLog(everything, format), n, rowEnd);
    console.log(
      `  ${format.padEnd(4)} ${secs(r.ms).padStart(8)}  ${mb(r.bytes).padStart(7)} written  ` +
        `${Math.round(n / (r.ms / 1000)).toLocaleString('en')} rows/s  peak RSS ${mb(r.peak)} (+${mb(r.peak - base)}); ` +
        `RSS after 25/50/75/100% of rows: ${r.quarters.map(mb).join(' / ')}`,
    );
  }

  console.log('\nRe-evaluation (one transaction each, set-based SQL):');
  for (const change of [{ toxicity: 0.6 }, { toxicity: 0.9 }, { toxicity: 0.7, insult: 0.5, threat: null }, Object.fromEntries(LABELS.map((l) => [l, 0.55]))]) {
    const r = await thresholds.update(change, { moderatorId: null, reason: 'bench' });
    const e = r.reevaluation;
    console.log(
      `  ${Object.entries(change).map(([k, v]) => `${k}=${v ?? 'off'}`).join(' ').padEnd(60)} ${secs(r.ms).padStart(8)}  ` +
        `+${e.flagsRaised} / -${e.flagsRemoved} flags, queue +${e.queueEntered} / -${e.queueLeft}`,
    );
  }

  const [analysis, analysisMs] = time(() => thresholds.analyse('toxicity', { candidate: 0.5, targetPrecision: 0.9 }));
  console.log(`\nAnalysis of one label over ${analysis.counts.scored.toLocaleString('en')} scores (${analysis.curvePoints.toLocaleString('en')} curve points): ${secs(analysisMs)}`);
  const [, shadowMs] = time(() => thresholds.shadow());
  console.log(`Shadow view over ${n.toLocaleString('en')} decisions: ${secs(shadowMs)}`);

  const [, summaryMs] = time(() => reports.summary(everything));
  console.log(`Report summary over the whole period: ${secs(summaryMs)}`);

  // The same three through the read worker, while this thread serves the
  // moderation queue back to back: its latency is what a moderator waits.
  await reads.run('reports.summary', { filter: { ...everything, to: 1 } }); // starts the thread
  console.log('\nIn the read worker, while this thread pages the moderation queue (50 rows) back to back:');
  const [, queueAlone] = time(() => moderation.queue({}));
  console.log(`  queue page alone: ${queueAlone.toFixed(1)} ms`);
  for (const [name, job] of [
    ['analysis (cold cache)', () => reads.run('thresholds.analyse', { label: 'toxicity', opts: { candidate: 0.5, targetPrecision: 0.9 } })],
    ['shadow view', () => reads.run('thresholds.shadow', {})],
    ['summary', () => reads.run('reports.summary', { filter: everything })],
  ] as const) {
    const latencies: number[] = [];
    let done = false;
    const started = performance.now();
    const finished = (job() as Promise<unknown>).then(() => (done = true));
    while (!done) {
      latencies.push(time(() => moderation.queue({}))[1]);
      await new Promise((r) => setImmediate(r));
    }
    await finished;
    const ms = performance.now() - started;
    latencies.sort((a, b) => a - b);
    const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(1);
    console.log(
      `  ${name.padEnd(22)} ${secs(ms).padStart(8)}  meanwhile ${latencies.length} queue pages, latency median ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`,
    );
  }
  await reads.close();

  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
