import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, insertThreads, makeComment, makeThread, signIn, writeScores } from '../helpers/app.ts';

let app: FastifyInstance;
let mod: { cookie: string };
beforeEach(async () => {
  app = await buildTestApp();
  mod = await signIn(app, 'moderator');
});
afterEach(() => app.close());

const get = (url: string, cookie = mod.cookie) => app.inject({ url, headers: { cookie } });
const post = (url: string, payload: object | undefined, cookie = mod.cookie) =>
  app.inject({ method: 'POST', url, headers: { cookie }, ...(payload ? { payload } : {}) });

/** Two threads; in thread A a chain root -> reply -> deep, plus siblings; scores make some flagged. */
function fixture() {
  const root = makeComment({ body: 'root' });
  const reply = makeComment({ parentExternalId: root.externalId, body: 'reply' });
  const deep = makeComment({ parentExternalId: reply.externalId, body: 'deep' });
  const sib1 = makeComment({ parentExternalId: root.externalId, body: 'sibling one' });
  const sib2 = makeComment({ parentExternalId: root.externalId, body: 'sibling two' });
  const other = makeComment({ body: 'other root' });
  const b1 = makeComment({ body: 'thread b' });
  const ids = insertThreads(app, [
    makeThread({ title: 'Thread A', comments: [root, reply, deep, sib1, sib2, other] }),
    makeThread({ title: 'Thread B', comments: [b1] }),
  ]);
  const id = (c: { externalId: string }) => ids.get(c.externalId)!;
  writeScores(app, [
    [id(root), { toxicity: 0.2 }],
    [id(reply), { insult: 0.91, toxicity: 0.85 }],
    [id(deep), { threat: 0.97 }],
    [id(sib1), { toxicity: 0.82 }],
    [id(sib2), { obscene: 0.88 }],
    [id(other), {}],
    [id(b1), { insult: 0.99 }],
  ]);
  return { root: id(root), reply: id(reply), deep: id(deep), sib1: id(sib1), sib2: id(sib2), other: id(other), b1: id(b1) };
}

describe('GET /api/queue', () => {
  it('lists flagged pending comments by score, highest first, with flags and thread title', async () => {
    const c = fixture();
    const res = await get('/api/queue');
    expect(res.statusCode).toBe(200);
    const { items, nextCursor } = res.json();
    expect(items.map((i: { id: number }) => i.id)).toEqual([c.b1, c.deep, c.reply, c.sib2, c.sib1]);
    expect(nextCursor).toBeNull();
    const reply = items[2];
    expect(reply).toMatchObject({ threadTitle: 'Thread A', flagged: true, status: 'pending', depth: 1, replyCount: 1, model: 'test-fixture@1' });
    expect(reply.flags.map((f: { label: string }) => f.label)).toEqual(['insult', 'toxicity']);
    expect(reply.flags[0]).toEqual({ label: 'insult', score: 0.91, threshold: 0.8, thresholdVersion: 1 });
  });

  it('filters by label, thread and score range', async () => {
    const c = fixture();
    const ids = async (q: string) => (await get(`/api/queue?${q}`)).json().items.map((i: { id: number }) => i.id);
    expect(await ids('label=insult')).toEqual([c.b1, c.reply]);
    expect(await ids('thread=2')).toEqual([c.b1]);
    expect(await ids('minScore=0.85&maxScore=0.95')).toEqual([c.reply, c.sib2]);
    expect(await ids('label=toxicity&sort=oldest')).toEqual([c.reply, c.sib1]);
    const bad = await get('/api/queue?minScore=0.9&maxScore=0.1');
    expect(bad.json()).toEqual({ error: 'VALIDATION', message: 'querystring/minScore must not be above maxScore' });
  });

  it('sorts by newest, oldest and thread', async () => {
    const c = fixture();
    const ids = async (q: string) => (await get(`/api/queue?${q}`)).json().items.map((i: { id: number }) => i.id);
    expect(await ids('sort=oldest')).toEqual([c.reply, c.deep, c.sib1, c.sib2, c.b1]);
    expect(await ids('sort=newest')).toEqual([c.b1, c.sib2, c.sib1, c.deep, c.reply]);
    expect(await ids('sort=thread')).toEqual([c.reply, c.deep, c.sib1, c.sib2, c.b1]);
  });

  it('pages with an opaque cursor through every item exactly once, in every sort', async () => {
    const comments = Array.from({ length: 23 }, () => makeComment());
    const ids = insertThreads(app, [makeThread({ comments: comments.slice(0, 10) }), makeThread({ comments: comments.slice(10) })]);
    // Ties on purpose: keyset pagination must still not skip or repeat.
    writeScores(app, comments.map((c, i) => [ids.get(c.externalId)!, { toxicity: 0.8 + (i % 4) * 0.05 }]));
    for (const sort of ['score', 'newest', 'oldest', 'thread', 'reports']) {
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await get(`/api/queue?sort=${sort}&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
        const body = res.json() as { items: { id: number; max_score?: number }[]; nextCursor: string | null };
        seen.push(...body.items.map((i) => i.id));
        cursor = body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(seen, sort).toHaveLength(23);
      expect(new Set(seen).size, sort).toBe(23);
    }
    const wrong = await get(`/api/queue?sort=newest&cursor=${(await get('/api/queue?limit=5')).json().nextCursor}`);
    expect(wrong.statusCode).toBe(400);
    expect((await get('/api/queue?cursor=garbage')).statusCode).toBe(400);
  });

  it('lists decided comments by status, scored or not', async () => {
    const c = fixture();
    const [unscored] = [makeComment({ body: 'never scored' })];
    const ids = insertThreads(app, [makeThread({ comments: [unscored] })]);
    await post(`/api/comments/${c.reply}/decision`, { action: 'hide' });
    await post(`/api/comments/${ids.get(unscored.externalId)}/decision`, { action: 'hide' });
    await post(`/api/comments/${c.root}/decision`, { action: 'approve' });
    const hidden = (await get('/api/queue?status=hidden&limit=1')).json();
    expect(hidden.items.map((i: { id: number }) => i.id)).toEqual([c.reply]);
    const rest = (await get(`/api/queue?status=hidden&cursor=${hidden.nextCursor}`)).json();
    expect(rest.items.map((i: { id: number }) => i.id)).toEqual([ids.get(unscored.externalId)]);
    expect(rest.items[0].scores).toBeNull();
    expect((await get('/api/queue?status=approved')).json().items.map((i: { id: number }) => i.id)).toEqual([c.root]);
    expect((await get('/api/queue')).json().items.map((i: { id: number }) => i.id)).not.toContain(c.reply);
  });
});

describe('threads and context', () => {
  it('lists threads with counts, newest first', async () => {
    fixture();
    const { items } = (await get('/api/threads')).json();
    expect(items.map((t: { title: string }) => t.title)).toEqual(['Thread B', 'Thread A']);
    expect(items[1]).toMatchObject({ commentCount: 6, flaggedCount: 4, queueCount: 4, hiddenCount: 0 });
    const page = (await get('/api/threads?limit=1')).json();
    expect(page.items).toHaveLength(1);
    expect((await get(`/api/threads?limit=1&cursor=${page.nextCursor}`)).json().items[0].title).toBe('Thread A');
  });

  it('shows a thread in pre-order with depths', async () => {
    const c = fixture();
    const res = (await get('/api/threads/1')).json();
    expect(res.thread).toMatchObject({ title: 'Thread A', body: 'The article.' });
    expect(res.comments.map((x: { id: number; depth: number }) => [x.id, x.depth])).toEqual([
      [c.root, 0],
      [c.reply, 1],
      [c.deep, 2],
      [c.sib1, 1],
      [c.sib2, 1],
      [c.other, 0],
    ]);
    expect((await get('/api/threads/99')).statusCode).toBe(404);
  });

  it('shows a comment with ancestors (root first), siblings, replies and history', async () => {
    const c = fixture();
    await post(`/api/comments/${c.reply}/decision`, { action: 'escalate', note: 'check context' });
    const res = (await get(`/api/comments/${c.reply}`)).json();
    expect(res.comment.id).toBe(c.reply);
    expect(res.thread).toMatchObject({ id: 1, title: 'Thread A' });
    expect(res.ancestors.map((x: { id: number }) => x.id)).toEqual([c.root]);
    expect(res.siblings.map((x: { id: number }) => x.id)).toEqual([c.sib1, c.sib2]);
    expect(res.replies.map((x: { id: number }) => x.id)).toEqual([c.deep]);
    expect(res.history).toHaveLength(1);
    expect(res.history[0]).toMatchObject({ action: 'escalate', note: 'check context', statusBefore: 'pending', statusAfter: 'escalated' });
    const deep = (await get(`/api/comments/${c.deep}`)).json();
    expect(deep.ancestors.map((x: { id: number }) => x.id)).toEqual([c.root, c.reply]);
    const top = (await get(`/api/comments/${c.root}`)).json();
    expect(top.siblings.map((x: { id: number }) => x.id)).toEqual([c.other]);
    const missing = await get('/api/comments/999');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'NOT_FOUND', message: 'comment 999 not found' });
  });
});

describe('decisions', () => {
  it('records a decision with status before/after, moderator, threshold version and model', async () => {
    const c = fixture();
    const res = await post(`/api/comments/${c.reply}/decision`, { action: 'hide', note: ' rude ' });
    expect(res.statusCode).toBe(200);
    const { decision, comment } = res.json();
    expect(decision).toMatchObject({
      commentId: c.reply,
      action: 'hide',
      statusBefore: 'pending',
      statusAfter: 'hidden',
      note: 'rude',
      undoesId: null,
      undoneById: null,
      thresholdVersion: 1,
      model: 'test-fixture@1',
    });
    expect(decision.moderator).toMatch(/^moderator/);
    expect(comment.status).toBe('hidden');
    const again = await post(`/api/comments/${c.reply}/decision`, { action: 'hide' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toBe('CONFLICT');
    expect((await post('/api/comments/999/decision', { action: 'hide' })).statusCode).toBe(404);
    const bad = await post(`/api/comments/${c.reply}/decision`, { action: 'delete' });
    expect(bad.json()).toEqual({ error: 'VALIDATION', message: 'body/action must be one of approve, hide, escalate' });
  });

  it('lets only leads and admins resolve an escalated comment', async () => {
    const c = fixture();
    await post(`/api/comments/${c.reply}/decision`, { action: 'escalate' });
    const denied = await post(`/api/comments/${c.reply}/decision`, { action: 'approve' });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error).toBe('FORBIDDEN');
    expect(app.triage.stores.moderation.getComment(c.reply)!.status).toBe('escalated');
    const lead = await signIn(app, 'lead');
    const ok = await post(`/api/comments/${c.reply}/decision`, { action: 'approve' }, lead.cookie);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().decision).toMatchObject({ statusBefore: 'escalated', statusAfter: 'approved' });
  });

  it('bulk decisions are all or nothing', async () => {
    const c = fixture();
    await post(`/api/comments/${c.sib2}/decision`, { action: 'hide' });
    const failed = await post('/api/decisions', { commentIds: [c.reply, c.deep, c.sib2], action: 'hide' });
    expect(failed.statusCode).toBe(409);
    expect(failed.json().message).toBe(`comment ${c.sib2}: comment is already hidden`);
    expect(app.triage.stores.moderation.getComment(c.reply)!.status).toBe('pending');
    expect(app.triage.stores.moderation.listDecisions(c.reply)).toHaveLength(0);
    const ok = await post('/api/decisions', { commentIds: [c.reply, c.deep], action: 'hide', note: 'spam wave' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().decisions.map((d: { commentId: number; statusAfter: string }) => [d.commentId, d.statusAfter])).toEqual([
      [c.reply, 'hidden'],
      [c.deep, 'hidden'],
    ]);
    expect((await post('/api/decisions', { commentIds: [c.root, c.root], action: 'hide' })).statusCode).toBe(400);
    expect((await post('/api/decisions', { commentIds: [c.root, 999], action: 'hide' })).statusCode).toBe(404);
    expect(app.triage.stores.moderation.getComment(c.root)!.status).toBe('pending');
  });

  it('undo restores the previous status as a new decision, once, for the latest decision only', async () => {
    const c = fixture();
    const first = (await post(`/api/comments/${c.reply}/decision`, { action: 'escalate' })).json().decision;
    const lead = await signIn(app, 'lead');
    const second = (await post(`/api/comments/${c.reply}/decision`, { action: 'hide' }, lead.cookie)).json().decision;
    const notLatest = await post(`/api/decisions/${first.id}/undo`, undefined);
    expect(notLatest.statusCode).toBe(409);
    const notOwn = await post(`/api/decisions/${second.id}/undo`, undefined);
    expect(notOwn.statusCode).toBe(403);
    const undo = await post(`/api/decisions/${second.id}/undo`, undefined, lead.cookie);
    expect(undo.statusCode).toBe(200);
    expect(undo.json().decision).toMatchObject({ action: 'undo', undoesId: second.id, statusBefore: 'hidden', statusAfter: 'escalated' });
    expect(undo.json().comment.status).toBe('escalated');
    const history = (await get(`/api/comments/${c.reply}`)).json().history;
    expect(history.map((d: { action: string; undoneById: number | null }) => [d.action, d.undoneById])).toEqual([
      ['escalate', null],
      ['hide', undo.json().decision.id],
      ['undo', null],
    ]);
    expect((await post(`/api/decisions/${second.id}/undo`, undefined, lead.cookie)).statusCode).toBe(409);
    expect((await post(`/api/decisions/${undo.json().decision.id}/undo`, undefined, lead.cookie)).statusCode).toBe(409);
    expect((await post('/api/decisions/999/undo', undefined)).statusCode).toBe(404);
  });

  it('keeps decisions append-only in the database', () => {
    fixture();
    const c = app.triage.stores.moderation;
    app.triage.moderation.decide(1, { action: 'hide' }, { id: 1, username: 'x', role: 'admin' });
    expect(c.listDecisions(1)).toHaveLength(1);
    expect(() => app.triage.db.exec("UPDATE decisions SET action = 'approve'")).toThrow(/append-only/);
    expect(() => app.triage.db.exec('DELETE FROM decisions')).toThrow(/append-only/);
  });
});

describe('GET /api/stats', () => {
  it('counts comments by state and scoring progress', async () => {
    const c = fixture();
    await post(`/api/comments/${c.reply}/decision`, { action: 'hide' });
    await post(`/api/comments/${c.deep}/decision`, { action: 'escalate' });
    const res = (await get('/api/stats')).json();
    expect(res.comments).toEqual({ total: 7, flagged: 5, queue: 3, pending: 5, approved: 0, hidden: 1, escalated: 1 });
    const db = app.triage.db;
    expect(db.prepare('SELECT status, flagged, n FROM comment_counts WHERE n > 0 ORDER BY status, flagged').all()).toEqual(
      db.prepare('SELECT status, flagged, count(*) AS n FROM comments GROUP BY status, flagged ORDER BY status, flagged').all(),
    );
    expect(res.threads).toBe(2);
  });
});
