import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commentMatch, ftsTerms, titleMatch } from '../../server/search/query.ts';
import type { CommentPage } from '../../server/wire.ts';
import { buildTestApp, insertThreads, makeComment, makeThread, signIn, writeScores } from '../helpers/app.ts';

let app: FastifyInstance;
let cookie: string;

beforeEach(async () => {
  app = await buildTestApp();
  ({ cookie } = await signIn(app, 'moderator'));
});
afterEach(async () => {
  await app.close();
});

async function get(url: string): Promise<CommentPage> {
  const res = await app.inject({ method: 'GET', url, headers: { cookie } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<CommentPage>();
}

const search = (query: Record<string, string>) => get(`/api/search?${new URLSearchParams(query).toString()}`);
const ids = (page: CommentPage) => page.items.map((c) => c.id);

describe('FTS5 query building', () => {
  it('quotes every word, doubling quotes, and drops words that cannot match', () => {
    expect(ftsTerms('hello "world')).toEqual(['"hello"', '"""world"']);
    expect(ftsTerms('* " NEAR( ) : -')).toEqual(['"NEAR("']);
    expect(ftsTerms('   ')).toEqual([]);
    expect(commentMatch({ text: 'a b', author: 'Jo' })).toBe('{body author} : ("a" AND "b") AND author : ("Jo")');
    expect(commentMatch({ text: '*' })).toBeNull();
    expect(titleMatch('city council')).toBe('"city" AND "council"');
  });
});

describe('GET /api/search', () => {
  function seed() {
    const ids = insertThreads(app, [
      makeThread({
        title: 'City council budget',
        comments: [
          makeComment({ externalId: 'a', author: 'José Díaz', body: 'The café near the river is closing, what an idiot plan' }),
          makeComment({ externalId: 'b', author: 'bob', body: 'Budget cuts again. Idiot councillors.' }),
        ],
      }),
      makeThread({
        title: 'Football results',
        comments: [makeComment({ externalId: 'c', author: 'carol', body: 'Great match, no idiot referee this time' })],
      }),
    ]);
    return { a: ids.get('a')!, b: ids.get('b')!, c: ids.get('c')! };
  }

  it('finds comments by words of their text, folding case and accents, newest first, shaped as queue items', async () => {
    const { a, b, c } = seed();
    expect(ids(await search({ q: 'IDIOT' }))).toEqual([c, b, a]);
    expect(ids(await search({ q: 'cafe river' }))).toEqual([a]);
    expect(ids(await search({ q: 'river football' }))).toEqual([]);
    const page = await search({ q: 'referee' });
    expect(page.items[0]).toMatchObject({ id: c, threadTitle: 'Football results', author: 'carol', status: 'pending', flagged: false, bodyTruncated: false });
  });

  it('finds comments by author, and q matches author names too', async () => {
    const { a, b } = seed();
    expect(ids(await search({ author: 'jose' }))).toEqual([a]);
    expect(ids(await search({ q: 'diaz' }))).toEqual([a]);
    expect(ids(await search({ q: 'idiot', author: 'bob' }))).toEqual([b]);
  });

  it('finds comments by words of the thread title, and combines with the list filters', async () => {
    const { a, b, c } = seed();
    expect(ids(await search({ thread: 'council' }))).toEqual([b, a]);
    expect(ids(await search({ thread: 'football', q: 'idiot' }))).toEqual([c]);
    writeScores(app, [[b, { insult: 0.95 }]]);
    expect(ids(await search({ q: 'idiot', label: 'insult' }))).toEqual([b]);
    await app.inject({ method: 'POST', url: `/api/comments/${a}/decision`, headers: { cookie }, payload: { action: 'hide' } });
    expect(ids(await search({ q: 'idiot', status: 'hidden' }))).toEqual([a]);
    const threadId = (await search({ q: 'referee' })).items[0].threadId;
    expect(ids(await search({ q: 'idiot', threadId: String(threadId) }))).toEqual([c]);
  });

  it('never reads input as FTS5 syntax: quotes, stars, NEAR, column filters and operators are words or nothing', async () => {
    const { a } = seed();
    for (const q of ['"', '*', 'NEAR(', 'NEAR(idiot', 'idiot"', '"idiot', 'body:', 'author : x', 'idiot OR', 'AND', '(', ')', '^idiot', 'idiot*', '{body}', "'; DROP TABLE comments; --"]) {
      const res = await app.inject({ method: 'GET', url: `/api/search?q=${encodeURIComponent(q)}`, headers: { cookie } });
      expect(res.statusCode, `${q}: ${res.body}`).toBe(200);
    }
    // `author : x` is three words, not a column filter: nothing holds "author", ":" is dropped.
    expect(ids(await search({ q: 'author : jose' }))).toEqual([]);
    expect(ids(await search({ q: 'river OR nothing' }))).toEqual([]);
    expect(ids(await search({ q: 'NEAR(river' }))).toEqual([]);
    expect(ids(await search({ q: '"river"' }))).toEqual([a]);
    expect(ids(await search({ q: '*' }))).toEqual([]);
    expect((await get('/api/comments')).items).toHaveLength(3);
  });

  it('pages with a keyset cursor and refuses a cursor of another list', async () => {
    const comments = Array.from({ length: 7 }, (_, i) => makeComment({ body: `needle number ${i}` }));
    insertThreads(app, [makeThread({ comments })]);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: CommentPage = await search({ q: 'needle', limit: '3', ...(cursor ? { cursor } : {}) });
      seen.push(...ids(page));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect([...seen].sort((x, y) => y - x)).toEqual(seen);
    const queue = await app.inject({ method: 'GET', url: '/api/queue?limit=1', headers: { cookie } });
    expect(queue.statusCode).toBe(200);
    const bad = await app.inject({ method: 'GET', url: '/api/search?q=needle&cursor=bm9wZQ', headers: { cookie } });
    expect(bad.statusCode).toBe(400);
  });

  it('keeps the index in step with edits and deletions of comments and titles', async () => {
    const { a } = seed();
    app.triage.db.prepare("UPDATE comments SET body = 'Rewritten entirely: sunshine', author = 'Zed' WHERE id = ?").run(a);
    expect(ids(await search({ q: 'river' }))).toEqual([]);
    expect(ids(await search({ q: 'sunshine' }))).toEqual([a]);
    expect(ids(await search({ author: 'zed' }))).toEqual([a]);
    expect(ids(await search({ author: 'jose' }))).toEqual([]);
    app.triage.db.prepare("UPDATE threads SET title = 'Renamed' WHERE title = 'Football results'").run();
    expect(ids(await search({ thread: 'football' }))).toEqual([]);
    expect((await search({ thread: 'renamed' })).items).toHaveLength(1);
    app.triage.db.prepare('DELETE FROM comments WHERE id = ?').run(a);
    expect(ids(await search({ q: 'sunshine' }))).toEqual([]);
    // The index agrees with its content table.
    app.triage.db.exec("INSERT INTO comments_fts (comments_fts) VALUES ('integrity-check')");
  });

  it('indexes edits that arrive through a re-import', async () => {
    const thread = makeThread({ externalId: 'edit-me', comments: [makeComment({ externalId: 'e1', body: 'original words' })] });
    const first = insertThreads(app, [thread]);
    insertThreads(app, [{ ...thread, comments: [{ ...thread.comments[0], body: 'changed text' }] }]);
    expect(ids(await search({ q: 'original' }))).toEqual([]);
    expect(ids(await search({ q: 'changed' }))).toEqual([first.get('e1')]);
  });

  it('needs a session and validates its input', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/search?q=x' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/comments' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: `/api/search?q=${'x'.repeat(201)}`, headers: { cookie } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/api/search?sort=rank', headers: { cookie } })).statusCode).toBe(400);
  });
});

describe('GET /api/comments', () => {
  it('lists every comment newest first, flagged or not, with the queue filters', async () => {
    const ids = insertThreads(app, [
      makeThread({ comments: [makeComment({ externalId: 'x' }), makeComment({ externalId: 'y' }), makeComment({ externalId: 'z' })] }),
    ]);
    const [x, y, z] = ['x', 'y', 'z'].map((k) => ids.get(k)!);
    writeScores(app, [[y, { threat: 0.9 }], [z, { toxicity: 0.1 }]]);
    const all = await get('/api/comments');
    expect(all.items.map((c) => c.id)).toEqual([z, y, x]);
    expect(all.items.map((c) => c.flagged)).toEqual([false, true, false]);
    expect((await get('/api/comments?label=threat')).items.map((c) => c.id)).toEqual([y]);
    await app.inject({ method: 'POST', url: `/api/comments/${x}/decision`, headers: { cookie }, payload: { action: 'approve' } });
    expect((await get('/api/comments?status=approved')).items.map((c) => c.id)).toEqual([x]);
    expect((await get('/api/comments?status=pending')).items.map((c) => c.id)).toEqual([z, y]);
    expect((await get('/api/comments?reported=true')).items).toEqual([]);
    const threadId = all.items[0].threadId;
    expect((await get(`/api/comments?thread=${threadId}`)).items).toHaveLength(3);
    const first = await get('/api/comments?limit=2');
    expect(first.items.map((c) => c.id)).toEqual([z, y]);
    const second = await get(`/api/comments?limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((c) => c.id)).toEqual([x]);
    expect(second.nextCursor).toBeNull();
  });
});

describe('search plans', () => {
  it('every plan (index first, rare status or label first, few or many threads) finds the same comments in the same order', async () => {
    const { createSearchStore } = await import('../../server/search/store.ts');
    const words = ['idiot', 'great', 'river', 'council'];
    const threads = Array.from({ length: 4 }, (_, t) =>
      makeThread({ title: `${words[t]} debate ${t}`, comments: Array.from({ length: 15 }, (_, i) => makeComment({ body: `${words[i % 4]} ${words[(i + t) % 4]} text ${i}` })) }),
    );
    const ids = [...insertThreads(app, threads).values()].sort((a, b) => a - b);
    writeScores(app, ids.filter((_, i) => i % 3 === 0).map((id) => [id, { insult: 0.9 }]));
    for (const id of ids.filter((_, i) => i % 4 === 1)) app.triage.db.prepare("UPDATE comments SET status = 'hidden' WHERE id = ?").run(id);
    const lookUp = createSearchStore(app.triage.db, () => null, { sortAtMost: 1e9, fewToLookUp: 1e9 });
    const indexFirst = createSearchStore(app.triage.db, () => null, { sortAtMost: 0, fewToLookUp: 0 });
    const filters = [
      { match: '"idiot"', status: 'hidden' as const },
      { match: '"great"', label: 'insult' as const },
      { match: '"river"', status: 'pending' as const, label: 'insult' as const },
      { titleMatch: '"debate"' },
      { titleMatch: '"council"', status: 'hidden' as const },
      { match: '"text"', titleMatch: '"debate"', beforeId: ids[40] },
    ];
    for (const f of filters) {
      const a = lookUp.listComments({ ...f, limit: 100 }).map((r) => r.id);
      const b = indexFirst.listComments({ ...f, limit: 100 }).map((r) => r.id);
      expect(a.length, JSON.stringify(f)).toBeGreaterThan(0);
      expect(b, JSON.stringify(f)).toEqual(a);
      expect([...a].sort((x, y) => y - x)).toEqual(a);
    }
  });
});
