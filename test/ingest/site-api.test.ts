/**
 * Comments pushed by a site (POST /api/v1/comments) and readers' reports
 * (POST /api/v1/reports): real HTTP through app.inject, a real API key.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BuildAppOptions } from '../../server/app.ts';
import { buildTestApp, signIn, TEST_MODEL, writeScores } from '../helpers/app.ts';

let app: FastifyInstance;
let key: string;
let t = 1_800_000_000_000;
const now = () => t;

async function start(options: BuildAppOptions = {}) {
  app = await buildTestApp({ now, ...options });
  key = app.triage.integrations.createKey({ name: 'News', source: 'news.example' }, null).key;
}

beforeEach(async () => {
  t = 1_800_000_000_000;
  await start();
});
afterEach(() => app.close());

const thread = { id: 'article-1', title: 'Council votes on the bypass', url: 'https://news.example/a/1' };

function item(id: string, text: string, extra: Record<string, unknown> = {}) {
  return { id, thread, parentId: null, author: { id: 'u-' + id, name: 'Reader ' + id }, text, postedAt: '2026-12-01T10:00:00Z', ...extra };
}

async function send(comments: unknown[], withKey = key) {
  const res = await app.inject({ method: 'POST', url: '/api/v1/comments', headers: { authorization: `Bearer ${withKey}` }, payload: { comments } });
  return res;
}

async function sendOk(comments: unknown[]) {
  const res = await send(comments);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    results: { index: number; id: string | null; outcome: string; triageId: number | null; reason: string | null }[];
    counts: Record<string, number>;
  };
}

const row = (id: number) =>
  app.triage.db.prepare('SELECT body, status, flagged, deleted_at, report_count, author, author_id, parent_id, depth FROM comments WHERE id = ?').get(id) as {
    body: string;
    status: string;
    flagged: number;
    deleted_at: number | null;
    report_count: number;
    author: string;
    author_id: string;
    parent_id: number | null;
    depth: number;
  };
const events = (type: string) =>
  (app.triage.db.prepare('SELECT payload FROM events WHERE type = ? ORDER BY id').all(type) as { payload: string }[]).map((r) => JSON.parse(r.payload));

describe('POST /api/v1/comments', () => {
  it('stores new comments and queues them for scoring; a reply can come alone, later', async () => {
    const first = await sendOk([item('c1', 'First!')]);
    expect(first.results).toEqual([{ index: 0, id: 'c1', outcome: 'created', triageId: expect.any(Number), reason: null }]);
    const reply = await sendOk([item('c2', 'A reply', { parentId: 'c1' })]);
    const id2 = reply.results[0].triageId!;
    expect(row(id2)).toMatchObject({ parent_id: first.results[0].triageId, depth: 1, author: 'Reader c2', author_id: 'u-c2' });
    const stored = app.triage.db.prepare("SELECT source, external_id, title, url, closed FROM threads WHERE source = 'news.example'").all();
    expect(stored).toEqual([{ source: 'news.example', external_id: 'article-1', title: thread.title, url: thread.url, closed: 0 }]);
    // Scoring jobs wait for a model: without a scorer in this process, none is known yet.
    const jobs = app.triage.db.prepare('SELECT count(*) AS n FROM scoring_jobs').get() as { n: number };
    expect(jobs.n).toBe(0);
  });

  it('answers each item: created, unchanged, updated, refused and why; one bad comment never blocks the rest', async () => {
    await sendOk([item('c1', 'Hello')]);
    const res = await sendOk([
      item('c1', 'Hello'),
      item('c3', 'Orphan', { parentId: 'nope' }),
      { id: 'c4', thread, text: 42 },
      item('c5', 'Fine'),
      { id: 'c6', thread: { ...thread, url: 'javascript:alert(1)' }, text: 'x' },
      { id: 'c7', thread, text: 'x', extra: true },
      item('c1', 'Hello again'),
    ]);
    expect(res.results.map((r) => [r.id, r.outcome, r.reason])).toEqual([
      ['c1', 'unchanged', null],
      ['c3', 'refused', 'reply to unknown comment "nope": send the parent first (or earlier in the same batch)'],
      ['c4', 'refused', 'comments/2/text must be a string'],
      ['c5', 'created', null],
      ['c6', 'refused', 'thread.url must be an http or https URL'],
      ['c7', 'refused', 'comments/5/extra is not allowed'],
      ['c1', 'updated', 'text'],
    ]);
    expect(res.counts).toEqual({ created: 1, updated: 1, unchanged: 1, refused: 4 });
    expect(app.triage.db.prepare("SELECT count(*) AS n FROM comments WHERE external_id IN ('c3', 'c4', 'c6', 'c7')").get()).toEqual({ n: 0 });
  });

  it('keeps the old text of an edit, scores it again, and brings an approved comment back to the queue', async () => {
    const id = (await sendOk([item('c1', 'You are all wonderful')])).results[0].triageId!;
    writeScores(app, [[id, { toxicity: 0.1 }]]);
    const { cookie } = await signIn(app, 'moderator');
    expect((await app.inject({ method: 'POST', url: `/api/comments/${id}/decision`, headers: { cookie }, payload: { action: 'approve' } })).statusCode).toBe(200);
    expect(row(id)).toMatchObject({ status: 'approved', flagged: 0 });

    t += 1000;
    const res = await sendOk([item('c1', 'You are all idiots')]);
    expect(res.results[0]).toMatchObject({ outcome: 'updated', reason: 'text' });
    expect(row(id)).toMatchObject({ status: 'pending', flagged: 1, body: 'You are all idiots' });
    const edits = app.triage.db.prepare('SELECT body, status_before, edited_at FROM comment_edits WHERE comment_id = ?').all(id);
    expect(edits).toEqual([{ body: 'You are all wonderful', status_before: 'approved', edited_at: t }]);
    // Its score is gone and its job pending again: the model reads the new text.
    expect(app.triage.db.prepare('SELECT count(*) AS n FROM scores WHERE comment_id = ?').get(id)).toEqual({ n: 0 });
    expect(app.triage.db.prepare('SELECT state FROM scoring_jobs WHERE comment_id = ? AND model = ?').get(id, TEST_MODEL)).toEqual({ state: 'pending' });
    expect(events('comment.flagged').at(-1)).toMatchObject({ comment: { id: 'c1', threadId: 'article-1', triageId: id }, editedAfterApproval: true });

    // In the queue, with the decision still in its history; deciding again settles the edit.
    const queue = (await app.inject({ url: '/api/queue', headers: { cookie } })).json();
    expect(queue.items.map((c: { id: number }) => c.id)).toEqual([id]);
    expect((await app.inject({ method: 'POST', url: `/api/comments/${id}/decision`, headers: { cookie }, payload: { action: 'hide' } })).statusCode).toBe(200);
    expect(row(id)).toMatchObject({ status: 'hidden', flagged: 0 });
  });

  it('a comment deleted on the site leaves the queue, and its decisions stay', async () => {
    const [a, b] = (await sendOk([item('c1', 'Nasty'), item('c2', 'Nastier')])).results.map((r) => r.triageId!);
    writeScores(app, [
      [a, { insult: 0.95 }],
      [b, { insult: 0.97 }],
    ]);
    const { cookie } = await signIn(app, 'moderator');
    await app.inject({ method: 'POST', url: `/api/comments/${b}/decision`, headers: { cookie }, payload: { action: 'hide' } });
    expect(row(a)).toMatchObject({ flagged: 1, status: 'pending' });

    const res = await sendOk([
      { ...item('c1', 'Nasty'), deleted: true },
      { ...item('c2', 'Nastier'), deleted: true },
    ]);
    expect(res.results.map((r) => [r.outcome, r.reason])).toEqual([
      ['updated', 'deleted'],
      ['updated', 'deleted'],
    ]);
    expect(row(a)).toMatchObject({ flagged: 0, deleted_at: t });
    expect(row(b)).toMatchObject({ status: 'hidden', deleted_at: t });
    expect(app.triage.db.prepare('SELECT count(*) AS n FROM decisions WHERE comment_id = ?').get(b)).toEqual({ n: 1 });
    const queue = (await app.inject({ url: '/api/queue', headers: { cookie } })).json();
    expect(queue.items).toEqual([]);
    // Sent again deleted: nothing changes. Sent without `deleted`: still deleted. `deleted: false` restores it.
    expect((await sendOk([{ ...item('c1', 'Nasty'), deleted: true }, item('c1', 'Nasty')])).counts.unchanged).toBe(2);
    expect((await sendOk([{ ...item('c1', 'Nasty'), deleted: false }])).results[0].reason).toBe('restored');
    expect(row(a)).toMatchObject({ flagged: 1, deleted_at: null });
  });

  it('refuses what breaks the envelope or the limits, as a whole, with a clear error', async () => {
    expect((await send([])).json()).toEqual({ error: 'VALIDATION', message: 'body/comments must not be empty' });
    const tooMany = await send(Array.from({ length: 1001 }, (_, i) => item(`c${i}`, 'x')));
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json().message).toBe('A request may carry at most 1,000 comments; this one has 1,001');
    const noKey = await app.inject({ method: 'POST', url: '/api/v1/comments', payload: { comments: [item('c1', 'x')] } });
    expect(noKey.statusCode).toBe(401);
    const { cookie } = await signIn(app, 'admin');
    const session = await app.inject({ method: 'POST', url: '/api/v1/comments', headers: { cookie }, payload: { comments: [item('c1', 'x')] } });
    expect(session.statusCode).toBe(401);
    expect(app.triage.db.prepare('SELECT count(*) AS n FROM comments').get()).toEqual({ n: 0 });
  });

  it('keeps each site to its own comments: the same ids from another source are other comments', async () => {
    const other = app.triage.integrations.createKey({ name: 'Forum', source: 'forum.example' }, null).key;
    await sendOk([item('c1', 'News comment')]);
    const res = await send([item('c1', 'Forum comment')], other);
    expect(res.json().results[0].outcome).toBe('created');
    expect(app.triage.db.prepare("SELECT count(*) AS n FROM comments WHERE external_id = 'c1'").get()).toEqual({ n: 2 });
  });

  it('stores a closed thread as closed, and a comment that moves parent or thread is refused', async () => {
    await sendOk([item('c1', 'a'), item('c2', 'b', { parentId: 'c1' })]);
    const res = await sendOk([
      { ...item('c3', 'c'), thread: { ...thread, closed: true } },
      item('c2', 'b', { parentId: null }),
      { ...item('c1', 'a'), thread: { id: 'article-2', title: 'Other' } },
    ]);
    expect(res.results.map((r) => r.reason)).toEqual([null, 'comment "c2" cannot move to another parent', 'comment "c1" belongs to another thread']);
    expect(app.triage.db.prepare("SELECT closed FROM threads WHERE external_id = 'article-1'").get()).toEqual({ closed: 1 });
  });
});

describe('POST /api/v1/reports', () => {
  async function report(body: Record<string, unknown>) {
    return app.inject({ method: 'POST', url: '/api/v1/reports', headers: { authorization: `Bearer ${key}` }, payload: body });
  }

  it('brings a comment the model did not flag to the queue at one report; the same reader counts once', async () => {
    const id = (await sendOk([item('c1', 'Looks harmless')])).results[0].triageId!;
    writeScores(app, [[id, { toxicity: 0.1 }]]);
    expect(row(id).flagged).toBe(0);
    const first = await report({ commentId: 'c1', reason: 'harassment', reporterId: 'reader-9' });
    expect(first.json()).toEqual({ commentId: 'c1', triageId: id, counted: true, reportCount: 1 });
    expect(row(id)).toMatchObject({ flagged: 1, report_count: 1 });
    const again = await report({ commentId: 'c1', reason: 'spam', reporterId: 'reader-9' });
    expect(again.json()).toMatchObject({ counted: false, reportCount: 1 });
    expect(events('report.received')).toEqual([{ comment: { id: 'c1', triageId: id, threadId: 'article-1' }, report: { reason: 'harassment', reporterId: 'reader-9' }, reportCount: 1 }]);
    expect(events('comment.flagged')).toHaveLength(1);
  });

  it('answers 404 for a comment the site never sent, and 400 for a bad reason', async () => {
    expect((await report({ commentId: 'nope', reason: 'spam', reporterId: 'r' })).statusCode).toBe(404);
    await sendOk([item('c1', 'x')]);
    const bad = await report({ commentId: 'c1', reason: 'a\u0007b', reporterId: 'r' });
    expect(bad.statusCode).toBe(400);
    expect((await report({ commentId: 'c1', reporterId: 'r' })).json().message).toBe('body/reason is required');
  });

  it('waits for the configured number of readers', async () => {
    await app.close();
    await start({ reportsToQueue: 2 });
    const id = (await sendOk([item('c1', 'Hmm')])).results[0].triageId!;
    await report({ commentId: 'c1', reason: 'spam', reporterId: 'r1' });
    expect(row(id).flagged).toBe(0);
    await report({ commentId: 'c1', reason: 'hate', reporterId: 'r2' });
    expect(row(id).flagged).toBe(1);
  });
});
