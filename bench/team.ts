/**
 * `npm run bench:team [-- --comments N --duration S --screens N --deciders N ...]`
 *
 * A team on one queue (issue 12), on the real server over loopback:
 *  - 50 moderators signed in, each with `GET /api/events` (Server-Sent
 *    Events) open at once: their screens;
 *  - 10 of them deciding as fast as they can, two per slice of the queue
 *    (a `minScore`/`maxScore` band of it), each from its own shuffled page of
 *    `GET /api/queue`, with `expectedVersion` as seen: the two of a slice
 *    meet on the same comments on purpose, and a 409 is a conflict refused.
 * It prints the delay from a decision's answer to its `comment.decided`
 * event on each of the other 49 screens (p50/p95 over all pairs), decisions
 * applied per second, conflicts refused, and, read back from the `decisions`
 * table after the run, the decisions recorded against a state their decider
 * had not seen (silent reversals; target 0).
 *
 * The database is built as bench/api.ts builds it (default 200,000
 * comments, 100 a thread, scored and flagged through the real stores; pass
 * `--comments 1000000` for issue 12's size) into a temp folder, deleted at
 * the end unless --keep (then --db PATH reuses it; each run decides a few
 * thousand queue comments). The server (buildApp) runs in a child process so
 * the clients do not share its event loop; the 60 clients share this one. Figures are printed, never asserted: the clients
 * run on the same machine, and other processes change them.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { buildApp } from '../server/app.ts';
import { openDatabase } from '../server/db/open.ts';
import { createTriage } from '../server/triage.ts';
import { seededRandom } from '../server/random.ts';
import { CLIENT, int, ms, percentile, positiveInt, sleep, verdict } from './lib/figures.ts';
import { generate, MODEL } from './lib/synthetic.ts';

const PASSWORD = 'bench-password-loopback';
const username = (i: number) => `bench-team-${String(i + 1).padStart(2, '0')}`;

/** Child process: adds the moderators the file lacks, then the real server on it; tells the parent its port. */
async function serve(dbPath: string, screens: number): Promise<void> {
  const app = await buildApp({ dbPath, scoring: false, logger: false, webDist: false });
  const existing = new Set(app.triage.auth.listUsers().map((u) => u.username));
  for (let i = 0; i < screens; i++) {
    if (!existing.has(username(i))) await app.triage.auth.addUser({ username: username(i), password: PASSWORD, role: 'moderator' });
  }
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.send!({ port: (app.server.address() as AddressInfo).port });
  // CPU time (user + system) of the server process: a figure other processes cannot inflate.
  process.on('message', (m) => {
    if (m === 'cpu') {
      const u = process.cpuUsage();
      process.send!({ cpu: (u.user + u.system) / 1000 });
    }
  });
  process.on('disconnect', () => void app.close().then(() => process.exit(0)));
}

/**
 * Signs in over HTTP from its own loopback address (127.0.0.N, as each
 * moderator has their own machine): the sign-in route allows 20 tries a
 * minute per address, right or wrong (server/auth/throttle.ts).
 */
function signIn(base: string, name: string, localAddress: string): Promise<Record<string, string>> {
  const url = new URL('/api/auth/login', base);
  const body = JSON.stringify({ username: name, password: PASSWORD });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...CLIENT } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          const cookie = (res.headers['set-cookie']?.[0] ?? '').split(';')[0];
          if (res.statusCode === 200 && cookie) resolve({ cookie, ...CLIENT });
          else reject(new Error(`sign-in as ${name} from ${localAddress} failed: ${res.statusCode} ${text}`));
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** One moderator's screen: an open event stream, recording when each `comment.decided` arrives. */
interface Screen {
  /** decision id → performance.now() at arrival */
  arrivals: Map<number, number>;
  /** `comment.decided` events whose decision arrived twice on this stream. */
  duplicates: number;
  /** `comment.decided` events whose `comment.triageId` is missing or not a number. */
  malformed: number;
  /** Resolves once the stream is open (the server's first `retry:` line). */
  opened: Promise<void>;
  closed: boolean;
  close: () => void;
}

function openScreen(base: string, session: Record<string, string>): Screen {
  const url = new URL('/api/events', base);
  let onOpen: () => void = () => undefined;
  let onFail: (err: Error) => void = () => undefined;
  const screen: Screen = {
    arrivals: new Map(),
    duplicates: 0,
    malformed: 0,
    opened: new Promise<void>((resolve, reject) => {
      onOpen = resolve;
      onFail = reject;
    }),
    closed: false,
    close: () => {
      screen.closed = true;
      req.destroy();
    },
  };
  // Its own socket (no agent): a screen holds its connection for the whole run.
  const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, agent: false, headers: { ...session, accept: 'text/event-stream' } }, (res) => {
    if (res.statusCode !== 200) {
      onFail(new Error(`GET /api/events answered ${res.statusCode}`));
      res.resume();
      return;
    }
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk: string) => {
      const at = performance.now();
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.startsWith('retry:')) onOpen();
        // Blocks are `id:`, `event:`, `data:` lines; only decisions are timed.
        if (!block.includes('\nevent: comment.decided\n')) continue;
        const data = block.slice(block.indexOf('\ndata: ') + 7);
        const event = JSON.parse(data) as { decision?: { id?: unknown }; comment?: { triageId?: unknown } };
        const id = event.decision?.id;
        if (typeof id !== 'number' || typeof event.comment?.triageId !== 'number') {
          screen.malformed++;
          continue;
        }
        if (screen.arrivals.has(id)) screen.duplicates++;
        else screen.arrivals.set(id, at);
      }
    });
    res.on('close', () => {
      if (!screen.closed) onFail(new Error('event stream closed by the server'));
    });
  });
  req.on('error', (err) => {
    if (!screen.closed) onFail(err);
  });
  req.end();
  return screen;
}

/** One try to decide a comment, with what its decider had seen in the queue. */
interface Attempt {
  decider: number;
  commentId: number;
  expectedVersion: number;
  statusSeen: string;
  action: 'approve' | 'hide';
  /** performance.now() when the answer had arrived, body read. */
  answeredAt: number;
  latency: number;
  outcome: 'applied' | 'stale' | 'conflict' | 'error';
  /** The recorded decision's id, when applied. */
  decisionId?: number;
  /** Status and text of an unexpected answer. */
  error?: string;
}

interface QueueItem {
  id: number;
  status: string;
  version: number;
}

/** A slice of the queue: comments whose max_score is in [min, max]. */
interface Slice {
  min: number;
  max: number;
  size: number;
}

/**
 * One moderator deciding as fast as they can: a page of their slice, shuffled,
 * `take` of them decided (approve or hide: a moderator may not resolve an
 * escalation), then a fresh page, until `until`.
 */
async function decide(base: string, session: Record<string, string>, k: number, slice: Slice, opts: { page: number; take: number; until: number }, attempts: Attempt[]): Promise<void> {
  const rand = seededRandom(1000 + k);
  const headers = { ...session, 'content-type': 'application/json' };
  while (performance.now() < opts.until) {
    const res = await fetch(`${base}/api/queue?limit=${opts.page}&minScore=${slice.min}&maxScore=${slice.max}`, { headers: session });
    if (!res.ok) throw new Error(`GET /api/queue answered ${res.status}: ${await res.text()}`);
    const items = ((await res.json()) as { items: QueueItem[] }).items;
    if (items.length === 0) return;
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    for (const item of items.slice(0, opts.take)) {
      if (performance.now() >= opts.until) return;
      const action = rand() < 0.5 ? 'approve' : 'hide';
      const t0 = performance.now();
      const answer = await fetch(`${base}/api/comments/${item.id}/decision`, { method: 'POST', headers, body: JSON.stringify({ action, expectedVersion: item.version }) });
      const body = (await answer.json()) as { decision?: { id: number }; current?: unknown; message?: string };
      const answeredAt = performance.now();
      const attempt: Attempt = { decider: k, commentId: item.id, expectedVersion: item.version, statusSeen: item.status, action, answeredAt, latency: answeredAt - t0, outcome: 'error' };
      if (answer.status === 200 && body.decision) {
        attempt.outcome = 'applied';
        attempt.decisionId = body.decision.id;
      } else if (answer.status === 409) {
        // With `current`: the comment changed since it was seen (StaleComment); without: it is already in that state.
        attempt.outcome = body.current ? 'stale' : 'conflict';
      } else {
        attempt.error = `${answer.status} ${body.message ?? ''}`;
      }
      attempts.push(attempt);
    }
  }
}

/** Five bands of the queue by max_score, of about equal size, bounds between stored values (scores have 4 decimals). */
function slicesOf(dbPath: string, count: number): Slice[] {
  const db = openDatabase(dbPath);
  try {
    const scores = (db.prepare("SELECT max_score AS s FROM comments WHERE flagged = 1 AND status = 'pending' AND max_score IS NOT NULL ORDER BY max_score").all() as { s: number }[]).map((r) => r.s);
    const bounds = [0];
    for (let i = 1; i < count; i++) bounds.push(Math.round(scores[Math.floor((i * scores.length) / count)]! * 1e4) / 1e4 - 0.00005);
    bounds.push(1);
    return Array.from({ length: count }, (_, i) => ({
      min: bounds[i]!,
      max: bounds[i + 1]!,
      size: scores.filter((s) => s >= bounds[i]! && s <= bounds[i + 1]!).length,
    }));
  } finally {
    db.close();
  }
}

interface Audit {
  /** Decisions recorded in the run (after `fromId`), undos excluded. */
  recorded: number;
  /** Applied answers whose recorded decision is missing, on another comment, or has a status_before other than the one the decider saw. */
  mismatched: number;
  /** Comments with two or more decisions in the run whose deciders had seen the same version. */
  sameVersionTwice: number;
  /** Comments decided more than once in the run (each comment leaves the queue once decided, so any second one needed a stale view). */
  decidedTwice: number;
  /** Decisions in the table that no applied answer named (recorded while the decider was told 409 or an error). */
  unanswered: number;
  /**
   * Applied decisions that overrode what their decider had not seen: a
   * status_before other than the one seen, or each decision after the first
   * of several from the same version of one comment.
   */
  reversed: number;
}

/** Reads the run's decisions back from the file and checks each against what its decider had seen. */
function audit(dbPath: string, fromId: number, attempts: Attempt[]): Audit {
  const db = openDatabase(dbPath);
  try {
    const rows = db
      .prepare("SELECT id, comment_id AS commentId, status_before AS statusBefore FROM decisions WHERE id > ? AND action <> 'undo' ORDER BY id")
      .all(fromId) as { id: number; commentId: number; statusBefore: string }[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    const applied = attempts.filter((a) => a.outcome === 'applied');
    const named = new Set(applied.map((a) => a.decisionId!));
    const mismatched = applied.filter((a) => {
      const row = byId.get(a.decisionId!);
      return !row || row.commentId !== a.commentId || row.statusBefore !== a.statusSeen;
    });
    const reversed = new Set(mismatched.map((a) => a.decisionId!));
    // Applied decisions by comment and version seen, in the order recorded.
    const perVersion = new Map<string, Attempt[]>();
    for (const a of [...applied].sort((x, y) => x.decisionId! - y.decisionId!)) {
      const key = `${a.commentId}@${a.expectedVersion}`;
      perVersion.set(key, [...(perVersion.get(key) ?? []), a]);
    }
    const twice = new Set<number>();
    for (const list of perVersion.values()) {
      if (list.length < 2) continue;
      twice.add(list[0]!.commentId);
      for (const a of list.slice(1)) reversed.add(a.decisionId!);
    }
    const decisionsPerComment = new Map<number, number>();
    for (const r of rows) decisionsPerComment.set(r.commentId, (decisionsPerComment.get(r.commentId) ?? 0) + 1);
    return {
      recorded: rows.length,
      mismatched: mismatched.length,
      sameVersionTwice: twice.size,
      reversed: reversed.size,
      decidedTwice: [...decisionsPerComment.values()].filter((n) => n > 1).length,
      unanswered: rows.filter((r) => !named.has(r.id)).length,
    };
  } finally {
    db.close();
  }
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

async function main(): Promise<void> {
  const opts = new Command('bench:team')
    .description('A team on one queue: 50 event streams, 10 moderators deciding, conflicts, event delay, silent reversals')
    .option('--comments <n>', 'comments to generate (1,000,000 took 13 minutes to build on a busy 2-core machine)', positiveInt, 200_000)
    .option('--threads <n>', 'threads to generate (default: one per 100 comments)', positiveInt)
    .option('--screens <n>', 'moderators signed in with GET /api/events open', positiveInt, 50)
    .option('--deciders <n>', 'of them, moderators deciding as fast as they can (two per slice of the queue)', positiveInt, 10)
    .option('--duration <s>', 'seconds of deciding', positiveInt, 60)
    .option('--page <n>', 'queue page each decider fetches (GET /api/queue?limit=)', positiveInt, 40)
    .option('--take <n>', 'comments of each page, shuffled, a decider decides before fetching a fresh page', positiveInt, 20)
    .option('--drain <s>', 'longest wait after the last decision for every screen to receive every event', positiveInt, 15)
    .option('--keep', 'keep the temp database')
    .option('--db <path>', 'reuse a database kept by an earlier --keep run (of bench:team or bench:api) instead of generating one')
    .parse(process.argv)
    .opts<{ comments: number; threads?: number; screens: number; deciders: number; duration: number; page: number; take: number; drain: number; keep?: boolean; db?: string }>();
  if (opts.screens > 240) throw new InvalidArgumentError('--screens: at most 240 (one loopback address each)');
  if (opts.deciders > opts.screens) throw new InvalidArgumentError('--deciders cannot exceed --screens: every decider has a screen');

  const log = (m: string) => console.log(m);
  const cpu = cpus();
  const loadStart = loadavg();
  const machine = `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, Node ${process.version}, ${process.platform}/${process.arch}`;
  log(`bench:team on ${machine}`);
  log(`load average at start ${loadStart.map((l) => l.toFixed(2)).join(' ')} (other processes share these cores; latency figures include waiting for them)`);

  const dir = opts.db ? dirname(opts.db) : mkdtempSync(join(tmpdir(), 'triage-bench-team-'));
  const dbPath = opts.db ?? join(dir, 'team.db');
  const keep = opts.keep || Boolean(opts.db);
  let child: ChildProcess | undefined;
  const screens: Screen[] = [];
  try {
    const t0 = Date.now();
    const db = openDatabase(dbPath);
    if (!opts.db) {
      const threads = opts.threads ?? Math.max(1, Math.round(opts.comments / 100));
      log(`Generating ${int(opts.comments)} comments in ${int(threads)} threads into ${dbPath}`);
      const triage = createTriage({ db, model: () => MODEL });
      generate(triage, threads, opts.comments, log);
      await triage.reads.close();
    }
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const total = count('SELECT count(*) AS n FROM comments');
    const threadCount = count('SELECT count(*) AS n FROM threads');
    const queueSize = count("SELECT count(*) AS n FROM comments WHERE flagged = 1 AND status = 'pending'");
    const fromDecision = count('SELECT coalesce(max(id), 0) AS n FROM decisions');
    db.close();
    log(`Ready in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${int(total)} comments in ${int(threadCount)} threads, ${int(queueSize)} in the review queue; database ${(statSync(dbPath).size / 1024 / 1024).toFixed(0)} MB`);

    const pairs = Math.ceil(opts.deciders / 2);
    const slices = slicesOf(dbPath, pairs);

    child = fork(fileURLToPath(import.meta.url), ['--serve', dbPath, String(opts.screens)], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    const server = child;
    const port = await new Promise<number>((resolve, reject) => {
      server.once('message', (m) => resolve((m as { port: number }).port));
      server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    const serverCpu = () =>
      new Promise<number>((resolve) => {
        server.once('message', (m) => resolve((m as { cpu: number }).cpu));
        server.send('cpu');
      });
    log(`server: buildApp in a child process on ${base}, SQLite file ${dbPath}, no scoring`);

    const sessions: Record<string, string>[] = [];
    for (let i = 0; i < opts.screens; i++) sessions.push(await signIn(base, username(i), `127.0.0.${10 + i}`));
    for (const session of sessions) screens.push(openScreen(base, session));
    await Promise.all(screens.map((s) => s.opened));
    log(`${opts.screens} moderators signed in (POST /api/auth/login, each from its own 127.0.0.N), ${screens.length} event streams open at once`);

    // Warm-up, not reported: a page of the queue and its schemas compile.
    await (await fetch(`${base}/api/queue?limit=${opts.page}`, { headers: sessions[0]! })).arrayBuffer();

    log(
      `\n${opts.deciders} moderators deciding for ${opts.duration} s, two per slice of the queue (max_score bands: ` +
        `${slices.map((s) => `${s.min.toFixed(4)}–${s.max.toFixed(4)} ${int(s.size)}`).join(', ')}); each decides ${opts.take} of a shuffled page of ${opts.page}, then fetches again`,
    );
    const attempts: Attempt[] = [];
    const cpuBefore = await serverCpu();
    // This process's own lag: every delay below includes it, as the 60 clients share one event loop.
    const clientLag = monitorEventLoopDelay({ resolution: 10 });
    clientLag.enable();
    const started = performance.now();
    const until = started + opts.duration * 1000;
    await Promise.all(Array.from({ length: opts.deciders }, (_, k) => decide(base, sessions[k]!, k, slices[Math.floor(k / 2)]!, { page: opts.page, take: opts.take, until }, attempts)));
    const decidingS = (performance.now() - started) / 1000;
    clientLag.disable();
    const cpuMs = (await serverCpu()) - cpuBefore;

    // Every applied decision should reach every other screen; wait for the stragglers.
    const applied = attempts.filter((a) => a.outcome === 'applied');
    const expected = (a: Attempt) => screens.filter((_, s) => s !== a.decider);
    const pending = () => applied.reduce((n, a) => n + expected(a).filter((s) => !s.arrivals.has(a.decisionId!)).length, 0);
    const drainUntil = performance.now() + opts.drain * 1000;
    while (pending() > 0 && performance.now() < drainUntil) await sleep(100);
    const stillOpen = screens.filter((s) => !s.closed).length;
    for (const s of screens) s.close();

    const delays: number[] = [];
    for (const a of applied) {
      for (const s of expected(a)) {
        const at = s.arrivals.get(a.decisionId!);
        if (at !== undefined) delays.push(at - a.answeredAt);
      }
    }
    delays.sort((x, y) => x - y);
    const missing = pending();
    const early = delays.filter((d) => d < 0).length;
    const decideLatency = applied.map((a) => a.latency).sort((x, y) => x - y);
    const stale = attempts.filter((a) => a.outcome === 'stale').length;
    const conflict = attempts.filter((a) => a.outcome === 'conflict').length;
    const errors = attempts.filter((a) => a.outcome === 'error');

    child.disconnect();
    await new Promise((r) => server.once('exit', r));
    child = undefined;
    const check = audit(dbPath, fromDecision, attempts);

    const loadEnd = loadavg();
    log(`\nbench:team results: ${machine}`);
    log(`load average start ${loadStart.map((l) => l.toFixed(2)).join(' ')}, end ${loadEnd.map((l) => l.toFixed(2)).join(' ')}; the server and the 60 clients share the machine`);
    log(`${int(total)} comments (${opts.db ? `reused ${opts.db}` : `--comments ${int(opts.comments)}`}), ${int(queueSize)} in the queue at start; ${opts.screens} screens, ${opts.deciders} deciders, ${decidingS.toFixed(1)} s\n`);
    table(
      ['figure', 'value', 'target'],
      [
        ['event streams open at the end', `${stillOpen} of ${screens.length}`, ''],
        ['decisions tried', int(attempts.length), ''],
        ['decisions applied', int(applied.length), ''],
        ['decisions applied per second', (applied.length / decidingS).toFixed(1), ''],
        ['decision answer p50 ms', ms(percentile(decideLatency, 50)), ''],
        ['decision answer p95 ms', ms(percentile(decideLatency, 95)), ''],
        ['server CPU ms per decision tried', (cpuMs / Math.max(1, attempts.length)).toFixed(2), ''],
        ['conflicts refused (409), changed since seen', int(stale), ''],
        ['conflicts refused (409), already in that state', int(conflict), ''],
        ['other answers (errors)', int(errors.length), '0'],
        ['(decision, other screen) pairs', int(applied.length * (screens.length - 1)), ''],
        ['answer → event p50 ms', ms(percentile(delays, 50)), ''],
        ['answer → event p95 ms', ms(percentile(delays, 95)), verdict(percentile(delays, 95) < 250, '< 250 ms')],
        ['answer → event max ms', ms(percentile(delays, 100)), ''],
        ['events before the answer (negative delay)', int(early), ''],
        ['client event-loop delay p50 / p99 ms', `${ms(clientLag.percentile(50) / 1e6)} / ${ms(clientLag.percentile(99) / 1e6)}`, ''],
        [`events missing after ${opts.drain} s`, int(missing), verdict(missing === 0, '0')],
        ['events repeated on a stream', int(screens.reduce((n, s) => n + s.duplicates, 0)), '0'],
        ['events without decision.id / comment.triageId', int(screens.reduce((n, s) => n + s.malformed, 0)), '0'],
        ['decisions recorded in the run (table)', int(check.recorded), int(applied.length)],
        ['  status_before ≠ status the decider saw', int(check.mismatched), '0'],
        ['  comments decided twice from one version', int(check.sameVersionTwice), '0'],
        ['  comments decided twice in the run', int(check.decidedTwice), '0'],
        ['  recorded, but the decider was refused', int(check.unanswered), '0'],
        ['silently reversed decisions', int(check.reversed), verdict(check.reversed === 0 && check.unanswered === 0 && check.decidedTwice === 0, '0')],
      ],
    );
    if (errors.length > 0) log(`errors, first few: ${errors.slice(0, 5).map((e) => e.error).join('; ')}`);
    log('answer → event: from the decider reading the 200 answer to each of the other screens reading the comment.decided block, all in this process.');
    log('Conflicts are two moderators of a slice trying the same comment; the one refused is shown the comment as it is now.');
  } finally {
    for (const s of screens) s.close();
    if (child) {
      child.disconnect();
      await sleep(300);
    }
    if (keep) console.log(`kept ${dbPath}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--serve') await serve(process.argv[3]!, Number(process.argv[4]));
else await main();
