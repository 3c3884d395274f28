/**
 * Authors: watch, trust and ban as reasons a comment is (or is not) in the
 * queue; a ban hides new comments on arrival by a rule; expiry, undo, the
 * repeat-offender rule and the author page. Real routes, a real API key.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { BuildAppOptions } from '../../server/app.ts';
import { standingFrom } from '../../server/authors/service.ts';
import { buildTestApp, signIn, writeScores } from '../helpers/app.ts';

let app: FastifyInstance;
let key: string;
let t = 1_800_000_000_000;
let mod: string;
let lead: string;
afterEach(() => app?.close());

async function start(options: BuildAppOptions = {}) {
  t = 1_800_000_000_000;
  app = await buildTestApp({ now: () => t, ...options });
  key = app.triage.integrations.createKey({ name: 'News', source: 'news' }, null).key;
  mod = (await signIn(app, 'moderator', 'mod1')).cookie;
  lead = (await signIn(app, 'lead', 'lead1')).cookie;
}

async function post(id: string, author: string, text = `comment ${id}`) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/comments',
    headers: { authorization: `Bearer ${key}` },
    payload: { comments: [{ id, thread: { id: 'a1', title: 'Article' }, author: { id: author, name: author.toUpperCase() }, text }] },
  });
  return res.json().results[0].triageId as number;
}

const act = (cookie: string, body: Record<string, unknown>) => app.inject({ method: 'POST', url: '/api/authors/actions', headers: { cookie }, payload: { source: 'news', ...body } });
const row = (id: number) => app.triage.db.prepare('SELECT status, flagged FROM comments WHERE id = ?').get(id) as { status: string; flagged: number };
const queueIds = async () => ((await app.inject({ url: '/api/queue', headers: { cookie: mod } })).json().items as { id: number }[]).map((c) => c.id);

describe('standing from actions', () => {
  it('the newest standing action of each kind decides, until it expires or is undone', () => {
    const a = (action: string, expires_at: number | null = null, undone_by_id: number | null = null) => ({ action, expires_at, undone_by_id }) as never;
    expect(standingFrom([a('watch')], 0).watchedUntil).toBe(8.64e15);
    expect(standingFrom([a('unwatch'), a('watch')], 0).watchedUntil).toBeNull();
    expect(standingFrom([a('watch', 100)], 50).watchedUntil).toBe(100);
    expect(standingFrom([a('watch', 100)], 100).watchedUntil).toBeNull();
    expect(standingFrom([a('ban', null, 9), a('trust')], 0)).toEqual({ watchedUntil: null, trustedUntil: 8.64e15, bannedUntil: null });
  });
});

describe('actions on authors', () => {
  it('watch: each of their comments enters the queue whatever its scores, until unwatched', async () => {
    await start();
    const c1 = await post('c1', 'u1');
    writeScores(app, [[c1, { insult: 0.1 }]]);
    expect(row(c1).flagged).toBe(0);
    const res = await act(mod, { key: 'u1', action: 'watch', reason: 'three warnings this week' });
    expect(res.statusCode, res.body).toBe(200);
    expect(row(c1).flagged).toBe(1);
    const c2 = await post('c2', 'u1');
    writeScores(app, [[c2, { insult: 0.05 }]]);
    expect(await queueIds()).toEqual(expect.arrayContaining([c1, c2]));
    const watched = app.triage.db.prepare("SELECT source, payload FROM events WHERE type = 'author.watched'").get() as { source: string; payload: string };
    expect(watched.source).toBe('news');
    expect(JSON.parse(watched.payload)).toMatchObject({ author: { key: 'u1', id: 'u1' }, action: { action: 'watch', reason: 'three warnings this week' }, moderator: { username: 'mod1' } });
    await act(mod, { key: 'u1', action: 'unwatch', reason: 'calmed down' });
    expect(await queueIds()).toEqual([]);
  });

  it('trust: their comments enter the queue only at or above the trusted bar; trusting needs a lead', async () => {
    await start({ authors: { trustedBar: 0.95 } });
    expect((await act(mod, { key: 'u2', action: 'trust', reason: 'x' })).statusCode).toBe(403);
    const c1 = await post('c1', 'u2');
    const c2 = await post('c2', 'u2');
    expect((await act(lead, { key: 'u2', action: 'trust', reason: 'long-time regular' })).statusCode).toBe(200);
    writeScores(app, [
      [c1, { insult: 0.9 }],
      [c2, { insult: 0.97 }],
    ]);
    expect(await queueIds()).toEqual([c2]);
  });

  it('ban: their new comments are hidden on arrival by the rule, listed for review, and a moderator can reverse one', async () => {
    await start();
    await post('c0', 'troll');
    expect((await act(lead, { key: 'troll', action: 'ban', reason: 'threats' })).statusCode).toBe(200);
    const c1 = await post('c1', 'troll', 'I know where you live');
    expect(row(c1).status).toBe('hidden');
    const [decision] = app.triage.stores.moderation.listDecisions(c1);
    expect(decision).toMatchObject({ action: 'hide', username: 'triage-rules', rule: 'banned author' });
    const list = (await app.inject({ url: '/api/hidden-by-rule', headers: { cookie: mod } })).json().items;
    expect(list.map((i: { comment: { id: number }; decision: { rule: string } }) => [i.comment.id, i.decision.rule])).toEqual([[c1, 'banned author']]);
    // The site hears of it like any decision.
    const decided = app.triage.db.prepare("SELECT payload FROM events WHERE type = 'comment.decided'").get() as { payload: string };
    expect(JSON.parse(decided.payload).decision).toMatchObject({ status: 'hidden', rule: 'banned author' });
    // Reversed: approved by a moderator, off the list.
    expect((await app.inject({ method: 'POST', url: `/api/comments/${c1}/decision`, headers: { cookie: mod }, payload: { action: 'approve' } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/hidden-by-rule', headers: { cookie: mod } })).json().items).toEqual([]);
    // The rules account cannot sign in.
    expect((await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'triage-rules', password: '!' } })).statusCode).toBe(401);
  });

  it('a standing with an expiry lapses by itself; an undo is a new action, sent as its opposite', async () => {
    await start();
    const c1 = await post('c1', 'u3');
    writeScores(app, [[c1, { insult: 0.1 }]]);
    const watch = (await act(mod, { key: 'u3', action: 'watch', reason: 'for a day', expiresAt: t + 86_400_000 })).json().action;
    expect(row(c1).flagged).toBe(1);
    t += 86_400_001;
    app.triage.authors.expire();
    expect(row(c1).flagged).toBe(0);
    const ban = (await act(lead, { key: 'u3', action: 'ban', reason: 'spam' })).json().action;
    const undone = await app.inject({ method: 'POST', url: `/api/authors/actions/${ban.id}/undo`, headers: { cookie: lead } });
    expect(undone.json().action).toMatchObject({ action: 'undo', undoesId: ban.id });
    const c2 = await post('c2', 'u3');
    expect(row(c2).status).toBe('pending');
    const types = (app.triage.db.prepare("SELECT type FROM events WHERE type LIKE 'author.%' ORDER BY id").all() as { type: string }[]).map((r) => r.type);
    expect(types).toEqual(['author.watched', 'author.banned', 'author.unbanned']);
    expect(watch.expiresAt).toBe(1_800_000_000_000 + 86_400_000);
    expect((await app.inject({ method: 'POST', url: `/api/authors/actions/${ban.id}/undo`, headers: { cookie: lead } })).statusCode).toBe(409);
  });

  it('the repeat-offender rule, when on, watches an author with N hidden comments in D days', async () => {
    await start({ authors: { repeatOffender: { hidden: 2, days: 30 } } });
    const [c1, c2] = [await post('c1', 'u4'), await post('c2', 'u4')];
    for (const id of [c1, c2]) await app.inject({ method: 'POST', url: `/api/comments/${id}/decision`, headers: { cookie: mod }, payload: { action: 'hide' } });
    app.triage.authors.checkRepeats();
    const page = (await app.inject({ url: '/api/authors?source=news&key=u4', headers: { cookie: mod } })).json();
    expect(page.standing.watchedUntil).not.toBeNull();
    expect(page.log[0]).toMatchObject({ kind: 'author', action: 'watch', rule: 'repeat offender', by: null });
  });
});

describe('the author page', () => {
  it('shows their comments across threads, their hidden rate, reports, notes and one log', async () => {
    await start();
    const c1 = await post('c1', 'u5');
    await app.inject({
      method: 'POST',
      url: '/api/v1/comments',
      headers: { authorization: `Bearer ${key}` },
      payload: { comments: [{ id: 'c2', thread: { id: 'a2', title: 'Other' }, author: { id: 'u5', name: 'U5' }, text: 'elsewhere' }] },
    });
    await app.inject({ method: 'POST', url: '/api/v1/reports', headers: { authorization: `Bearer ${key}` }, payload: { commentId: 'c1', reason: 'spam', reporterId: 'r1' } });
    await app.inject({ method: 'POST', url: `/api/comments/${c1}/decision`, headers: { cookie: mod }, payload: { action: 'hide' } });
    await act(mod, { key: 'u5', action: 'note', reason: 'posts the same link everywhere' });
    const res = await app.inject({ url: '/api/authors?source=news&key=u5', headers: { cookie: mod } });
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json();
    expect(page.author).toMatchObject({ source: 'news', key: 'u5', id: 'u5', name: 'U5' });
    expect(page.stats).toEqual({ comments: 2, hidden: 1, hiddenRate: 0.5, inQueue: 0, reports: 1 });
    expect(page.comments.map((c: { externalId: string; authorKey: string }) => [c.externalId, c.authorKey])).toEqual([
      ['c2', 'u5'],
      ['c1', 'u5'],
    ]);
    expect(page.notes.map((n: { reason: string }) => n.reason)).toEqual(['posts the same link everywhere']);
    expect(page.log.map((e: { kind: string; action: string }) => `${e.kind}:${e.action}`)).toEqual(['author:note', 'decision:hide']);
    expect((await app.inject({ url: '/api/authors?source=news&key=nobody', headers: { cookie: mod } })).statusCode).toBe(404);
  });
});
