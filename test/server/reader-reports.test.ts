/**
 * Readers' reports and closed threads as moderators see them: the comment
 * fields, the queue's `reported` filter and `reports` sort, the reasons in a
 * comment's context, and `closed` on threads. Comments and reports arrive
 * through the real /api/v1/ routes with a real API key.
 */
import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createModerationStore } from '../../server/moderation/store.ts';
import { QUEUE_SORTS } from '../../server/wire.ts';
import { buildTestApp, signIn, writeScores } from '../helpers/app.ts';

const BLOG = readFileSync('seeds/000_f1b2f21fdc22b40c.txt', 'utf8');
const NEWS = readFileSync('seeds/004_f0a9f0132b37af5b.txt', 'utf8');

let app: FastifyInstance;
let key: string;
let cookie: string;
let t = 1_800_000_000_000;

beforeEach(async () => {
  t = 1_800_000_000_000;
  app = await buildTestApp({ now: () => t });
  key = app.triage.integrations.createKey({ name: 'News', source: 'news.example' }, null).key;
  cookie = (await signIn(app, 'moderator')).cookie;
});
afterEach(() => app.close());

const thread = { id: 'article-1', title: 'Council votes on the bypass', url: 'https://news.example/a/1' };
const item = (id: string, text: string, extra: Record<string, unknown> = {}) => ({ id, thread, parentId: null, author: { id: `u-${id}`, name: `Reader ${id}` }, text, ...extra });

async function push(comments: unknown[]): Promise<number[]> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/comments', headers: { authorization: `Bearer ${key}` }, payload: { comments } });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { results: { triageId: number }[] }).results.map((r) => r.triageId);
}

async function report(commentId: string, reason: string, reporterId: string): Promise<void> {
  t += 1000;
  const res = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: { authorization: `Bearer ${key}` }, payload: { commentId, reason, reporterId } });
  expect(res.statusCode, res.body).toBe(200);
}

const get = (url: string) => app.inject({ url, headers: { cookie } });
const decide = (id: number, action: string) => app.inject({ method: 'POST', url: `/api/comments/${id}/decision`, headers: { cookie }, payload: { action } });

type Item = { id: number; reportCount: number; deletedOnSite: boolean; editedAfterApproval: boolean };

/** Every page of a queue query, following the cursor. */
async function allPages(query: string, limit: number): Promise<{ items: Item[]; pages: number }> {
  const items: Item[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await get(`/api/queue?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { items: Item[]; nextCursor: string | null };
    items.push(...body.items);
    cursor = body.nextCursor;
    pages++;
  } while (cursor && pages < 20);
  return { items, pages };
}

describe('the queue: reported filter and reports sort', () => {
  /** 11 reported comments with 1 to 4 readers each (ties on purpose), and 3 flagged by the model alone. */
  async function fixture() {
    const reported = await push(Array.from({ length: 11 }, (_, i) => item(`r${i}`, `reported ${i}`)));
    const counts = reported.map((_, i) => (i % 4) + 1);
    for (const [i, n] of counts.entries()) {
      for (let r = 0; r < n; r++) await report(`r${i}`, r % 2 === 0 ? 'spam' : 'harassment', `reader-${r}`);
    }
    const scored = await push([item('s0', 'rude 0'), item('s1', 'rude 1'), item('s2', 'rude 2')]);
    writeScores(app, scored.map((id, i) => [id, { insult: 0.85 + i * 0.05 }]));
    return { reported, counts, scored };
  }

  it('lists only reported comments with reported=true, and the most reported first with sort=reports, across pages', async () => {
    const { reported, counts, scored } = await fixture();

    const all = await allPages('sort=score', 50);
    expect(all.items).toHaveLength(14);

    const filtered = await allPages('reported=true', 4);
    expect(filtered.pages).toBe(3);
    expect(filtered.items.map((i) => i.id).sort((a, b) => a - b)).toEqual([...reported].sort((a, b) => a - b));
    expect(filtered.items.every((i) => i.reportCount > 0)).toBe(true);

    // Most reported first, ties by newest id; every comment once, whatever the page size.
    const expected = reported.map((id, i) => ({ id, n: counts[i] })).sort((a, b) => b.n - a.n || b.id - a.id);
    for (const limit of [1, 3, 5, 50]) {
      const sorted = await allPages('sort=reports&reported=true', limit);
      expect(sorted.items.map((i) => [i.id, i.reportCount]), `limit ${limit}`).toEqual(expected.map((e) => [e.id, e.n]));
    }
    // Without the filter, the comments nobody reported come last.
    const everything = await allPages('sort=reports', 4);
    expect(everything.items.map((i) => i.id)).toEqual([...expected.map((e) => e.id), ...[...scored].reverse()]);
    expect(everything.items.at(-1)).toMatchObject({ reportCount: 0, deletedOnSite: false, editedAfterApproval: false });

    // Other sorts take the filter too; a cursor of another sort is refused.
    expect((await allPages('sort=oldest&reported=true', 5)).items.map((i) => i.id)).toEqual(reported);
    const first = (await get('/api/queue?sort=reports&limit=2')).json() as { nextCursor: string };
    expect((await get(`/api/queue?sort=score&cursor=${first.nextCursor}`)).statusCode).toBe(400);
    expect((await get('/api/queue?reported=yes')).statusCode).toBe(400);
  });

  it('filters decided comments by reports too', async () => {
    const { reported, scored } = await fixture();
    await decide(reported[0]!, 'hide');
    await decide(scored[0]!, 'hide');
    const hidden = await allPages('status=hidden&sort=reports', 10);
    expect(hidden.items.map((i) => i.id)).toEqual([reported[0], scored[0]]);
    expect((await allPages('status=hidden&reported=true', 10)).items.map((i) => i.id)).toEqual([reported[0]]);
  });

  it('reads the pending queue sorted by reports from its partial index, and keeps the other sorts on theirs', () => {
    const db = app.triage.db;
    const plans = new Map<string, string>();
    const prepare = db.prepare.bind(db);
    let label = '';
    // Queue statements are prepared on first use: read each one's plan (its top-level steps) as it is prepared.
    db.prepare = ((sql: string) => {
      if (sql.includes('thread_title')) {
        const params = { model: null, status: 'pending', label: null, thread: null, minScore: null, maxScore: null, limit: 1, afterKey: 1, afterId: 1 };
        const plan = prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string; parent: number }[];
        plans.set(label, plan.filter((p) => p.parent === 0).map((p) => p.detail).join(' | '));
      }
      return prepare(sql);
    }) as typeof db.prepare;
    try {
      const store = createModerationStore(db);
      for (const sort of QUEUE_SORTS) {
        for (const reported of [false, true]) {
          for (const after of [undefined, { key: 1, id: 1 }]) {
            label = `${sort}${reported ? ' reported' : ''}${after ? ' after' : ''}`;
            store.queuePage({ status: 'pending', sort, reported, limit: 1, after });
          }
        }
      }
    } finally {
      db.prepare = prepare;
    }
    const index: Record<string, string> = { score: 'comments_queue_score', newest: 'comments_queue_time', oldest: 'comments_queue_time', thread: 'comments_queue_thread', reports: 'comments_queue_reports' };
    expect(plans.size).toBe(QUEUE_SORTS.length * 4);
    for (const [name, plan] of plans) {
      expect(plan, name).toMatch(new RegExp(`^(SCAN|SEARCH) c USING INDEX ${index[name.split(' ')[0]!]}\\b`));
      // Read in the sort's order: no sorting of the rows afterwards.
      expect(plan, name).not.toContain('TEMP B-TREE');
    }
    expect(plans.get('reports reported after')).toContain('comments_queue_reports (report_count>? AND report_count<?)');
  });
});

describe('comments and threads carry what the site said', () => {
  it('gives the reasons readers reported a comment in its context, with counts and the last time', async () => {
    const [id, other] = await push([item('c1', 'You are all idiots'), item('c2', 'Fine')]);
    await report('c1', 'harassment', 'r1');
    await report('c1', 'spam', 'r2');
    await report('c1', 'harassment', 'r3');
    const last = t;
    await report('c1', 'spam', 'r1'); // the same reader again: counts once, keeps the first reason
    const context = (await get(`/api/comments/${id}`)).json();
    expect(context.comment).toMatchObject({ id, reportCount: 3, deletedOnSite: false, editedAfterApproval: false });
    expect(context.reports).toEqual([
      { reason: 'harassment', count: 2, lastAt: last },
      { reason: 'spam', count: 1, lastAt: last - 1000 },
    ]);
    expect(context.siblings).toEqual([expect.objectContaining({ id: other, reportCount: 0 })]);
    expect(context.thread.closed).toBe(false);
    expect((await get(`/api/comments/${other}`)).json().reports).toEqual([]);
  });

  it('marks a comment deleted on the site, and one edited after approval', async () => {
    const [a, b] = await push([item('c1', 'Nice'), item('c2', 'Gone soon')]);
    writeScores(app, [[a, { toxicity: 0.1 }]]);
    expect((await decide(a!, 'approve')).statusCode).toBe(200);
    t += 1000;
    await push([item('c1', 'Nasty now'), { ...item('c2', 'Gone soon'), deleted: true }]);

    const queue = (await get('/api/queue')).json();
    expect(queue.items).toEqual([expect.objectContaining({ id: a, editedAfterApproval: true, deletedOnSite: false, status: 'pending' })]);
    const thread = (await get(`/api/threads/${queue.items[0].threadId}`)).json();
    expect(thread.comments.map((c: Item) => [c.id, c.editedAfterApproval, c.deletedOnSite])).toEqual([
      [a, true, false],
      [b, false, true],
    ]);
  });

  it('says which threads are closed: the news seed is, the blog seed is not, a site says so itself', async () => {
    for (const text of [BLOG, NEWS]) {
      const res = await app.inject({ method: 'POST', url: '/api/import', headers: { cookie, 'content-type': 'text/plain' }, payload: text });
      expect(res.statusCode, res.body).toBe(200);
    }
    await push([{ ...item('c1', 'Late'), thread: { ...thread, closed: true } }]);
    const { items } = (await get('/api/threads')).json() as { items: { id: number; source: string; closed: boolean }[] };
    expect(items.map((i) => [i.source, i.closed])).toEqual([
      ['news.example', true],
      ['news', true],
      ['blog', false],
    ]);
    const news = items.find((i) => i.source === 'news')!;
    expect((await get(`/api/threads/${news.id}`)).json().thread.closed).toBe(true);
  });
});
