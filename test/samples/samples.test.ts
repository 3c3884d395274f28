import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MissedSample, SampleWithItems } from '../../server/wire.ts';
import { buildTestApp, insertThreads, makeComment, makeThread, signIn, writeScores } from '../helpers/app.ts';

let app: FastifyInstance;

beforeEach(async () => {
  app = await buildTestApp();
});
afterEach(async () => {
  await app.close();
});

/** 30 comments: 10 flagged, 5 approved, 5 hidden, 1 deleted on the site; 14 pending unflagged and 5 approved unflagged are eligible. */
function seed(): number[] {
  const ids = insertThreads(app, [makeThread({ comments: Array.from({ length: 30 }, (_, i) => makeComment({ externalId: `s${i}` })) })]);
  const all = [...ids.values()].sort((a, b) => a - b);
  writeScores(app, all.slice(0, 10).map((id) => [id, { toxicity: 0.95 }]));
  const db = app.triage.db;
  for (const id of all.slice(10, 15)) db.prepare("UPDATE comments SET status = 'approved' WHERE id = ?").run(id);
  for (const id of all.slice(15, 20)) db.prepare("UPDATE comments SET status = 'hidden' WHERE id = ?").run(id);
  db.prepare('UPDATE comments SET deleted_at = 1 WHERE id = ?').run(all[20]);
  return all.slice(10, 15).concat(all.slice(21));
}

describe('missed-abuse samples', () => {
  it('draws a seeded sample of unflagged, undecided or approved comments; leads and admins only', async () => {
    const eligible = seed();
    const moderator = await signIn(app, 'moderator');
    const lead = await signIn(app, 'lead');
    const refused = await app.inject({ method: 'POST', url: '/api/samples', headers: { cookie: moderator.cookie }, payload: { size: 5 } });
    expect(refused.statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/samples' })).statusCode).toBe(401);

    const res = await app.inject({ method: 'POST', url: '/api/samples', headers: { cookie: lead.cookie }, payload: { size: 8, seed: 12345 } });
    expect(res.statusCode, res.body).toBe(200);
    const sample = res.json<{ sample: MissedSample }>().sample;
    expect(sample).toMatchObject({ size: 8, requested: 8, seed: 12345, population: eligible.length, decided: 0, estimate: null, createdBy: lead.user.username });

    const detail = (await app.inject({ method: 'GET', url: `/api/samples/${sample.id}`, headers: { cookie: moderator.cookie } })).json<SampleWithItems>();
    expect(detail.items).toHaveLength(8);
    for (const item of detail.items) {
      expect(eligible).toContain(item.id);
      expect(item.flagged).toBe(false);
      expect(item.verdict).toBeNull();
    }
    // The same seed over the same comments draws the same comments.
    const again = (await app.inject({ method: 'POST', url: '/api/samples', headers: { cookie: lead.cookie }, payload: { size: 8, seed: 12345 } })).json<{ sample: MissedSample }>();
    const againItems = (await app.inject({ method: 'GET', url: `/api/samples/${again.sample.id}`, headers: { cookie: lead.cookie } })).json<SampleWithItems>();
    expect(againItems.items.map((i) => i.id)).toEqual(detail.items.map((i) => i.id));
    const list = (await app.inject({ method: 'GET', url: '/api/samples', headers: { cookie: moderator.cookie } })).json<{ samples: MissedSample[] }>();
    expect(list.samples.map((s) => s.id)).toEqual([again.sample.id, sample.id]);

    // Asking for more than there are draws them all.
    const big = (await app.inject({ method: 'POST', url: '/api/samples', headers: { cookie: lead.cookie }, payload: { size: 1000 } })).json<{ sample: MissedSample }>();
    expect(big.sample.size).toBe(eligible.length);
    expect((await app.inject({ method: 'POST', url: '/api/samples', headers: { cookie: lead.cookie }, payload: { size: 0 } })).statusCode).toBe(400);
  });

  it('records decisions, applies them to the comments, and estimates the missed share with a Wilson interval; it survives a reload', async () => {
    seed();
    const lead = await signIn(app, 'lead');
    const moderator = await signIn(app, 'moderator');
    const { sample } = (await app.inject({ method: 'POST', url: '/api/samples', headers: { cookie: lead.cookie }, payload: { size: 10, seed: 1 } })).json<{ sample: MissedSample }>();
    const { items } = (await app.inject({ method: 'GET', url: `/api/samples/${sample.id}`, headers: { cookie: lead.cookie } })).json<SampleWithItems>();
    const actions = ['hide', 'escalate', 'approve', 'approve'] as const;
    for (const [i, action] of actions.entries()) {
      const res = await app.inject({ method: 'POST', url: `/api/samples/${sample.id}/decisions`, headers: { cookie: moderator.cookie }, payload: { commentId: items[i].id, action } });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<{ item: { verdict: string; status: string } }>().item).toMatchObject({ verdict: action, status: { hide: 'hidden', escalate: 'escalated', approve: 'approved' }[action] });
    }
    const after = (await app.inject({ method: 'GET', url: `/api/samples/${sample.id}`, headers: { cookie: lead.cookie } })).json<SampleWithItems>();
    expect(after.sample).toMatchObject({ decided: 4, hidden: 1, escalated: 1, approved: 2 });
    const e = after.sample.estimate!;
    expect(e.share).toBe(0.5);
    expect(e.low).toBeCloseTo(0.15, 2);
    expect(e.high).toBeCloseTo(0.85, 2);
    expect(e.count).toBe(Math.round(0.5 * sample.population));
    // The hide is a real decision in the comment's history.
    const context = (await app.inject({ method: 'GET', url: `/api/comments/${items[0].id}`, headers: { cookie: lead.cookie } })).json<{ history: { action: string }[] }>();
    expect(context.history.map((d) => d.action)).toEqual(['hide']);
    // Hiding an escalated comment needs a lead, as in the queue; nothing is recorded.
    const refused = await app.inject({ method: 'POST', url: `/api/samples/${sample.id}/decisions`, headers: { cookie: moderator.cookie }, payload: { commentId: items[1].id, action: 'hide' } });
    expect(refused.statusCode).toBe(403);
    // A comment not in the sample.
    const outside = await app.inject({ method: 'POST', url: `/api/samples/${sample.id}/decisions`, headers: { cookie: moderator.cookie }, payload: { commentId: 999999, action: 'hide' } });
    expect(outside.statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/samples/999', headers: { cookie: lead.cookie } })).statusCode).toBe(404);
  });
});
