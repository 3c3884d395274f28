/**
 * Finding 10: a 10 MB comment must not be sent whole in every list that holds
 * it, and a thread thousands of replies deep must not send every ancestor.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXCERPT_CHARS } from '../../server/moderation/excerpt.ts';
import { CONTEXT_ANCESTORS } from '../../server/moderation/service.ts';
import { buildTestApp, insertThreads, makeComment, makeThread, signIn, writeScores } from '../helpers/app.ts';

let app: FastifyInstance;
let cookie: string;
beforeEach(async () => {
  app = await buildTestApp();
  ({ cookie } = await signIn(app, 'moderator'));
});
afterEach(() => app.close());

const get = (url: string) => app.inject({ url, headers: { cookie } });
const SMALL = 100_000;
const TEN_MB = 10 * 1024 * 1024;

interface Item {
  id: number;
  body: string;
  bodyTruncated: boolean;
  bodyBytes: number;
}

/** A 10 MB comment whose 2,000th character is an emoji (a surrogate pair), a reply to it, and a short flagged comment. */
function bigFixture() {
  const bigBody = `${'a'.repeat(EXCERPT_CHARS - 1)}😀${'b'.repeat(TEN_MB)}`;
  const big = makeComment({ body: bigBody });
  const reply = makeComment({ parentExternalId: big.externalId, body: 'a short reply' });
  const small = makeComment({ body: 'short and rude' });
  const empty = makeComment({ body: '' });
  // SQLite's text functions stop at NUL: the excerpt must not.
  const nul = makeComment({ body: 'before\u0000after' });
  const ids = insertThreads(app, [makeThread({ comments: [big, reply, small, empty, nul] })]);
  const id = { big: ids.get(big.externalId)!, reply: ids.get(reply.externalId)!, small: ids.get(small.externalId)! };
  writeScores(app, [
    [id.big, { toxicity: 0.95 }],
    [id.reply, { toxicity: 0.9 }],
    [id.small, { insult: 0.85 }],
  ]);
  return { id, bigBody, bigBytes: Buffer.byteLength(bigBody) };
}

function expectExcerptOfBig(item: Item, bigBytes: number): void {
  expect(item.bodyTruncated).toBe(true);
  expect(item.bodyBytes).toBe(bigBytes);
  expect([...item.body]).toHaveLength(EXCERPT_CHARS);
  // Cut after the emoji, whole: no lone surrogate at the end.
  expect(item.body.endsWith('a😀')).toBe(true);
}

describe('a 10 MB comment', () => {
  it('is an excerpt in every queue page, which stays small', async () => {
    const { id, bigBytes } = bigFixture();
    const res = await get('/api/queue?limit=200');
    expect(res.statusCode).toBe(200);
    expect(res.payload.length).toBeLessThan(SMALL);
    const items = res.json().items as Item[];
    expect(items.map((i) => i.id)).toEqual([id.big, id.reply, id.small]);
    expectExcerptOfBig(items[0], bigBytes);
    expect(items[2]).toMatchObject({ body: 'short and rude', bodyTruncated: false, bodyBytes: 14 });
  });

  it('is an excerpt in its thread, in the context of its reply and in a decision answer', async () => {
    const { id, bigBytes } = bigFixture();
    const thread = await get('/api/threads/1');
    expect(thread.payload.length).toBeLessThan(SMALL);
    expectExcerptOfBig(thread.json().comments[0], bigBytes);
    expect(thread.json().comments.slice(-2)).toMatchObject([
      { body: '', bodyTruncated: false, bodyBytes: 0 },
      { body: 'before\u0000after', bodyTruncated: false, bodyBytes: 12 },
    ]);

    const context = await get(`/api/comments/${id.reply}`);
    expect(context.payload.length).toBeLessThan(SMALL);
    expectExcerptOfBig(context.json().ancestors[0], bigBytes);
    expect(context.json().comment).toMatchObject({ body: 'a short reply', bodyTruncated: false, bodyBytes: 13 });

    const decided = await app.inject({
      method: 'POST',
      url: `/api/comments/${id.big}/decision`,
      headers: { cookie, 'x-requested-with': 'triage' },
      payload: { action: 'hide' },
    });
    expect(decided.statusCode).toBe(200);
    expect(decided.payload.length).toBeLessThan(SMALL);
    expectExcerptOfBig(decided.json().comment, bigBytes);
  });

  it('comes whole, on demand, as the comment of GET /api/comments/:id', async () => {
    const { id, bigBody, bigBytes } = bigFixture();
    const res = await get(`/api/comments/${id.big}`);
    expect(res.statusCode).toBe(200);
    const { comment, replies } = res.json() as { comment: Item; replies: Item[] };
    expect(comment.bodyTruncated).toBe(false);
    expect(comment.bodyBytes).toBe(bigBytes);
    expect(comment.body === bigBody).toBe(true);
    expect(replies.map((r) => r.id)).toEqual([id.reply]);
  });
});

describe('a thread 5,000 replies deep', () => {
  const LEVELS = 5000;

  /** One imported root, then LEVELS replies each answering the one before, written in one SQL statement. */
  function deepThread(): { root: number; deepest: number } {
    const root = makeComment({ body: 'the root' });
    const rootId = insertThreads(app, [makeThread({ comments: [root] })]).get(root.externalId)!;
    const threadId = (app.triage.db.prepare('SELECT thread_id FROM comments WHERE id = ?').get(rootId) as { thread_id: number }).thread_id;
    app.triage.db
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @levels)
         INSERT INTO comments (id, thread_id, parent_id, external_id, position, depth, author, body, imported_at)
         SELECT @root + i, @thread, @root + i - 1, 'deep' || i, i, i, 'someone', 'level ' || i || ' ' || printf('%.200c', 'x'), 0 FROM n`,
      )
      .run({ levels: LEVELS, root: rootId, thread: threadId });
    return { root: rootId, deepest: rootId + LEVELS };
  }

  it('shows the nearest ancestors of a comment and counts the rest', async () => {
    const { root, deepest } = deepThread();
    const res = await get(`/api/comments/${deepest}`);
    expect(res.statusCode).toBe(200);
    expect(res.payload.length).toBeLessThan(SMALL);
    const context = res.json() as { comment: { depth: number }; ancestors: { id: number }[]; ancestorsOmitted: number };
    expect(context.comment.depth).toBe(LEVELS);
    expect(context.ancestors).toHaveLength(CONTEXT_ANCESTORS);
    // Root side first, ending with the parent.
    expect(context.ancestors.map((a) => a.id)).toEqual(Array.from({ length: CONTEXT_ANCESTORS }, (_, i) => deepest - CONTEXT_ANCESTORS + i));
    expect(context.ancestorsOmitted).toBe(LEVELS - CONTEXT_ANCESTORS);

    // Near the top nothing is left out.
    const shallow = (await get(`/api/comments/${root + 3}`)).json();
    expect(shallow.ancestors.map((a: { id: number }) => a.id)).toEqual([root, root + 1, root + 2]);
    expect(shallow.ancestorsOmitted).toBe(0);
    const top = (await get(`/api/comments/${root}`)).json();
    expect(top.ancestors).toEqual([]);
    expect(top.ancestorsOmitted).toBe(0);
  });
});
