/**
 * Input types: JSON bodies are never coerced; path params and query strings
 * (text by nature) are coerced strictly (server/strict-coercion.ts).
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { coerceValue } from '../../server/strict-coercion.ts';
import { buildTestApp, insertThreads, makeComment, makeThread, signIn } from '../helpers/app.ts';

let app: FastifyInstance;
let cookie: string;
beforeEach(async () => {
  app = await buildTestApp();
  ({ cookie } = await signIn(app, 'admin'));
});
afterEach(() => app.close());

/** Comments with ids 1..n in one thread. */
function comments(n: number): number[] {
  const ids = insertThreads(app, [makeThread({ comments: Array.from({ length: n }, () => makeComment()) })]);
  return [...ids.values()];
}

const decisions = () => (app.triage.db.prepare('SELECT count(*) AS n FROM decisions').get() as { n: number }).n;

describe('path parameters', () => {
  it('refuses an id written with an exponent: /api/comments/1e3/decision is a 400, not comment 1000', async () => {
    comments(1000);
    const res = await app.inject({ method: 'POST', url: '/api/comments/1e3/decision', headers: { cookie }, payload: { action: 'hide' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('VALIDATION');
    expect(res.json().message).toMatch(/^params\/id must be (an )?integer$/);
    expect(decisions()).toBe(0);
  });

  it('takes only plain positive integers as ids', async () => {
    const [id] = comments(1);
    expect((await app.inject({ url: `/api/comments/${id}`, headers: { cookie } })).statusCode).toBe(200);
    for (const bad of ['1e0', '0x1', '01', '+1', '1.0', '%201', '1%20', '0', '-1', '99999999999999999999']) {
      const res = await app.inject({ url: `/api/comments/${bad}`, headers: { cookie } });
      expect(res.statusCode, bad).toBe(400);
    }
  });
});

describe('JSON bodies', () => {
  it('refuses "commentIds": "1" (a string is not an array of ids)', async () => {
    comments(1);
    const res = await app.inject({ method: 'POST', url: '/api/decisions', headers: { cookie }, payload: { commentIds: '1', action: 'hide' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('VALIDATION');
    expect(res.json().message).toMatch(/^body\/commentIds must be (an )?array$/);
    const strings = await app.inject({ method: 'POST', url: '/api/decisions', headers: { cookie }, payload: { commentIds: ['1'], action: 'hide' } });
    expect(strings.statusCode).toBe(400);
    expect(decisions()).toBe(0);
  });

  it('refuses a threshold of "0.5" (a string), and takes 0.5', async () => {
    const res = await app.inject({ method: 'PUT', url: '/api/thresholds', headers: { cookie }, payload: { thresholds: { toxicity: '0.5' } } });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/^body\/thresholds\/toxicity must be (a )?number/);
    expect(app.triage.thresholds.current().values.toxicity).toBe(0.8);
    const ok = await app.inject({ method: 'PUT', url: '/api/thresholds', headers: { cookie }, payload: { thresholds: { toxicity: 0.5 } } });
    expect(ok.statusCode).toBe(200);
  });

  it('refuses other coercions: a boolean as text, a number as a boolean, null as a string', async () => {
    const admin = await app.inject({ method: 'POST', url: '/api/users', headers: { cookie }, payload: { username: 'kai', password: 'a long passphrase 42', role: 'moderator' } });
    expect(admin.statusCode).toBe(200);
    const id = admin.json().user.id as number;
    for (const payload of [{ disabled: 'true' }, { disabled: 1 }, { role: null }]) {
      const res = await app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: { cookie }, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
  });
});

describe('query strings', () => {
  it('coerces numbers strictly and keeps repeated parameters as arrays', async () => {
    comments(3);
    expect((await app.inject({ url: '/api/queue?limit=10&minScore=0.5', headers: { cookie } })).statusCode).toBe(200);
    for (const q of ['limit=1e1', 'limit=0x10', 'limit=10.0', 'minScore=.5', 'minScore=5e-1', 'limit=1&limit=2']) {
      const res = await app.inject({ url: `/api/queue?${q}`, headers: { cookie } });
      expect(res.statusCode, q).toBe(400);
    }
    // Reports take threads and labels once or repeated.
    const one = await app.inject({ url: '/api/reports/summary?threads=1', headers: { cookie } });
    expect(one.statusCode).toBe(200);
    expect(one.json().filter.threads).toEqual([1]);
    const two = await app.inject({ url: '/api/reports/summary?threads=1&threads=2&labels=insult&labels=threat', headers: { cookie } });
    expect(two.statusCode).toBe(200);
    expect(two.json().filter).toMatchObject({ threads: [1, 2], labels: ['insult', 'threat'] });
    expect((await app.inject({ url: '/api/reports/summary?threads=1e0', headers: { cookie } })).statusCode).toBe(400);
  });

  it('coerces by the schema, one value at a time (pure)', () => {
    expect(coerceValue('12', { type: 'integer' })).toBe(12);
    expect(coerceValue('-3', { type: 'integer' })).toBe(-3);
    expect(coerceValue('1e3', { type: 'integer' })).toBe('1e3');
    expect(coerceValue(' 12', { type: 'integer' })).toBe(' 12');
    expect(coerceValue('0.25', { type: 'number' })).toBe(0.25);
    expect(coerceValue('Infinity', { type: 'number' })).toBe('Infinity');
    expect(coerceValue('true', { type: 'boolean' })).toBe(true);
    expect(coerceValue('1', { type: 'boolean' })).toBe('1');
    expect(coerceValue('12', { type: 'string' })).toBe('12');
    expect(coerceValue('12', { type: ['number', 'null'] })).toBe(12);
    expect(coerceValue('7', { type: 'array', items: { type: 'integer' } })).toEqual([7]);
    expect(coerceValue(['7', 'x'], { type: 'array', items: { type: 'integer' } })).toEqual([7, 'x']);
    expect(coerceValue(['7', '8'], { type: 'integer' })).toEqual(['7', '8']);
  });
});
