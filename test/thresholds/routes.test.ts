import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, insertThreads, makeComment, makeThread, signIn, writeScores } from '../helpers/app.ts';

describe('threshold routes', () => {
  let app: FastifyInstance;
  let ids: Map<string, number>;

  beforeEach(async () => {
    app = await buildTestApp();
    ids = insertThreads(app, [
      makeThread({ comments: [makeComment({ externalId: 'hi' }), makeComment({ externalId: 'mid' }), makeComment({ externalId: 'lo' })] }),
    ]);
    writeScores(app, [
      [ids.get('hi')!, { toxicity: 0.95 }],
      [ids.get('mid')!, { toxicity: 0.7 }],
      [ids.get('lo')!, { toxicity: 0.3 }],
    ]);
  });
  afterEach(() => app.close());

  it('lets only admins change thresholds', async () => {
    for (const role of ['moderator', 'lead'] as const) {
      const { cookie } = await signIn(app, role);
      const res = await app.inject({ method: 'PUT', url: '/api/thresholds', headers: { cookie }, payload: { thresholds: { toxicity: 0.5 } } });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ error: 'FORBIDDEN', message: 'This needs the admin role' });
    }
    const anonymous = await app.inject({ method: 'PUT', url: '/api/thresholds', payload: { thresholds: { toxicity: 0.5 } } });
    expect(anonymous.statusCode).toBe(401);
    const { cookie } = await signIn(app, 'moderator');
    const current = await app.inject({ method: 'GET', url: '/api/thresholds', headers: { cookie } });
    expect(current.json().version).toMatchObject({ id: 1, values: { toxicity: 0.8 } });
  });

  it('takes back what it gives: GET, change one value, PUT; a PUT based on an older version is refused', async () => {
    const { cookie } = await signIn(app, 'admin');
    const read = (await app.inject({ method: 'GET', url: '/api/thresholds', headers: { cookie } })).json();
    expect(read.thresholds).toEqual(read.version.values);
    const put = await app.inject({
      method: 'PUT',
      url: '/api/thresholds',
      headers: { cookie },
      payload: { ...read, thresholds: { ...read.thresholds, toxicity: 0.6 } },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json().changes).toEqual([{ label: 'toxicity', old: 0.8, new: 0.6 }]);
    const again = (await app.inject({ method: 'GET', url: '/api/thresholds', headers: { cookie } })).json();
    expect(again).toEqual({ version: put.json().version, thresholds: { ...read.thresholds, toxicity: 0.6 } });

    // A second admin who read version 1 would silently undo the change above: refused, with the version to read.
    const stale = await app.inject({
      method: 'PUT',
      url: '/api/thresholds',
      headers: { cookie },
      payload: { ...read, thresholds: { ...read.thresholds, insult: 0.5 } },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toEqual({ error: 'CONFLICT', message: 'the thresholds changed since version 1 was read (now version 2); read them again' });
    expect((await app.inject({ method: 'GET', url: '/api/thresholds', headers: { cookie } })).json()).toEqual(again);
  });

  it('saves a version, re-evaluates the queue and records it in the history', async () => {
    const { cookie, user } = await signIn(app, 'admin', 'root');
    const queue = async () =>
      (await app.inject({ method: 'GET', url: '/api/queue', headers: { cookie } })).json().items.map((c: { id: number }) => c.id);
    expect(await queue()).toEqual([ids.get('hi')]);

    const res = await app.inject({ method: 'PUT', url: '/api/thresholds', headers: { cookie }, payload: { thresholds: { toxicity: 0.6 }, reason: 'catch more' } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.version).toMatchObject({ id: 2, moderatorId: user.id, reason: 'catch more', values: { toxicity: 0.6, insult: 0.8 } });
    expect(body.changes).toEqual([{ label: 'toxicity', old: 0.8, new: 0.6 }]);
    expect(body.reevaluation).toMatchObject({ flagsRaised: 1, queueEntered: 1, queueLeft: 0 });
    expect(typeof body.ms).toBe('number');
    expect(await queue()).toEqual([ids.get('hi'), ids.get('mid')]);

    const history = (await app.inject({ method: 'GET', url: '/api/thresholds/history', headers: { cookie } })).json();
    expect(history.versions.at(-1)).toMatchObject({ id: 2, moderator: 'root', reason: 'catch more', changes: [{ label: 'toxicity', old: 0.8, new: 0.6 }] });
  });

  it('rejects unknown labels, out-of-range values and unknown fields with a 400 naming the field', async () => {
    const { cookie } = await signIn(app, 'admin');
    const put = (payload: unknown) => app.inject({ method: 'PUT', url: '/api/thresholds', headers: { cookie }, payload: payload as object });
    const unknown = await put({ thresholds: { rudeness: 0.5 } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toContain('rudeness');
    const range = await put({ thresholds: { toxicity: 2 } });
    expect(range.statusCode).toBe(400);
    expect(range.json().message).toContain('toxicity');
    const extra = await put({ thresholds: { toxicity: 0.5 }, why: 'x' });
    expect(extra.json().message).toContain('why');
    const same = await put({ thresholds: { toxicity: 0.8 } });
    expect(same.statusCode).toBe(409);
  });

  it('answers the analysis with a what-if for the candidate, and pages the list', async () => {
    const { cookie } = await signIn(app, 'moderator');
    const res = await app.inject({ method: 'GET', url: '/api/thresholds/toxicity/analysis?candidate=0.25&targetRecall=0.5', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    const a = res.json();
    expect(a).toMatchObject({ label: 'toxicity', current: 0.8, candidate: 0.25, counts: { scored: 3, decided: 0 } });
    expect(a.whatIf.entering.count).toBe(2);
    expect(a.whatIf.entering.items.map((c: { id: number }) => c.id)).toEqual([ids.get('mid'), ids.get('lo')]);
    expect(a.atCandidate.sample.trusted).toBe(false);
    expect(a.suggestion).toMatchObject({ threshold: null, target: { metric: 'recall', value: 0.5 } });

    const page = await app.inject({ method: 'GET', url: '/api/thresholds/toxicity/what-if?candidate=0.25&direction=entering&offset=1&limit=1', headers: { cookie } });
    expect(page.json()).toMatchObject({ count: 2, items: [{ id: ids.get('lo') }] });
    const off = await app.inject({ method: 'GET', url: '/api/thresholds/toxicity/what-if?candidate=off&direction=leaving', headers: { cookie } });
    expect(off.json()).toMatchObject({ count: 1, items: [{ id: ids.get('hi') }] });

    const bad = await app.inject({ method: 'GET', url: '/api/thresholds/rudeness/analysis', headers: { cookie } });
    expect(bad.statusCode).toBe(400);
    const badCandidate = await app.inject({ method: 'GET', url: '/api/thresholds/toxicity/analysis?candidate=2', headers: { cookie } });
    expect(badCandidate.statusCode).toBe(400);
  });

  it('answers the shadow view', async () => {
    const { cookie } = await signIn(app, 'moderator', 'mo');
    await app.inject({ method: 'POST', url: `/api/comments/${ids.get('hi')}/decision`, headers: { cookie }, payload: { action: 'hide' } });
    await app.inject({ method: 'POST', url: `/api/comments/${ids.get('mid')}/decision`, headers: { cookie }, payload: { action: 'hide' } });
    const v = (await app.inject({ method: 'GET', url: '/api/thresholds/shadow', headers: { cookie } })).json();
    expect(v.overall).toMatchObject({ n: 2, agree: 1, moderatorOnly: 1 });
    expect(v.perModerator).toEqual([{ moderator: 'mo', n: 2, agree: 1, share: 0.5, modelOnly: 0, moderatorOnly: 1 }]);
  });
});
