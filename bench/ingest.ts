/**
 * `npm run bench:ingest [-- --comments N --clients N --decisions N --crash-decisions N ...]`
 *
 * The push path a site uses, measured on the real server over loopback:
 *  1. comments accepted per second by `POST /api/v1/comments` in batches of
 *     100 and of 1,000 from several concurrent clients (one API key), and the
 *     time until our local model has scored them all (the server's worker
 *     thread, as in production);
 *  2. meanwhile, the latency of `GET /api/queue` for a moderator fetching
 *     pages back to back;
 *  3. the delay from a decision's answer to its `comment.decided` webhook
 *     reaching a receiver on 127.0.0.1;
 *  4. webhooks lost across a kill -9 of server/main.ts while deliveries are
 *     in flight (restarted on the same file; receivers deduplicate by
 *     webhook-id, so repeats are allowed, losses are not).
 * Steps 1 to 3 run buildApp in a child process (real SQLite file, real
 * scorer) so that the clients do not share its event loop; step 4 runs
 * server/main.ts as `npm start` does. Figures are printed, never asserted:
 * the clients run on the same machine, and other processes change them.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { sampleCommentTexts } from '../scripts/lib/datasets.ts';
import { buildApp } from '../server/app.ts';
import { openDatabase } from '../server/db/open.ts';
import { createTriage, stopTriage } from '../server/triage.ts';
import { startServerProcess, stopServerProcess } from '../test/helpers/server-process.ts';
import { seededRandom } from '../server/random.ts';
import { CLIENT, int, ms, percentile, positiveInt, sleep, verdict } from './lib/figures.ts';

const SOURCE = 'bench.example';
const ADMIN = { username: 'bench-admin', password: 'bench-password-loopback' };
const MODERATOR = { username: 'bench-mod', password: 'bench-password-loopback' };
/**
 * Requests a key may make a minute, for this bench only. The default (600,
 * TRIAGE_API_RATE_LIMIT) caps one key at 10 requests/s: 1,000 comments/s in
 * batches of 100. This bench measures the server, not that limit.
 */
const BENCH_KEY_RATE_LIMIT = 1_000_000;

/** Seeded, so every run builds the same data. */
const rng = seededRandom;

const WORDS = (
  'the a this that people article comment agree disagree idiot stupid great point really think vote city council never always why because ' +
  'you your they government tax school road park news report source wrong right awful moron love hate terrible brilliant clown liar truth facts'
).split(' ');

/** Real comments from ../shared/data when it is there, else generated sentences; says which. */
function commentTexts(n: number): { texts: string[]; origin: string } {
  try {
    const texts = sampleCommentTexts(n * 2).filter((t) => t.trim().length > 0).slice(0, n);
    const mean = texts.reduce((s, t) => s + t.length, 0) / texts.length;
    return { texts, origin: `${int(texts.length)} real comments from ../shared/data (civil comments, wiki-detox, toxichat), mean ${mean.toFixed(0)} characters` };
  } catch (err) {
    const rand = rng(7);
    const texts = Array.from({ length: n }, () => Array.from({ length: 8 + Math.floor(rand() * 30) }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' '));
    return { texts, origin: `generated sentences (../shared/data unavailable: ${(err as Error).message.slice(0, 80)})` };
  }
}

interface SiteItem {
  id: string;
  thread: { id: string; title: string };
  parentId: string | null;
  author: { id: string; name: string };
  text: string;
  postedAt: string;
}

/**
 * Request bodies of `size` comments each, `total` in all, serialized before
 * the clock starts. Threads of 25 comments, each in one batch; 40% of the
 * comments answer an earlier one of their thread (sent before them).
 */
function buildBatches(prefix: string, total: number, size: number, texts: string[], offset: number): { bodies: string[]; replies: number } {
  const rand = rng(size);
  const bodies: string[] = [];
  let replies = 0;
  const base = Date.UTC(2026, 10, 1);
  for (let b = 0, n = 0; n < total; b++) {
    const items: SiteItem[] = [];
    for (let i = 0; i < size && n < total; i++, n++) {
      const t = Math.floor(i / 25);
      const inThread = i % 25;
      const reply = inThread > 0 && rand() < 0.4;
      if (reply) replies++;
      items.push({
        id: `${prefix}-b${b}-c${i}`,
        thread: { id: `${prefix}-b${b}-t${t}`, title: `Bench article ${b}.${t}` },
        parentId: reply ? `${prefix}-b${b}-c${i - 1 - Math.floor(rand() * inThread)}` : null,
        author: { id: `u${n % 5000}`, name: `reader${n % 5000}` },
        text: texts[(offset + n) % texts.length]!,
        postedAt: new Date(base + n * 1000).toISOString(),
      });
    }
    bodies.push(JSON.stringify({ comments: items }));
  }
  return { bodies, replies };
}

/** Child process: buildApp on the file, with the real scorer; tells the parent its port and a fresh API key. */
async function serve(dbPath: string): Promise<void> {
  const app = await buildApp({ dbPath, scoring: { model: 'local' }, logger: false, webDist: false, webhooks: { allowPrivate: true }, keyRateLimit: BENCH_KEY_RATE_LIMIT });
  await app.triage.auth.addUser({ ...ADMIN, role: 'admin' });
  await app.triage.auth.addUser({ ...MODERATOR, role: 'moderator' });
  const key = app.triage.integrations.createKey({ name: 'bench', source: SOURCE }, null).key;
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as AddressInfo;
  process.send!({ port: address.port, key });
  // CPU time (user + system) of the whole server process, scoring worker included.
  process.on('message', (m) => {
    if (m === 'cpu') {
      const u = process.cpuUsage();
      process.send!({ cpu: (u.user + u.system) / 1000 });
    }
  });
  process.on('disconnect', () => void app.close().then(() => process.exit(0)));
}

async function signIn(base: string, user: { username: string; password: string }): Promise<Record<string, string>> {
  const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...CLIENT }, body: JSON.stringify(user) });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  if (!res.ok || !cookie) throw new Error(`sign-in as ${user.username} failed: ${res.status}`);
  return { cookie, ...CLIENT };
}

/** GET /api/queue back to back on `connections` connections until stopped; each latency with the time it ended. */
function hammerQueue(base: string, session: Record<string, string>, connections: number) {
  const samples: { at: number; ms: number }[] = [];
  let errors = 0;
  let running = true;
  const loops = Array.from({ length: connections }, async () => {
    while (running) {
      const t0 = performance.now();
      try {
        const res = await fetch(`${base}/api/queue`, { headers: session });
        await res.arrayBuffer();
        if (!res.ok) errors++;
      } catch {
        errors++;
      }
      const t1 = performance.now();
      samples.push({ at: t1, ms: t1 - t0 });
    }
  });
  return {
    /** Latencies (sorted) of the requests that ended in [from, to). */
    between: (from: number, to: number) =>
      samples
        .filter((s) => s.at >= from && s.at < to)
        .map((s) => s.ms)
        .sort((a, b) => a - b),
    errors: () => errors,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

interface ScoringCounts {
  total: number;
  pending: number;
  done: number;
  failed: number;
}

async function scoringCounts(base: string, admin: Record<string, string>): Promise<ScoringCounts> {
  const res = await fetch(`${base}/api/stats`, { headers: admin });
  if (!res.ok) throw new Error(`GET /api/stats: ${res.status}`);
  return ((await res.json()) as { scoring: ScoringCounts }).scoring;
}

interface IngestResult {
  batch: number;
  created: number;
  refused: number;
  replies: number;
  requests: number;
  ingestS: number;
  acceptedPerS: number;
  postP50: number;
  postP99: number;
  scoredS: number;
  scoredPerS: number;
  scoringDone: boolean;
  queueDuring: number[];
  queueAfter: number[];
  queueErrors: number;
  cpuMsPer1k: number;
  triageIds: number[];
}

/** Step 1 and 2 for one batch size. */
async function ingestRound(
  ctx: { base: string; key: string; admin: Record<string, string>; moderator: Record<string, string>; cpu: () => Promise<number> },
  opts: { label: string; total: number; size: number; clients: number; queueConnections: number; texts: string[]; scoreTimeoutS: number },
): Promise<IngestResult> {
  const { bodies, replies } = buildBatches(opts.label, opts.total, opts.size, opts.texts, opts.size);
  const before = await scoringCounts(ctx.base, ctx.admin);
  const queue = hammerQueue(ctx.base, ctx.moderator, opts.queueConnections);
  await sleep(300);
  const cpu0 = await ctx.cpu();
  const postMs: number[] = [];
  const triageIds: number[] = [];
  let created = 0;
  let refused = 0;
  let next = 0;
  const headers = { authorization: `Bearer ${ctx.key}`, 'content-type': 'application/json' };
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: opts.clients }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const s = performance.now();
        const res = await fetch(`${ctx.base}/api/v1/comments`, { method: 'POST', headers, body });
        const answer = (await res.json()) as { counts?: { created: number; refused: number }; results?: { triageId: number | null; outcome: string }[]; message?: string };
        postMs.push(performance.now() - s);
        if (!res.ok || !answer.counts || !answer.results) throw new Error(`POST /api/v1/comments: ${res.status} ${answer.message ?? ''}`);
        created += answer.counts.created;
        refused += answer.counts.refused;
        for (const r of answer.results) if (r.outcome === 'created' && r.triageId !== null) triageIds.push(r.triageId);
      }
    }),
  );
  const t1 = performance.now();
  const cpu1 = await ctx.cpu();
  // Scoring started with the first batch (the pipeline is woken after each); wait for the backlog to drain.
  const expected = before.done + before.failed + created;
  let counts = before;
  const deadline = t1 + opts.scoreTimeoutS * 1000;
  while (performance.now() < deadline) {
    counts = await scoringCounts(ctx.base, ctx.admin);
    if (counts.pending === 0 && counts.done + counts.failed >= expected) break;
    await sleep(100);
  }
  const t2 = performance.now();
  await queue.stop();
  postMs.sort((a, b) => a - b);
  const scored = counts.done + counts.failed - before.done - before.failed;
  return {
    batch: opts.size,
    created,
    refused,
    replies,
    requests: bodies.length,
    ingestS: (t1 - t0) / 1000,
    acceptedPerS: created / ((t1 - t0) / 1000),
    postP50: percentile(postMs, 50),
    postP99: percentile(postMs, 99),
    scoredS: (t2 - t0) / 1000,
    scoredPerS: scored / ((t2 - t0) / 1000),
    scoringDone: counts.pending === 0,
    queueDuring: queue.between(t0, t1),
    queueAfter: queue.between(t1, t2),
    queueErrors: queue.errors(),
    cpuMsPer1k: ((cpu1 - cpu0) / created) * 1000,
    triageIds,
  };
}

/** A receiver on 127.0.0.1: records each delivery's webhook-id, comment and arrival; answers after `delayMs`. */
async function startReceiver(delayMs: number) {
  const arrivals: { messageId: string; triageId: number | null; at: number }[] = [];
  let open = 0;
  const server: Server = createServer((req, res) => {
    open++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      let triageId: number | null;
      try {
        triageId = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: { comment?: { triageId?: number } } }).data?.comment?.triageId ?? null;
      } catch {
        triageId = null;
      }
      arrivals.push({ messageId: String(req.headers['webhook-id']), triageId, at });
      const answer = () => {
        open--;
        res.writeHead(200).end('ok');
      };
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    arrivals,
    /** Requests received and not yet answered: deliveries in flight. */
    open: () => open,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Runs `fn` over `items` with `concurrency` workers. */
async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

async function decide(base: string, session: Record<string, string>, id: number): Promise<number> {
  const res = await fetch(`${base}/api/comments/${id}/decision`, {
    method: 'POST',
    headers: { ...session, 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'hide' }),
  });
  const at = performance.now();
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`decision on ${id}: ${res.status}`);
  return at;
}

/** Step 3: decision answered → webhook received, on the server of steps 1 and 2. */
async function webhookLatency(ctx: { base: string; admin: Record<string, string>; moderator: Record<string, string> }, ids: number[], concurrency: number) {
  const receiver = await startReceiver(0);
  try {
    const res = await fetch(`${ctx.base}/api/webhooks`, {
      method: 'POST',
      headers: { ...ctx.admin, 'content-type': 'application/json' },
      body: JSON.stringify({ source: SOURCE, url: receiver.url, events: ['comment.decided'] }),
    });
    if (!res.ok) throw new Error(`POST /api/webhooks: ${res.status} ${await res.text()}`);
    const answered = new Map<number, number>();
    await pool(ids, concurrency, async (id) => {
      answered.set(id, await decide(ctx.base, ctx.moderator, id));
    });
    const deadline = performance.now() + 30_000;
    while (receiver.arrivals.length < ids.length && performance.now() < deadline) await sleep(20);
    const delays: number[] = [];
    for (const a of receiver.arrivals) {
      const at = a.triageId === null ? undefined : answered.get(a.triageId);
      if (at !== undefined) delays.push(a.at - at);
    }
    delays.sort((a, b) => a - b);
    return { decisions: ids.length, received: receiver.arrivals.length, delays, early: delays.filter((d) => d < 0).length };
  } finally {
    await receiver.close();
  }
}

/** Step 4: kill -9 of server/main.ts while webhooks are in flight, restart, count what arrived. */
async function crashRound(dir: string, opts: { decisions: number; delayMs: number; concurrency: number; log: (m: string) => void }) {
  const dbPath = join(dir, 'crash.db');
  const receiver = await startReceiver(opts.delayMs);
  try {
    // The site's comments, a moderator and the endpoint, written as the CLI and the API would (as test/integrations/webhook-crash.test.ts does).
    const db = openDatabase(dbPath);
    const setup = createTriage({ db, webhooks: { allowPrivate: true } });
    await setup.auth.addUser({ ...MODERATOR, role: 'moderator' });
    const ids: number[] = [];
    for (let from = 0; from < opts.decisions; from += 1000) {
      const items = Array.from({ length: Math.min(1000, opts.decisions - from) }, (_, i) => ({
        id: `k${from + i}`,
        thread: { id: `crash-${Math.floor((from + i) / 50)}`, title: 'Article' },
        text: `comment number ${from + i}`,
      }));
      for (const r of (await setup.site.receive(SOURCE, items)).results) if (r.triageId !== null) ids.push(r.triageId);
    }
    await setup.webhooks.createEndpoint({ source: SOURCE, url: receiver.url, events: ['comment.decided'] }, null);
    await stopTriage(setup);
    db.close();

    let server = await startServerProcess(dbPath);
    const moderator = await signIn(server.base, MODERATOR);
    let decided = 0;
    await pool(ids, opts.concurrency, async (id) => {
      await decide(server.base, moderator, id);
      decided++;
    });
    // Kill once a third has arrived (or at once, if that many already have): some delivered, some in flight, most not yet sent.
    const killBy = performance.now() + 60_000;
    while (new Set(receiver.arrivals.map((a) => a.messageId)).size < ids.length / 3 && performance.now() < killBy) await sleep(2);
    const inFlight = receiver.open();
    await stopServerProcess(server, 'SIGKILL');
    const beforeRestart = new Set(receiver.arrivals.map((a) => a.messageId)).size;
    opts.log(`  killed with SIGKILL: ${int(decided)} decisions answered, ${int(beforeRestart)} webhooks received, ${inFlight} in flight`);

    const restarted = performance.now();
    server = await startServerProcess(dbPath);
    const startS = (performance.now() - restarted) / 1000;
    const deadline = performance.now() + 120_000;
    let distinct = beforeRestart;
    while (distinct < ids.length && performance.now() < deadline) {
      await sleep(50);
      distinct = new Set(receiver.arrivals.map((a) => a.messageId)).size;
    }
    const drainS = (performance.now() - restarted) / 1000;
    await stopServerProcess(server, 'SIGTERM');

    const check = openDatabase(dbPath);
    const events = (check.prepare("SELECT id FROM events WHERE type = 'comment.decided'").all() as { id: number }[]).map((e) => `msg_${e.id}`);
    check.close();
    const received = new Set(receiver.arrivals.map((a) => a.messageId));
    return {
      decided,
      events: events.length,
      beforeRestart,
      inFlight,
      lost: events.filter((e) => !received.has(e)).length,
      duplicates: receiver.arrivals.length - received.size,
      unknown: [...received].filter((m) => !events.includes(m)).length,
      startS,
      drainS,
    };
  } finally {
    await receiver.close();
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
  const opts = new Command('bench:ingest')
    .description('Site ingest over HTTP, scoring to completion, queue latency meanwhile, webhook latency, webhooks across kill -9')
    .option('--comments <n>', 'comments sent per batch size (100 and 1,000)', positiveInt, 20_000)
    .option('--clients <n>', 'concurrent ingest clients (one API key)', positiveInt, 4)
    .option('--queue-connections <n>', 'connections of the moderator fetching queue pages meanwhile', positiveInt, 2)
    .option('--decisions <n>', 'decisions timed to their webhook', positiveInt, 500)
    .option('--crash-decisions <n>', 'decisions whose webhooks are in flight across the kill -9', positiveInt, 1000)
    .option('--receiver-delay <ms>', 'how long the receiver takes to answer in the kill -9 round', positiveInt, 50)
    .option('--score-timeout <s>', 'longest wait for scoring to finish, per batch size', positiveInt, 600)
    .option('--keep', 'keep the temp folder and its databases')
    .parse(process.argv)
    .opts<{ comments: number; clients: number; queueConnections: number; decisions: number; crashDecisions: number; receiverDelay: number; scoreTimeout: number; keep?: boolean }>();

  const log = (m: string) => console.log(m);
  const cpu = cpus();
  const loadStart = loadavg();
  const machine = `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, Node ${process.version}, ${process.platform}/${process.arch}`;
  log(`bench:ingest on ${machine}`);
  log(`load average at start ${loadStart.map((l) => l.toFixed(2)).join(' ')} (other processes share these cores; latency figures include waiting for them)`);
  const { texts, origin } = commentTexts(20_000);
  log(`texts: ${origin}`);

  const dir = mkdtempSync(join(tmpdir(), 'triage-bench-ingest-'));
  let child: ChildProcess | undefined;
  try {
    const dbPath = join(dir, 'ingest.db');
    child = fork(fileURLToPath(import.meta.url), ['--serve', dbPath], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    const server = child;
    const { port, key } = await new Promise<{ port: number; key: string }>((resolve, reject) => {
      server.once('message', (m) => resolve(m as { port: number; key: string }));
      server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    const serverCpu = () =>
      new Promise<number>((resolve) => {
        server.once('message', (m) => resolve((m as { cpu: number }).cpu));
        server.send('cpu');
      });
    const admin = await signIn(base, ADMIN);
    const moderator = await signIn(base, MODERATOR);
    const ctx = { base, key, admin, moderator, cpu: serverCpu };
    log(`server: buildApp in a child process on ${base}, SQLite file ${dbPath}, scoring { model: 'local' } (worker thread), API key rate limit lifted to ${int(BENCH_KEY_RATE_LIMIT)}/min`);

    // A short warm-up: the first requests compile schemas and the first batch warms the scorer.
    await ingestRound(ctx, { label: 'warm', total: 1000, size: 100, clients: opts.clients, queueConnections: 1, texts, scoreTimeoutS: opts.scoreTimeout });

    const rounds: IngestResult[] = [];
    for (const size of [100, 1000]) {
      log(`\n1+2. ${int(opts.comments)} comments in batches of ${int(size)}, ${opts.clients} clients; ${opts.queueConnections} queue connections meanwhile`);
      const r = await ingestRound(ctx, { label: `p${size}`, total: opts.comments, size, clients: opts.clients, queueConnections: opts.queueConnections, texts, scoreTimeoutS: opts.scoreTimeout });
      log(
        `  ${int(r.created)} created (${int(r.created - r.replies)} top-level, ${int(r.replies)} replies), ${r.refused} refused, in ${r.ingestS.toFixed(1)} s; ` +
          `all scored ${r.scoredS.toFixed(1)} s after the first request${r.scoringDone ? '' : ' (TIMED OUT, still pending)'}`,
      );
      rounds.push(r);
    }

    const decisionIds = rounds[0]!.triageIds.slice(0, opts.decisions);
    log(`\n3. ${int(decisionIds.length)} decisions (hide), 4 at a time, endpoint on 127.0.0.1 answering at once`);
    const hook = await webhookLatency(ctx, decisionIds, 4);
    log(`  ${int(hook.received)} of ${int(hook.decisions)} webhooks received; ${hook.early} arrived before the decision's answer (negative delay)`);

    child.disconnect();
    await new Promise((r) => server.once('exit', r));
    child = undefined;

    log(`\n4. kill -9 during delivery: server/main.ts, ${int(opts.crashDecisions)} decisions, receiver answering after ${opts.receiverDelay} ms`);
    const crash = await crashRound(dir, { decisions: opts.crashDecisions, delayMs: opts.receiverDelay, concurrency: 8, log });
    log(`  restarted in ${crash.startS.toFixed(1)} s; all delivered ${crash.drainS.toFixed(1)} s after the restart began`);

    const loadEnd = loadavg();
    log(`\nbench:ingest results: ${machine}`);
    log(`load average start ${loadStart.map((l) => l.toFixed(2)).join(' ')}, end ${loadEnd.map((l) => l.toFixed(2)).join(' ')}; clients and server share the machine`);
    log(`texts: ${origin}\n`);
    table(
      ['batch', 'comments', 'requests', 'accepted/s', 'POST p50 ms', 'POST p99 ms', 'server CPU ms/1k*', 'scored/s (to last)', 'queue p50 ms', 'queue p99 ms', 'queue n', 'accepted target'],
      rounds.map((r) => [
        String(r.batch),
        int(r.created),
        int(r.requests),
        int(r.acceptedPerS),
        ms(r.postP50),
        ms(r.postP99),
        int(r.cpuMsPer1k),
        `${int(r.scoredPerS)}${r.scoringDone ? '' : ' (timed out)'}`,
        ms(percentile(r.queueDuring, 50)),
        ms(percentile(r.queueDuring, 99)),
        int(r.queueDuring.length),
        verdict(r.acceptedPerS >= 5000, '>= 5,000/s'),
      ]),
    );
    log('* server process CPU (user + system, all threads) while ingest ran, per 1,000 accepted: includes the scoring that overlapped it.');
    log('accepted/s: comments created / time from the first request to the last answer. scored/s: comments scored / time from the first request');
    log('until none is pending (scoring overlaps ingest). queue: GET /api/queue answered while ingest ran; after ingest, while scoring caught up:');
    for (const r of rounds) {
      log(
        `  batch ${String(r.batch).padStart(4)}: queue during ingest p99 ${ms(percentile(r.queueDuring, 99))} ms ${verdict(percentile(r.queueDuring, 99) < 100, '< 100 ms')}; ` +
          `while scoring caught up p50 ${ms(percentile(r.queueAfter, 50))} ms, p99 ${ms(percentile(r.queueAfter, 99))} ms over ${int(r.queueAfter.length)}; errors ${r.queueErrors}`,
      );
    }
    log('Compare scored/s with `npm run bench:score` ("ours in worker", batch 256): that is the model alone, this is the whole pipeline.\n');
    table(
      ['webhook', 'value', 'target'],
      [
        ['decisions', int(hook.decisions), ''],
        ['received', int(hook.received), ''],
        ['answer → receipt p50 ms', ms(percentile(hook.delays, 50)), ''],
        ['answer → receipt p95 ms', ms(percentile(hook.delays, 95)), verdict(percentile(hook.delays, 95) < 1000, '< 1,000 ms')],
        ['answer → receipt max ms', ms(percentile(hook.delays, 100)), ''],
        ['kill -9: decisions answered', int(crash.decided), ''],
        ['kill -9: comment.decided events', int(crash.events), ''],
        ['kill -9: received before kill', int(crash.beforeRestart), ''],
        ['kill -9: in flight at kill', int(crash.inFlight), ''],
        ['kill -9: lost', int(crash.lost), verdict(crash.lost === 0 && crash.events === crash.decided, '0')],
        ['kill -9: duplicates (same webhook-id)', int(crash.duplicates), 'allowed'],
        ['kill -9: ids not in events', int(crash.unknown), ''],
      ],
    );
  } finally {
    if (child) {
      child.disconnect();
      await sleep(300);
    }
    if (opts.keep) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--serve') await serve(process.argv[3]!);
else await main();
