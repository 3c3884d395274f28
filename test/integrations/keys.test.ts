/**
 * API keys (server/integrations/): admins create, list and revoke them; a
 * site calls /api/v1/ routes with `Authorization: Bearer KEY`. Real HTTP
 * through app.inject; a real SQLite file where a restart matters.
 */
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keyRouteOptions, KEY_BODY_LIMIT_BYTES } from '../../server/integrations/routes.ts';
import { hashKey, LAST_USED_EVERY_MS } from '../../server/integrations/service.ts';
import { buildTestApp, signIn } from '../helpers/app.ts';

let app: FastifyInstance;
let admin: string;
let t = 1_800_000_000_000;
const now = () => t;

beforeEach(async () => {
  t = 1_800_000_000_000;
  app = await buildTestApp({ now });
  ({ cookie: admin } = await signIn(app, 'admin'));
});
afterEach(() => app.close());

async function createKey(body: { name: string; source?: string }) {
  const res = await app.inject({ method: 'POST', url: '/api/integrations/keys', headers: { cookie: admin }, payload: body });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { key: string; apiKey: { id: number; name: string; source: string; prefix: string; revokedAt: number | null; lastUsedAt: number | null } };
}

const withKey = (key: string, url = '/api/v1/source') => app.inject({ url, headers: { authorization: `Bearer ${key}` } });

describe('API keys: the admin routes', () => {
  it('creates a key (shown once), lists it by prefix and revokes it, keeping the row', async () => {
    const { key, apiKey } = await createKey({ name: 'Blog', source: 'blog.example' });
    expect(key).toMatch(/^trk_[A-Za-z0-9_-]{43}$/);
    expect(apiKey).toMatchObject({ name: 'Blog', source: 'blog.example', prefix: key.slice(0, 12), revokedAt: null, lastUsedAt: null });

    const list = await app.inject({ url: '/api/integrations/keys', headers: { cookie: admin } });
    expect(list.statusCode).toBe(200);
    expect(list.json().keys).toEqual([{ ...apiKey }]);
    expect(list.body).not.toContain(key);

    const revoked = await app.inject({ method: 'DELETE', url: `/api/integrations/keys/${apiKey.id}`, headers: { cookie: admin } });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().apiKey.revokedAt).toBe(t);
    const after = (await app.inject({ url: '/api/integrations/keys', headers: { cookie: admin } })).json().keys;
    expect(after).toHaveLength(1);
    expect(after[0].revokedAt).toBe(t);
    expect((await app.inject({ method: 'DELETE', url: `/api/integrations/keys/${apiKey.id}`, headers: { cookie: admin } })).statusCode).toBe(409);
    expect((await app.inject({ method: 'DELETE', url: '/api/integrations/keys/99', headers: { cookie: admin } })).statusCode).toBe(404);
  });

  it('takes the name as the source by default, and refuses unknown fields', async () => {
    expect((await createKey({ name: 'forum' })).apiKey.source).toBe('forum');
    const res = await app.inject({ method: 'POST', url: '/api/integrations/keys', headers: { cookie: admin }, payload: { name: 'x', scope: 'all' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe('body/scope is not allowed');
  });

  it('answers 403 to moderators and leads, and 401 without a session', async () => {
    for (const role of ['moderator', 'lead'] as const) {
      const { cookie } = await signIn(app, role);
      expect((await app.inject({ url: '/api/integrations/keys', headers: { cookie } })).statusCode).toBe(403);
      expect((await app.inject({ method: 'POST', url: '/api/integrations/keys', headers: { cookie }, payload: { name: 'x' } })).statusCode).toBe(403);
      expect((await app.inject({ method: 'DELETE', url: '/api/integrations/keys/1', headers: { cookie } })).statusCode).toBe(403);
    }
    expect((await app.inject({ url: '/api/integrations/keys' })).statusCode).toBe(401);
    expect(app.triage.integrations.listKeys()).toEqual([]);
  });
});

describe('API keys: calling /api/v1/ with a key', () => {
  it('answers GET /api/v1/source with the key\'s source, id and name', async () => {
    const { key, apiKey } = await createKey({ name: 'Blog', source: 'blog.example' });
    const res = await withKey(key);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ source: 'blog.example', key: { id: apiKey.id, name: 'Blog' } });
    // The scheme is case-insensitive.
    expect((await app.inject({ url: '/api/v1/source', headers: { authorization: `bearer ${key}` } })).statusCode).toBe(200);
  });

  it('refuses no key, a wrong key, a key not sent as Bearer, and a revoked key at once', async () => {
    const { key, apiKey } = await createKey({ name: 'Blog' });
    expect((await app.inject({ url: '/api/v1/source' })).statusCode).toBe(401);
    expect((await withKey(`${key.slice(0, -1)}x`)).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/v1/source', headers: { authorization: `Basic ${key}` } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/v1/source', headers: { authorization: key } })).statusCode).toBe(401);
    expect((await withKey(key)).statusCode).toBe(200);
    await app.inject({ method: 'DELETE', url: `/api/integrations/keys/${apiKey.id}`, headers: { cookie: admin } });
    const revoked = await withKey(key);
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().error).toBe('UNAUTHENTICATED');
  });

  it('does not let a session call a key route, nor a key call a moderator route', async () => {
    const { key } = await createKey({ name: 'Blog' });
    const session = await app.inject({ url: '/api/v1/source', headers: { cookie: admin } });
    expect(session.statusCode).toBe(401);
    expect(session.json().message).toContain('API key');
    for (const url of ['/api/queue', '/api/integrations/keys', '/api/me']) {
      expect((await withKey(key, url)).statusCode, url).toBe(401);
    }
    const post = await app.inject({ method: 'POST', url: '/api/integrations/keys', headers: { authorization: `Bearer ${key}` }, payload: { name: 'more' } });
    expect(post.statusCode).toBe(401);
  });

  it('records the last use at most once a minute per key', async () => {
    const { key, apiKey } = await createKey({ name: 'Blog' });
    const lastUsed = () => app.triage.integrations.listKeys().find((k) => k.id === apiKey.id)!.lastUsedAt;
    const writes = () => app.triage.db.prepare('SELECT total_changes() AS n').get() as { n: number };
    await withKey(key);
    expect(lastUsed()).toBe(t);
    const first = t;
    const before = writes().n;
    t += LAST_USED_EVERY_MS - 1;
    for (let i = 0; i < 5; i++) await withKey(key);
    expect(lastUsed()).toBe(first);
    expect(writes().n).toBe(before);
    t += 1;
    await withKey(key);
    expect(lastUsed()).toBe(t);
  });
});

describe('API keys: limits', () => {
  it('answers 429 with Retry-After past the requests a minute of one key, and counts each key apart', async () => {
    await app.close();
    app = await buildTestApp({ now, keyRateLimit: 3 });
    ({ cookie: admin } = await signIn(app, 'admin'));
    const a = (await createKey({ name: 'a' })).key;
    const b = (await createKey({ name: 'b' })).key;
    for (let i = 0; i < 3; i++) expect((await withKey(a)).statusCode).toBe(200);
    const refused = await withKey(a);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json()).toMatchObject({ error: 'RATE_LIMITED' });
    expect(refused.json().message).toMatch(/^This API key made more than 3 requests in a minute; try again in \d+ seconds?$/);
    expect((await withKey(b)).statusCode).toBe(200);
    // Requests without a valid key never count against anyone.
    expect((await app.inject({ url: '/api/v1/source', headers: { authorization: 'Bearer trk_nope' } })).statusCode).toBe(401);
  });

  it('answers 413 past 5 MB on a key route, and lets an API-key POST through without the client header or a cookie, but not from another origin', async () => {
    await app.close();
    app = await buildTestApp({ now });
    // A key route that takes a body, declared as every /api/v1/ route is.
    app.post('/api/v1/echo', keyRouteOptions(600), async (request) => ({ bytes: JSON.stringify(request.body).length }));
    ({ cookie: admin } = await signIn(app, 'admin'));
    const { key } = await createKey({ name: 'Blog' });
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-requested-with': undefined };
    const big = JSON.stringify({ text: 'x'.repeat(KEY_BODY_LIMIT_BYTES) });
    const tooLarge = await app.inject({ method: 'POST', url: '/api/v1/echo', headers, payload: big });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json()).toEqual({ error: 'PAYLOAD_TOO_LARGE', message: 'Request body is larger than 5 MB' });
    // 2 MB: more than the rest of the API takes, within a key route's limit.
    const fits = await app.inject({ method: 'POST', url: '/api/v1/echo', headers, payload: JSON.stringify({ text: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(fits.statusCode).toBe(200);
    const crossSite = await app.inject({ method: 'POST', url: '/api/v1/echo', headers: { ...headers, host: 'triage.test', origin: 'https://evil.example' }, payload: '{}' });
    expect(crossSite.statusCode).toBe(403);
    const noKey = await app.inject({ method: 'POST', url: '/api/v1/echo', headers: { cookie: admin, 'content-type': 'application/json' }, payload: '{}' });
    expect(noKey.statusCode).toBe(401);
  });
});

describe('API keys: storage', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'triage-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores only the hash, and keys survive a restart; revocation too', async () => {
    const dbPath = join(dir, 'triage.db');
    await app.close();
    app = await buildTestApp({ dbPath, now });
    ({ cookie: admin } = await signIn(app, 'admin'));
    const { key, apiKey } = await createKey({ name: 'Blog' });
    const kept = await createKey({ name: 'Forum' });
    const rows = app.triage.db.prepare('SELECT * FROM api_keys').all() as Record<string, unknown>[];
    expect(rows.map((r) => r.key_hash)).toEqual([hashKey(key), hashKey(kept.key)]);
    expect(JSON.stringify(rows)).not.toContain(key.slice(12));
    await app.inject({ method: 'DELETE', url: `/api/integrations/keys/${apiKey.id}`, headers: { cookie: admin } });
    await app.close();
    // Neither the database nor its write-ahead log holds a key.
    for (const file of [dbPath, `${dbPath}-wal`]) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch {
        continue;
      }
      expect(bytes.includes(key)).toBe(false);
      expect(bytes.includes(kept.key)).toBe(false);
    }

    app = await buildTestApp({ dbPath, now });
    expect((await withKey(key)).statusCode).toBe(401);
    expect((await withKey(kept.key)).json().key.name).toBe('Forum');
  });
});
