import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { BadImport } from '../../server/errors.ts';
import { parseImport } from '../../server/ingest/parse.ts';
import { parse as parseJson } from '../../server/ingest/parsers/json.ts';
import { parse as parseNews } from '../../server/ingest/parsers/news-page.ts';
import { buildTestApp, signIn } from '../helpers/app.ts';

/** Comment text in the files below: no message may quote it. */
const SECRET = 'zanzibar marmalade';

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof BadImport) return error.message;
    throw error;
  }
  throw new Error('expected a BadImport');
}

const json = (doc: unknown) => messageOf(() => parseJson(typeof doc === 'string' ? doc : JSON.stringify(doc)));
const thread = (comments: unknown[], extra: Record<string, unknown> = {}) => ({ id: 't', title: 'T', comments, ...extra });

describe('JSON syntax error messages', () => {
  const cases: [what: string, text: string, message: string][] = [
    ['a file cut short after a value', `{"id":"t","title":"T","comments":[{"text":"${SECRET}"`, "line 1: invalid JSON (expected ',' or '}' after property value)"],
    ['a file cut short in a string', `{"id":"t","title":"T","comments":[{"text":"${SECRET}`, 'line 1: invalid JSON (unterminated string)'],
    ['a missing comma, at the line of the value after it', `{\n  "id": "t",\n  "title": "T"\n  "comments": []\n}`, "line 4: invalid JSON (expected ',' or '}' after property value)"],
    ['a trailing comma', `{"id":"t","title":"T","comments":[{"text":"${SECRET}"},]}`, "line 1: invalid JSON (unexpected ']')"],
    ['a trailing comma in an object', `{"id":"t","title":"T",\n"comments":[{"text":"${SECRET}",}]}`, 'line 2: invalid JSON (expected double-quoted property name)'],
    ['comment text left unquoted', `{"id":"t","title":"T","comments":[{"text":${SECRET}}]}`, 'line 1: invalid JSON (unexpected character)'],
    ['a page that is not JSON at all', `${SECRET}\nwrote this`, 'line 1: invalid JSON (unexpected character)'],
    ['a raw line break inside a string', `{"id":"t","title":"T","comments":[{"text":"${SECRET}\n${SECRET}"}]}`, 'line 1: invalid JSON (bad control character in string literal)'],
    ['single quotes', `{'id':'t'}`, "line 1: invalid JSON (expected property name or '}')"],
    ['text after the JSON', `{"id":"t","title":"T","comments":[]}\n${SECRET}`, 'line 2: invalid JSON (more text after the end of the JSON)'],
    ['a bad escape', `{"id":"t","title":"T","comments":[{"text":"\\q${SECRET}"}]}`, 'line 1: invalid JSON (bad escaped character)'],
    ['a leading zero', `{"id":"t","title":"T","comments":[{"text":"${SECRET}","postedAt":01}]}`, 'line 1: invalid JSON (unexpected number)'],
  ];
  for (const [what, text, message] of cases) {
    it(what, () => {
      expect(json(text)).toBe(message);
      // Through format detection and the JSON parser alike.
      expect(messageOf(() => parseImport(text, 'json'))).toBe(message);
    });
  }
});

describe('JSON content error messages', () => {
  const cases: [what: string, doc: unknown, message: string][] = [
    ['an id that is an object', { id: {}, title: 'T', comments: [{ text: 'x' }] }, 'threads[0].id: must be a non-empty string or an integer, not an object'],
    ['an author that is an object', thread([{ text: SECRET, author: { name: 'x' } }]), 'threads[0].comments[0].author: must be a string, not an object'],
    ['an empty id', thread([{ id: '', text: SECRET }]), 'threads[0].comments[0].id: must be a non-empty string or an integer, not an empty string'],
    ['a blank id', thread([{ id: '  ', text: SECRET }]), 'threads[0].comments[0].id: must be a non-empty string or an integer, not a blank string'],
    ['a fractional id', thread([{ id: 1.5, text: SECRET }]), 'threads[0].comments[0].id: must be a non-empty string or an integer, not a fractional number'],
    ['an id past 2^53', `{"id":"t","title":"T","comments":[{"id":12345678901234567890,"text":"x"}]}`, 'threads[0].comments[0].id: is an integer too large to read exactly: write the id as a string'],
    ['a title that is a number', { id: 't', title: 5, comments: [{ text: 'x' }] }, 'threads[0].title: must be a non-empty string, not a number'],
    ['a blank title', { id: 't', title: ' ', comments: [{ text: 'x' }] }, 'threads[0].title: must be a non-empty string, not a blank string'],
    ['comments that are an object', { id: 't', title: 'T', comments: {} }, 'threads[0].comments: must be an array of comments, not an object'],
    ['a root that is a number', '5', 'threads: must be a thread object or an array of threads, not a number'],
    ['text that is an object', thread([{ text: { body: SECRET } }]), 'threads[0].comments[0].text: must be a string, not an object'],
    ['an unknown field', thread([{ txet: SECRET }]), 'threads[0].comments[0].txet: unknown field (allowed: id, author, text, postedAt, replies, parent)'],
    ['an unknown field whose name is not a plain name', { id: 't', title: 'T', ':source': 'x', comments: [] }, 'threads[0]: unknown field (allowed: source, id, title, url, body, comments)'],
    ['comment text turned into a field name', thread([{ [SECRET]: 'x', text: 'y' }]), 'threads[0].comments[0]: unknown field (allowed: id, author, text, postedAt, replies, parent)'],
  ];
  for (const [what, doc, message] of cases) {
    it(what, () => expect(json(doc)).toBe(message));
  }
});

describe('JSON parent link cycle messages', () => {
  it('names a two-comment loop from the link that closes it', () => {
    expect(json(thread([{ id: 'r', text: 'root' }, { id: 'a', parent: 'b', text: SECRET }, { id: 'b', parent: 'a', text: SECRET }]))).toBe(
      'threads[0].comments[1].parent: parent links form a cycle (a → b → a)',
    );
  });

  it('follows a loop through a nested reply to its end, with no dangling arrow', () => {
    // a's parent is c (a link), c is nested in b, and b's parent is a (a link).
    const doc = thread([{ id: 'r', text: 'root' }, { id: 'a', parent: 'c', text: SECRET }, { id: 'b', parent: 'a', text: SECRET, replies: [{ id: 'c', text: SECRET }] }]);
    expect(json(doc)).toBe('threads[0].comments[1].parent: parent links form a cycle (a → c → b → a)');
  });

  it('names only the loop, not a comment that merely hangs off it', () => {
    const doc = thread([{ id: 'r', text: 'root' }, { id: 'x', parent: 'a', text: SECRET }, { id: 'a', parent: 'b', text: SECRET }, { id: 'b', parent: 'a', text: SECRET }]);
    expect(json(doc)).toBe('threads[0].comments[2].parent: parent links form a cycle (a → b → a)');
  });

  it('names a comment that is its own parent', () => {
    expect(json(thread([{ id: 'a', parent: 'a', text: SECRET }]))).toBe('threads[0].comments[0].parent: parent links form a cycle (a → a)');
  });
});

describe('news page messages', () => {
  const page = (comments: string, count: number) =>
    `Headline\n\nThe article.\n\nComments (${count})\n\n${comments}`;
  const comment = (author: string, text: string) => `${author} wrote:\n${text}\nJun 29, 2014 6:39am EDT  --  Report as abuse\n\n`;

  it('does not quote a comment line that ends like a date line', () => {
    const text = page(`bob wrote:\n${SECRET} -- Report as abuse\nJun 29, 2014 6:39am EDT  --  Report as abuse\n`, 1);
    expect(messageOf(() => parseNews(text))).toBe('line 8: unreadable comment date before "-- Report as abuse": expected e.g. "Jun 29, 2014 6:39am EDT"');
  });

  it('counts comments in words that agree with the numbers', () => {
    expect(messageOf(() => parseNews(page(comment('ann', 'one') + comment('bob', 'two'), 1)))).toBe('line 5: the page announces 1 comment but 2 were found');
    expect(messageOf(() => parseNews(page(comment('ann', 'one'), 2)))).toBe('line 5: the page announces 2 comments but 1 was found');
    expect(messageOf(() => parseNews(page(comment('ann', 'one') + comment('bob', 'two') + comment('cy', 'three'), 2)))).toBe(
      'line 5: the page announces 2 comments but 3 were found',
    );
  });
});

describe('error handler messages', () => {
  let app: FastifyInstance | undefined;
  let cookie = '';
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function post(url: string, payload: unknown, contentType = 'application/json') {
    if (!app) {
      app = await buildTestApp();
      cookie = (await signIn(app, 'admin')).cookie;
    }
    const res = await app.inject({
      method: 'POST',
      url,
      headers: { cookie, 'x-requested-with': 'triage', 'content-type': contentType },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
    return { status: res.statusCode, body: res.json() as { error: string; message: string } };
  }

  // Objects where other types belong: no type coercion setting turns them into anything else.
  it('says what type a body or field must be, in words', async () => {
    expect(await post('/api/decisions', [])).toEqual({ status: 400, body: { error: 'VALIDATION', message: 'body must be an object' } });
    expect((await post('/api/decisions', { commentIds: {}, action: 'hide' })).body.message).toBe('body/commentIds must be an array');
    expect((await post('/api/decisions', { commentIds: [1], action: 'hide', note: {} })).body.message).toBe('body/note must be a string or null');
    expect((await post('/api/decisions', { commentIds: [{}], action: 'hide' })).body.message).toBe('body/commentIds/0 must be an integer');
  });

  it('says how long or short a field may be', async () => {
    expect((await post('/api/decisions', { commentIds: [], action: 'hide' })).body.message).toBe('body/commentIds must not be empty');
    expect((await post('/api/decisions', { commentIds: [1], action: 'hide', note: 'x'.repeat(2001) })).body.message).toBe('body/note must be at most 2000 characters long');
    const many = Array.from({ length: 501 }, (_, i) => i + 1);
    expect((await post('/api/decisions', { commentIds: many, action: 'hide' })).body.message).toBe('body/commentIds must have at most 500 items');
  });

  it("names the route's own body limit", async () => {
    const res = await post('/api/decisions', { commentIds: [1], action: 'hide', note: 'x'.repeat(2 * 1024 * 1024) });
    expect(res).toEqual({ status: 413, body: { error: 'PAYLOAD_TOO_LARGE', message: 'Request body is larger than 1 MB' } });
  });

  it('answers a bad import file with its line and never its text', async () => {
    expect((await post('/api/import', '  \n ', 'text/plain')).body).toEqual({ error: 'BAD_IMPORT', message: 'line 1: the file is empty' });
    const bad = await post('/api/import?format=json', `{"id":"t","title":"T","comments":[{"text":${SECRET}}]}`);
    expect(bad).toEqual({ status: 400, body: { error: 'BAD_IMPORT', message: 'line 1: invalid JSON (unexpected character)' } });
    const raw = await post('/api/import?format=json', `{"id":"t","title":"T",\n"comments":[{"text":"${SECRET}\n${SECRET}"}]}`);
    expect(raw.body.message).toBe('line 2: invalid JSON (bad control character in string literal)');
  });
});
