import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { LABELS, type LabelScores } from '../../server/scoring/labels.ts';
import type { ScoredText, Scorer } from '../../server/scoring/types.ts';
import { createTriage } from '../../server/triage.ts';
import { buildTestApp, insertThreads, makeComment, makeThread, signIn } from '../helpers/app.ts';

/**
 * A real, deterministic scorer: toxicity is 0.9 for texts containing
 * "nasty" under `nastyScore`, else 0.05. Two instances with different
 * versions stand for a model and its successor; each remembers the texts it
 * scored, in order.
 */
class WordScorer implements Scorer {
  readonly seen: string[] = [];
  constructor(
    readonly model: string,
    private readonly nastyScore: number,
  ) {}

  async scoreBatch(texts: string[]): Promise<ScoredText[]> {
    this.seen.push(...texts);
    return texts.map((text) => {
      const scores = Object.fromEntries(LABELS.map((l) => [l, l === 'toxicity' ? (text.includes('nasty') ? this.nastyScore : 0.05) : 0.01])) as LabelScores;
      return { scores, model: this.model };
    });
  }

  async dispose(): Promise<void> {}
}

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const row = (a: FastifyInstance, sql: string, ...params: unknown[]) => a.triage.db.prepare(sql).get(...params) as Record<string, number | string>;

async function scoredByOld(): Promise<{ app: FastifyInstance; ids: Map<string, number> }> {
  const a = await buildTestApp({ scoring: false });
  const ids = insertThreads(a, [
    makeThread({
      comments: [
        ...Array.from({ length: 20 }, (_, i) => makeComment({ externalId: `old${i}`, body: `an old comment ${i}` })),
        makeComment({ externalId: 'nasty', body: 'a nasty one' }),
        makeComment({ externalId: 'decided', body: 'another nasty one' }),
      ],
    }),
  ]);
  // The old model misses "nasty" (0.3, under the fixture's toxicity threshold).
  await createTriage({ db: a.triage.db, scorer: new WordScorer('words@1', 0.3) }).pipeline!.drain();
  return { app: a, ids };
}

describe('rescoring with a new model', () => {
  it('scores new comments before the rescoring backlog, so the queue is not held up', async () => {
    const old = await scoredByOld();
    app = old.app;
    const fresh = insertThreads(app, [makeThread({ comments: [makeComment({ externalId: 'fresh', body: 'a fresh nasty comment' })] })]);
    const next = new WordScorer('words@2', 0.9);
    const pipeline = createTriage({ db: app.triage.db, scorer: next, pipeline: { batchSize: 5 } }).pipeline!;
    const batches: number[] = [];
    await pipeline.drain((taken) => batches.push(taken));
    // The fresh comment has the highest id, yet it is in the first batch.
    expect(next.seen.slice(0, 5)).toContain('a fresh nasty comment');
    expect(batches.reduce((a, b) => a + b, 0)).toBe(23);
    expect(row(app, "SELECT count(*) AS n FROM scores WHERE model = 'words@2'").n).toBe(23);
    expect(row(app, 'SELECT background FROM scoring_jobs WHERE comment_id = ? AND model = ?', fresh.get('fresh'), 'words@2').background).toBe(0);
    expect(app.triage.stores.scoring.rescoreCounts('words@2')).toEqual({ total: 22, pending: 0, done: 22, failed: 0 });
  });

  it('re-flags from the new scores; decided comments keep their decisions; each comment scored once per model', async () => {
    const old = await scoredByOld();
    app = old.app;
    const { ids } = old;
    expect(row(app, 'SELECT flagged FROM comments WHERE id = ?', ids.get('nasty')).flagged).toBe(0);
    const { user } = await signIn(app, 'admin');
    app.triage.moderation.decide(ids.get('decided')!, { action: 'approve' }, user);

    const next = new WordScorer('words@2', 0.9);
    const triage = createTriage({ db: app.triage.db, scorer: next, pipeline: { batchSize: 4 } });
    await triage.pipeline!.drain();
    // The new model's scores flag the comment the old one missed, with the new model named on the flag.
    expect(row(app, 'SELECT flagged FROM comments WHERE id = ?', ids.get('nasty')).flagged).toBe(1);
    expect(row(app, "SELECT model FROM flags WHERE comment_id = ? AND label = 'toxicity'", ids.get('nasty')).model).toBe('words@2');
    // Approved stays approved: the new flag does not bring it back to the queue.
    expect(row(app, 'SELECT status FROM comments WHERE id = ?', ids.get('decided')).status).toBe('approved');
    expect(row(app, 'SELECT count(*) AS n FROM decisions WHERE comment_id = ?', ids.get('decided')).n).toBe(1);

    // Draining again (a restart, a second `npx triage rescore`) scores nothing.
    const seen = next.seen.length;
    await createTriage({ db: app.triage.db, scorer: next }).pipeline!.drain();
    expect(next.seen.length).toBe(seen);
    expect(seen).toBe(22);
    expect(app.triage.stores.scoring.scoredBy()).toEqual([
      { model: 'words@1', n: 22 },
      { model: 'words@2', n: 22 },
    ]);
  });

  it('GET /api/scoring/rescore shows progress and who scored what; POST is for admins and queues what is missing', async () => {
    const old = await scoredByOld();
    app = old.app;
    const next = new WordScorer('words@2', 0.9);
    const triage = createTriage({ db: app.triage.db, scorer: next, pipeline: { batchSize: 4 } });
    // The app under test runs without a scorer: its model in force is the newest stored one.
    const moderator = await signIn(app, 'moderator');
    const before = (await app.inject({ url: '/api/scoring/rescore', headers: { cookie: moderator.cookie } })).json();
    expect(before).toMatchObject({ model: 'words@1', scoring: false, scoredBy: [{ model: 'words@1', comments: 22 }] });
    expect((await app.inject({ method: 'POST', url: '/api/scoring/rescore', headers: { cookie: moderator.cookie } })).statusCode).toBe(403);

    await triage.pipeline!.drain();
    const admin = await signIn(app, 'admin');
    const res = await app.inject({ method: 'POST', url: '/api/scoring/rescore', headers: { cookie: admin.cookie } });
    expect(res.statusCode).toBe(202);
    expect(res.json().status.scoredBy).toEqual([
      { model: 'words@1', comments: 22 },
      { model: 'words@2', comments: 22 },
    ]);
  });
});
