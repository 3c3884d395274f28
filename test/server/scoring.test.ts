import type { FastifyInstance } from 'fastify';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { openDatabase, type Db } from '../../server/db/open.ts';
import { flagsFor } from '../../server/flagging/rules.ts';
import { parseImport } from '../../server/ingest/parse.ts';
import { createScorer, type Scorer } from '../../server/scoring/index.ts';
import { LABELS } from '../../server/scoring/labels.ts';
import { createTriage } from '../../server/triage.ts';
import { buildTestApp, signIn } from '../helpers/app.ts';

// The real local model in its worker thread, loaded once for the file.
let scorer: Scorer;
beforeAll(async () => {
  scorer = await createScorer({ model: 'local' });
});
afterAll(() => scorer.dispose());

const BLOG = readFileSync('seeds/000_f1b2f21fdc22b40c.txt', 'utf8');
const NEWS = readFileSync('seeds/004_f0a9f0132b37af5b.txt', 'utf8');

let dir: string | undefined;
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const n = (db: Db, sql: string) => (db.prepare(sql).get() as { n: number }).n;

describe('scoring pipeline', () => {
  it('scores imported comments in the background: jobs done, scores, flags and max_score written', async () => {
    app = await buildTestApp({ scoring: { scorer } });
    await app.ready();
    const { cookie } = await signIn(app);
    const res = await app.inject({ method: 'POST', url: '/api/import', headers: { cookie, 'content-type': 'text/plain' }, payload: BLOG });
    expect(res.json().import.commentsNew).toBe(79);
    await app.triage.pipeline!.idle();
    const db = app.triage.db;
    expect(app.triage.stores.scoring.counts(scorer.model)).toEqual({ total: 79, pending: 0, done: 79, failed: 0 });
    expect(n(db, `SELECT count(*) AS n FROM scores WHERE model = '${scorer.model}'`)).toBe(79);
    // Every stored flag is what flagsFor says for the stored scores and the thresholds in force.
    const thresholds = app.triage.thresholds.current();
    for (const row of db.prepare('SELECT * FROM scores').all() as Record<string, number | null>[]) {
      const scores = Object.fromEntries(LABELS.map((l) => [l, row[l]])) as Record<(typeof LABELS)[number], number | null>;
      const expected = flagsFor(scores, thresholds.values).map((f) => f.label).sort();
      const stored = (db.prepare('SELECT label, threshold_version, model FROM flags WHERE comment_id = ?').all(row.comment_id) as { label: string; threshold_version: number; model: string }[]);
      expect(stored.map((f) => f.label).sort()).toEqual(expected);
      for (const f of stored) expect(f).toMatchObject({ threshold_version: thresholds.id, model: scorer.model });
      const comment = db.prepare('SELECT flagged, max_score FROM comments WHERE id = ?').get(row.comment_id) as { flagged: number; max_score: number };
      expect(comment.flagged).toBe(expected.length > 0 ? 1 : 0);
      expect(comment.max_score).toBe(Math.max(...LABELS.map((l) => scores[l] ?? -1)));
    }
    // The trigger-kept counts match a real count after the pipeline flagged comments.
    expect(db.prepare('SELECT status, flagged, n FROM comment_counts WHERE n > 0 ORDER BY status, flagged').all()).toEqual(
      db.prepare('SELECT status, flagged, count(*) AS n FROM comments GROUP BY status, flagged ORDER BY status, flagged').all(),
    );
    const health = (await app.inject({ url: '/api/health' })).json();
    expect(health).toMatchObject({ ok: true, model: scorer.model });
    const stats = (await app.inject({ url: '/api/stats', headers: { cookie } })).json();
    expect(stats.scoring).toEqual({ model: scorer.model, total: 79, pending: 0, done: 79, failed: 0 });
  });

  it('stopped mid-run, resumes on restart and scores each comment exactly once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'triage-scoring-'));
    const dbPath = join(dir, 'triage.db');
    const db = openDatabase(dbPath);
    let batches = 0;
    const triage = createTriage({
      db,
      scorer,
      pipeline: {
        batchSize: 10,
        onBatch: () => {
          if (++batches === 3) void first.stop();
        },
      },
    });
    const { ingest, stores: { scoring: store } } = triage;
    const first = triage.pipeline!;
    ingest.importParsed(parseImport(BLOG), { moderatorId: null, source: 'test' });
    ingest.importParsed(parseImport(NEWS), { moderatorId: null, source: 'test' });
    first.start();
    await first.idle();
    await first.stop();
    expect(store.counts(scorer.model)).toEqual({ total: 82, pending: 52, done: 30, failed: 0 });
    db.close();

    // A new server on the same file picks up where the first stopped.
    app = await buildApp({ dbPath, scoring: { scorer }, webDist: false });
    await app.ready();
    await app.triage.pipeline!.idle();
    const db2 = app.triage.db;
    expect(app.triage.stores.scoring.counts(scorer.model)).toEqual({ total: 82, pending: 0, done: 82, failed: 0 });
    expect(n(db2, 'SELECT count(*) AS n FROM scores')).toBe(82);
    expect(n(db2, 'SELECT count(*) AS n FROM (SELECT comment_id FROM scores GROUP BY comment_id HAVING count(*) > 1)')).toBe(0);
  });

  it('queues comments that lack a score of the current model when it starts', async () => {
    app = await buildTestApp({ scoring: false, seed: true });
    const db = app.triage.db;
    expect(n(db, 'SELECT count(*) AS n FROM scoring_jobs')).toBe(0);
    const comments = n(db, 'SELECT count(*) AS n FROM comments');
    const pipeline = createTriage({ db, scorer }).pipeline!;
    await pipeline.drain();
    expect(app.triage.stores.scoring.counts(scorer.model)).toEqual({ total: comments, pending: 0, done: comments, failed: 0 });
  });

  it('marks jobs failed after the allowed attempts when the scorer cannot score, and keeps them listed', async () => {
    // A second real scorer, disposed: its worker is gone, so every call fails.
    const gone = await createScorer({ model: 'local' });
    await gone.dispose();
    app = await buildTestApp({ scoring: false });
    const { ingest, pipeline: gonePipeline, stores: { scoring: store } } = createTriage({ db: app.triage.db, scorer: gone, pipeline: { maxAttempts: 2 } });
    ingest.importParsed(parseImport(NEWS), { moderatorId: null, source: 'test' });
    const pipeline = gonePipeline!;
    await pipeline.drain();
    expect(store.counts(gone.model)).toEqual({ total: 3, pending: 0, done: 0, failed: 3 });
    const failed = store.listFailed(gone.model);
    expect(failed).toHaveLength(3);
    expect(failed[0].attempts).toBe(2);
    expect(failed[0].error).toBeTruthy();
    expect(n(app.triage.db, 'SELECT count(*) AS n FROM scores')).toBe(0);
  });
});
