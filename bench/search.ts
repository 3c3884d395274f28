/**
 * `npm run bench:search [-- --comments N --threads N --runs N --keep --db PATH]`
 *
 * Builds a database through the real ingest store (default 1,000,000 comments
 * in 10,000 threads; the FTS index filled by its triggers as comments arrive),
 * then times the search service (server/search/: SQL, excerpts and hydrating,
 * no HTTP) on a few realistic queries: a common word, two common words, a
 * rare word, an author, a thread title (one thread, every thread), a word
 * with a status or label filter (common, rare, none), the second page of a
 * search, and the all-comments list. Comments are not scored (hydrating finds
 * no scores or flags). Prints p50 and p95 per
 * query and the time the index took to build. The temp database is deleted at
 * the end unless --keep (then --db PATH reuses it).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { openDatabase } from '../server/db/open.ts';
import { seededRandom } from '../server/random.ts';
import type { SearchQuery } from '../server/search/service.ts';
import { createTriage, type Triage } from '../server/triage.ts';

const WORDS = (
  'the a this that people article comment agree disagree idiot stupid great point really think vote city council ' +
  'never always why because you your they government tax school road park news report source wrong right awful ' +
  'moron love hate terrible brilliant clown liar truth facts read again sure whatever café naïve'
).split(' ');
/** One comment in a thousand carries this word: the rare-word query. */
const RARE = 'zanzibar';

function sentence(rand: () => number): string {
  const n = 8 + Math.floor(rand() * 30);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(WORDS[Math.floor(rand() * WORDS.length)]);
  if (rand() < 0.001) words.splice(Math.floor(rand() * n), 0, RARE);
  return words.join(' ');
}

function generate(triage: Triage, threads: number, comments: number, log: (msg: string) => void): void {
  const { db, stores: { ingest } } = triage;
  const rand = seededRandom(42);
  const perThread = Math.max(1, Math.floor(comments / threads));
  const started = Date.now();
  const base = Date.now() - 30 * 24 * 3600 * 1000;
  const insert = db.transaction((from: number, to: number) => {
    for (let t = from; t < to; t++) {
      const threadId = ingest.insertThread({ importId: null, source: 'bench', externalId: `t${t}`, title: `Synthetic thread ${t}: ${sentence(rand).slice(0, 60)}`, url: null, body: '', importedAt: base + t * 1000 });
      for (let i = 0; i < perThread; i++) {
        ingest.insertComment({ importId: null, threadId, parentId: null, externalId: `c${i}`, position: i, depth: 0, author: `user${Math.floor(rand() * 5000)}`, body: sentence(rand), postedAt: base + t * 1000 + i, importedAt: base + t * 1000 });
      }
    }
  });
  const STEP = 200;
  for (let t = 0; t < threads; t += STEP) {
    insert(t, Math.min(threads, t + STEP));
    if ((t / STEP) % 10 === 0) log(`  inserted ${(Math.min(threads, t + STEP) * perThread).toLocaleString()} comments (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  // Decided comments, for the status filter: one in ten approved, one in a hundred hidden.
  db.exec("UPDATE comments SET status = 'approved' WHERE id % 10 = 0; UPDATE comments SET status = 'hidden' WHERE id % 100 = 1;");
  db.pragma('optimize');
  log(`  built in ${((Date.now() - started) / 1000).toFixed(0)} s (comments, FTS index by trigger, statuses)`);
}

function percentile(sorted: number[], p: number): number {
  const at = (sorted.length - 1) * p;
  const lo = Math.floor(at);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (at - lo);
}

function main(): void {
  const opts = new Command('bench:search')
    .option('--comments <n>', 'comments to generate', '1000000')
    .option('--threads <n>', 'threads to generate', '10000')
    .option('--runs <n>', 'timed runs per query', '200')
    .option('--keep', 'keep the temp database')
    .option('--db <path>', 'reuse a database kept by an earlier --keep run')
    .parse(process.argv)
    .opts<{ comments: string; threads: string; runs: string; keep?: boolean; db?: string }>();
  const dir = opts.db ? dirname(opts.db) : mkdtempSync(join(tmpdir(), 'triage-bench-search-'));
  const dbPath = opts.db ?? join(dir, 'bench.db');
  const log = (msg: string) => console.log(msg);
  const db = openDatabase(dbPath);
  try {
    const triage = createTriage({ db, model: () => null });
    if (!opts.db) {
      log(`Generating ${Number(opts.comments).toLocaleString()} comments in ${Number(opts.threads).toLocaleString()} threads…`);
      generate(triage, Number(opts.threads), Number(opts.comments), log);
    }
    const total = (db.prepare('SELECT count(*) AS n FROM comments').get() as { n: number }).n;
    const secondPageCursor = triage.search.search({ q: 'idiot' }).nextCursor ?? undefined;
    const queries: [string, () => unknown][] = [
      ['q=idiot (common word)', () => triage.search.search({ q: 'idiot' })],
      ['q=idiot moron (two common words)', () => triage.search.search({ q: 'idiot moron' })],
      [`q=${RARE} (1 in 1,000 comments)`, () => triage.search.search({ q: RARE })],
      ['q=cafe (folds accents: café)', () => triage.search.search({ q: 'cafe' })],
      ['q=nosuchword (no match)', () => triage.search.search({ q: 'nosuchword' })],
      ['author=user1234 (about 200 comments)', () => triage.search.search({ author: 'user1234' })],
      ['thread="thread 4242" (title words)', () => triage.search.search({ thread: 'thread 4242' })],
      ['thread=synthetic (every thread)', () => triage.search.search({ thread: 'synthetic' })],
      ['q=liar&status=hidden (1 in 100)', () => triage.search.search({ q: 'liar', status: 'hidden' } satisfies SearchQuery)],
      ['q=the&status=escalated (none)', () => triage.search.search({ q: 'the', status: 'escalated' })],
      ['q=idiot&label=insult (none flagged)', () => triage.search.search({ q: 'idiot', label: 'insult' })],
      ['q=idiot, second page (cursor)', () => triage.search.search({ q: 'idiot', cursor: secondPageCursor })],
      ['q="NEAR( * (hostile input)', () => triage.search.search({ q: '"NEAR( *' })],
      ['all comments, first page', () => triage.search.list({})],
      ['all comments, status=approved', () => triage.search.list({ status: 'approved' })],
    ];
    const runs = Number(opts.runs);
    const rows: string[][] = [];
    for (const [name, run] of queries) {
      for (let i = 0; i < 5; i++) run();
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        run();
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const p95 = percentile(times, 0.95);
      rows.push([name, percentile(times, 0.5).toFixed(2), p95.toFixed(2), times.at(-1)!.toFixed(2), p95 < 100 ? 'ok (<100)' : 'MISSED (<100)']);
    }
    const header = ['query (50 per page)', 'p50 ms', 'p95 ms', 'max ms', 'target'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    const size = statSync(dbPath).size + (() => { try { return statSync(`${dbPath}-wal`).size; } catch { return 0; } })();
    console.log(`\n${total.toLocaleString()} comments, database ${(size / 2 ** 20).toFixed(0)} MB; ${runs} runs per query; ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; Node ${process.version}`);
    console.log(fmt(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const r of rows) console.log(fmt(r));
    console.log('In-process: the search service (SQL, excerpts, hydrating), no HTTP. Other processes on the machine inflate these figures.\n');
  } finally {
    db.close();
    if (!opts.keep && !opts.db) rmSync(dir, { recursive: true, force: true });
    else log(`Kept ${dbPath}`);
  }
}

main();
