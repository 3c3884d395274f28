import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/open.ts';
import { buildTestApp, signIn } from '../helpers/app.ts';

const BLOG = readFileSync('seeds/000_f1b2f21fdc22b40c.txt', 'utf8');
const NEWS = readFileSync('seeds/004_f0a9f0132b37af5b.txt', 'utf8');
const JSON_NESTED = readFileSync('test/fixtures/import/nested.json', 'utf8');

let app: FastifyInstance;
let cookie: string;
beforeEach(async () => {
  app = await buildTestApp();
  cookie = (await signIn(app)).cookie;
});
afterEach(() => app.close());

function count(table: string): number {
  return (app.triage.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

function postText(text: string, format = 'auto', contentType = 'text/plain') {
  return app.inject({ method: 'POST', url: `/api/import?format=${format}`, headers: { cookie, 'content-type': contentType }, payload: text });
}

function multipart(field: string, filename: string, content: string) {
  const boundary = '----triage-test-boundary';
  const payload =
    `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: text/plain\r\n\r\n` +
    `${content}\r\n--${boundary}--\r\n`;
  return app.inject({ method: 'POST', url: '/api/import', headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
}

describe('POST /api/import', () => {
  it('imports a blog page with its reply tree and queues nothing without a model', async () => {
    const res = await postText(BLOG);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.import).toMatchObject({ format: 'blog', threads: 1, commentsNew: 79, commentsSeen: 0 });
    expect(body.threadIds).toHaveLength(1);
    expect(count('comments')).toBe(79);
    const thread = await app.inject({ url: `/api/threads/${body.threadIds[0]}`, headers: { cookie } });
    const comments = thread.json().comments as { externalId: string; depth: number; parentId: number | null }[];
    // Pre-order: the first comment's reply chain follows it, one level deeper each time.
    expect(comments.slice(0, 4).map((c) => [c.externalId, c.depth])).toEqual([['1', 0], ['1.1', 1], ['1.1.1', 2], ['1.1.1.1', 3]]);
    const imports = app.triage.db.prepare('SELECT format, source, comments_new FROM imports').all();
    expect(imports).toEqual([{ format: 'blog', source: 'upload', comments_new: 79 }]);
  });

  it('imports a news page, and JSON posted as application/json', async () => {
    const news = await postText(NEWS, 'news');
    expect(news.json().import).toMatchObject({ format: 'news', threads: 1, commentsNew: 3 });
    const json = await postText(JSON_NESTED, 'auto', 'application/json');
    expect(json.statusCode).toBe(200);
    expect(json.json().import).toMatchObject({ format: 'json', commentsSeen: 0 });
    expect(json.json().import.commentsNew).toBeGreaterThan(3);
  });

  it('accepts a JSON string holding the file', async () => {
    const res = await postText(JSON.stringify(NEWS), 'auto', 'application/json');
    expect(res.statusCode).toBe(200);
    expect(res.json().import.format).toBe('news');
  });

  it('accepts the multipart field "file" and records the file name', async () => {
    const res = await multipart('file', 'page.txt', BLOG);
    expect(res.statusCode).toBe(200);
    expect(res.json().import.commentsNew).toBe(79);
    expect(app.triage.db.prepare('SELECT source FROM imports').get()).toEqual({ source: 'upload:page.txt' });
    const wrongField = await multipart('upload', 'page.txt', BLOG);
    expect(wrongField.statusCode).toBe(400);
    expect(wrongField.json().error).toBe('BAD_IMPORT');
  });

  it('re-importing is idempotent: seen comments are counted, never duplicated', async () => {
    await postText(BLOG);
    const again = await postText(BLOG);
    expect(again.json().import).toMatchObject({ threads: 1, commentsNew: 0, commentsSeen: 79 });
    expect(count('comments')).toBe(79);
    expect(count('threads')).toBe(1);
    expect(count('imports')).toBe(2);
  });

  it('rejects bad input with the line or field, storing nothing', async () => {
    await postText(NEWS);
    const before = { threads: count('threads'), comments: count('comments'), imports: count('imports') };
    const bad = await postText('{"id": "t1", "title": "x", "comments": [{"id": "a", "text": 5}]}', 'json', 'application/json');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('BAD_IMPORT');
    expect(bad.json().message).toMatch(/comments\[0\]\.text/);
    const garbage = await postText('hello\nworld\n');
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json().message).toMatch(/^line 1: /);
    const badFormat = await postText(BLOG, 'yaml');
    expect(badFormat.json()).toEqual({ error: 'VALIDATION', message: 'querystring/format must be one of auto, blog, news, json, wordpress, disqus, csv' });
    expect({ threads: count('threads'), comments: count('comments'), imports: count('imports') }).toEqual(before);
  });

  it('says clearly when the file is too large or the type unsupported', async () => {
    const big = await postText('x'.repeat(50 * 1024 * 1024 + 10));
    expect(big.statusCode).toBe(413);
    expect(big.json().error).toBe('PAYLOAD_TOO_LARGE');
    const image = await postText('<a/>', 'auto', 'image/png');
    expect(image.statusCode).toBe(415);
    expect(image.json().error).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('takes XML exports and CSV as they are, under their own content types', async () => {
    const disqus = await postText(readFileSync('test/fixtures/import/disqus-export.xml', 'utf8'), 'auto', 'application/xml');
    expect(disqus.statusCode).toBe(200);
    expect(disqus.json().import.format).toBe('disqus');
    const wordpress = await postText(readFileSync('test/fixtures/import/wordpress-theme-unit-test.xml', 'utf8'), 'auto', 'text/xml');
    expect(wordpress.statusCode).toBe(200);
    expect(wordpress.json().import.format).toBe('wordpress');
    const csv = await postText(readFileSync('test/fixtures/import/comments.csv', 'utf8'), 'csv', 'text/csv; charset=utf-8');
    expect(csv.statusCode).toBe(200);
    expect(csv.json().import.commentsNew).toBeGreaterThan(0);
  });

  it('keeps the platform\'s own verdict from an export beside each comment, as a note', async () => {
    const disqus = await postText(readFileSync('test/fixtures/import/disqus-export.xml', 'utf8'), 'auto', 'application/xml');
    const wordpress = await postText(readFileSync('test/fixtures/import/wordpress-theme-unit-test.xml', 'utf8'), 'auto', 'text/xml');
    const verdicts = new Map<string, number>();
    for (const threadId of [...disqus.json().threadIds, ...wordpress.json().threadIds] as number[]) {
      const thread = (await app.inject({ url: `/api/threads/${threadId}`, headers: { cookie } })).json() as { comments: { sourceStatus: string | null }[] };
      for (const c of thread.comments) verdicts.set(String(c.sourceStatus), (verdicts.get(String(c.sourceStatus)) ?? 0) + 1);
    }
    // The fixtures: WordPress's 27 approved and 2 pending comments, Disqus's one spam and one deleted; Disqus says nothing of the rest.
    expect(verdicts.get('approved')).toBe(27);
    expect(verdicts.get('pending')).toBe(2);
    expect(verdicts.get('spam')).toBe(1);
    expect(verdicts.get('deleted')).toBe(1);
    // Scored and decided like any other comment: the verdict is a note, not a decision.
    expect(app.triage.db.prepare("SELECT count(*) AS n FROM comments WHERE source_status IS NOT NULL AND status != 'pending'").get()).toEqual({ n: 0 });
  });

  it('queues every new comment for the model in force', async () => {
    await app.close();
    const db = openDatabase(':memory:');
    // A score written earlier tells a scorer-less app which model is current.
    db.exec("INSERT INTO threads (source, external_id, title, imported_at) VALUES ('x', 'x', 'x', 0)");
    db.exec("INSERT INTO comments (thread_id, external_id, position, body, imported_at) VALUES (1, 'x', 0, 'x', 0)");
    db.exec("INSERT INTO scores (comment_id, model, scored_at) VALUES (1, 'earlier@1', 1)");
    app = await buildTestApp({ db });
    cookie = (await signIn(app)).cookie;
    await postText(BLOG);
    expect(db.prepare("SELECT model, state, count(*) AS n FROM scoring_jobs GROUP BY model, state").all()).toEqual([
      { model: 'earlier@1', state: 'pending', n: 79 },
    ]);
    await app.close();
    db.close();
  });
});
