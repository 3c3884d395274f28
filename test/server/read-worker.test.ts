import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJobs } from '../../server/reads/jobs.ts';
import { createReadRunner, type ReadRunner } from '../../server/reads/runner.ts';
import { LABELS } from '../../server/scoring/labels.ts';
import { createTriage } from '../../server/triage.ts';
import { buildTestApp, insertThreads, makeComment, makeThread, signIn, TEST_MODEL, writeScores } from '../helpers/app.ts';

const NOW = Date.UTC(2026, 10, 20, 12);
const EVERYTHING = { from: 0, to: Number.MAX_SAFE_INTEGER, threads: null, labels: null };
/** Enough decisions that the summary takes a while, so a main thread it blocked would show it. */
const BULK = 40_000;

/** What a response body holds: the service's result as JSON. */
const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('read worker on a database file', () => {
  let dir: string;
  let app: FastifyInstance;
  let lead: string;
  let moderator: string;
  let ids: Map<string, number>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'triage-read-worker-'));
    app = await buildTestApp({ dbPath: join(dir, 'triage.db'), now: () => NOW });
    ids = insertThreads(app, [
      makeThread({ title: 'First', comments: ['a', 'b', 'c', 'd'].map((externalId) => makeComment({ externalId })) }),
      makeThread({ title: 'Second', comments: ['e', 'f'].map((externalId) => makeComment({ externalId })) }),
    ]);
    writeScores(app, [
      [ids.get('a')!, { toxicity: 0.95, insult: 0.9 }],
      [ids.get('b')!, { toxicity: 0.85 }],
      [ids.get('c')!, { toxicity: 0.6 }],
      [ids.get('d')!, { toxicity: 0.2 }],
      [ids.get('e')!, { threat: 0.92 }],
      [ids.get('f')!, { toxicity: 0.4 }],
    ]);
    moderator = (await signIn(app, 'moderator', 'mo')).cookie;
    lead = (await signIn(app, 'lead', 'le')).cookie;
    for (const [id, action] of [['a', 'hide'], ['b', 'approve'], ['e', 'escalate'], ['f', 'hide']] as const) {
      const res = await app.inject({ method: 'POST', url: `/api/comments/${ids.get(id)}/decision`, headers: { cookie: moderator }, payload: { action } });
      expect(res.statusCode).toBe(200);
    }
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const services = () => {
    const { db, model } = app.triage;
    return createTriage({ db, now: () => NOW, model });
  };

  it('answers the analysis, what-if, shadow view and summary exactly as the in-thread services do', async () => {
    const { thresholds, reports } = services();
    const routes = [
      ['/api/thresholds/toxicity/analysis?candidate=0.5&targetPrecision=0.9', () => thresholds.analyse('toxicity', { candidate: 0.5, targetPrecision: 0.9 }), moderator],
      ['/api/thresholds/threat/analysis?targetRecall=1&bins=10&limit=1', () => thresholds.analyse('threat', { targetRecall: 1, bins: 10, listLimit: 1 }), moderator],
      ['/api/thresholds/toxicity/what-if?candidate=0.3&direction=entering', () => thresholds.whatIfPage('toxicity', 0.3, 'entering', 0, 50), moderator],
      ['/api/thresholds/shadow', () => thresholds.shadow(), moderator],
      ['/api/reports/summary?from=2000-01-01&to=2100-01-01', () => reports.summary({ ...EVERYTHING, from: Date.UTC(2000, 0, 1), to: Date.UTC(2100, 0, 2) }), lead],
    ] as const;
    for (const [url, inThread, cookie] of routes) {
      const res = await app.inject({ method: 'GET', url, headers: { cookie } });
      expect(res.statusCode, url).toBe(200);
      expect(res.json(), url).toEqual(asJson(inThread()));
    }

    const reads = createReadRunner(app.triage.db, readJobs({ thresholds, reports }), () => ({ model: app.triage.model(), now: NOW }));
    try {
      expect(reads.inWorker).toBe(true);
      expect(await reads.run('thresholds.shadow', {})).toEqual(thresholds.shadow());
      expect(await reads.run('reports.summary', { filter: EVERYTHING })).toEqual(reports.summary(EVERYTHING));
      for (const label of LABELS) {
        expect(await reads.run('thresholds.analyse', { label, opts: { candidate: 0.5 } })).toEqual(thresholds.analyse(label, { candidate: 0.5 }));
      }
    } finally {
      await reads.close();
    }
  });

  it('sees a write made on the main thread right after it commits', async () => {
    const url = '/api/thresholds/toxicity/analysis?candidate=0.5';
    const before = (await app.inject({ method: 'GET', url, headers: { cookie: moderator } })).json();
    const res = await app.inject({ method: 'POST', url: `/api/comments/${ids.get('c')}/decision`, headers: { cookie: moderator }, payload: { action: 'escalate' } });
    expect(res.statusCode).toBe(200);
    const after = (await app.inject({ method: 'GET', url, headers: { cookie: moderator } })).json();
    expect(after.counts.decided).toBe(before.counts.decided + 1);
    expect(after).toEqual(asJson(services().thresholds.analyse('toxicity', { candidate: 0.5 })));
  });

  it('keeps the main thread answering while a large summary is computed', async () => {
    const { db } = app.triage;
    const mod = (db.prepare("SELECT id FROM moderators WHERE username = 'mo'").get() as { id: number }).id;
    const thread = (db.prepare("SELECT id FROM threads WHERE title = 'First'").get() as { id: number }).id;
    db.transaction(() => {
      db.exec(`
        WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${BULK})
          INSERT INTO comments (thread_id, external_id, position, author, body, imported_at, status, flagged, max_score)
          SELECT ${thread}, 'bulk' || n, 1000 + n, 'someone', 'bulk ' || n, ${NOW} - n, 'hidden', 0, 0.5 FROM seq;
        INSERT INTO scores (comment_id, model, ${LABELS.join(', ')}, scored_at)
          SELECT id, '${TEST_MODEL}', ${LABELS.map(() => '(id % 97) / 97.0').join(', ')}, imported_at FROM comments WHERE external_id LIKE 'bulk%';
        INSERT INTO decisions (comment_id, moderator_id, action, status_before, status_after, threshold_version, model, decided_at)
          SELECT id, ${mod}, 'hide', 'pending', 'hidden', 1, '${TEST_MODEL}', imported_at + 1000 FROM comments WHERE external_id LIKE 'bulk%';
      `);
    })();
    const summaryUrl = '/api/reports/summary?from=2000-01-01&to=2100-01-01';
    // Start the worker first, so what follows measures the summary, not the thread's start.
    expect((await app.inject({ method: 'GET', url: summaryUrl, headers: { cookie: lead } })).statusCode).toBe(200);

    let ticks = 0;
    let summaryDone = false;
    const tick = () => {
      ticks++;
      if (!summaryDone) setImmediate(tick);
    };
    setImmediate(tick);
    const summary = app.inject({ method: 'GET', url: summaryUrl, headers: { cookie: lead } }).then((res) => {
      summaryDone = true;
      return res;
    });
    const queue = await app.inject({ method: 'GET', url: '/api/queue', headers: { cookie: moderator } });
    const queueAnsweredFirst = !summaryDone;
    const res = await summary;
    expect(queue.statusCode).toBe(200);
    expect(res.statusCode).toBe(200);
    expect(res.json().decisions.total).toBeGreaterThan(BULK);
    // On the main thread the summary would run in one synchronous stretch: no
    // turn of the event loop, and no other request, between its start and end.
    expect(queueAnsweredFirst).toBe(true);
    expect(ticks).toBeGreaterThan(1);
  });
});

describe('read runner on an in-memory database', () => {
  it('runs jobs in this thread, with the same results as the services', async () => {
    const app = await buildTestApp({ now: () => NOW });
    try {
      const reads: ReadRunner = app.triage.reads;
      expect(reads.inWorker).toBe(false);
      const { thresholds } = createTriage({ db: app.triage.db, now: () => NOW, model: app.triage.model });
      expect(await reads.run('thresholds.shadow', {})).toEqual(thresholds.shadow());
      await reads.close();
    } finally {
      await app.close();
    }
  });
});
