/**
 * Decisions out: signed webhooks delivered to a real HTTP receiver on
 * 127.0.0.1, retried, recorded; the pull feed for sites without webhooks;
 * the server-side request forgery guard.
 */
import type { FastifyInstance } from 'fastify';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { BuildAppOptions } from '../../server/app.ts';
import { guardedLookup, isPrivateAddress } from '../../server/integrations/webhooks/address-guard.ts';
import { retryDelay } from '../../server/integrations/webhooks/sender.ts';
import { sign, verify } from '../../server/integrations/webhooks/signing.ts';
import { buildTestApp, signIn } from '../helpers/app.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real receiver: answers each request with the next status of `answers` (then the last one again). */
async function receiver(answers: number[] = [200]) {
  const received: Received[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      const status = answers[Math.min(n++, answers.length - 1)]!;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : `<b>nope</b> ${'x'.repeat(500)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return { received, url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function until<T>(what: string, check: () => T | undefined | false, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let app: FastifyInstance;
let closeReceiver: (() => Promise<void>) | undefined;
afterEach(async () => {
  await app?.close();
  await closeReceiver?.();
  closeReceiver = undefined;
});

async function setUp(options: BuildAppOptions = {}) {
  app = await buildTestApp({ webhooks: { allowPrivate: true, baseDelayMs: 20, pollMs: 20 }, ...options });
  await app.ready();
  const key = app.triage.integrations.createKey({ name: 'News', source: 'news.example' }, null).key;
  const admin = (await signIn(app, 'admin')).cookie;
  const moderator = await signIn(app, 'moderator', 'mod-ann');
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/comments',
    headers: { authorization: `Bearer ${key}` },
    payload: { comments: ['c1', 'c2', 'c3'].map((id) => ({ id, thread: { id: 'a1', title: 'Article' }, text: `comment ${id}` })) },
  });
  const ids = (res.json().results as { triageId: number }[]).map((r) => r.triageId);
  return { key, admin, moderator: moderator.cookie, ids };
}

async function register(admin: string, body: Record<string, unknown>) {
  const res = await app.inject({ method: 'POST', url: '/api/webhooks', headers: { cookie: admin }, payload: body });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { endpoint: { id: number; disabledAt: number | null; disabledReason: string | null }; secret: string };
}

const decide = (cookie: string, id: number, action: string) => app.inject({ method: 'POST', url: `/api/comments/${id}/decision`, headers: { cookie }, payload: { action } });

describe('webhook signatures (Standard Webhooks)', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

  it('matches the specification\u2019s published example', () => {
    // The example of github.com/standard-webhooks/standard-webhooks, spec/standard-webhooks.md.
    const body = '{"test": 2432232314}';
    expect(sign(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('verifies a signed body, and refuses a tampered body, another secret and an old timestamp', () => {
    const now = 1_800_000_000;
    const headers = { id: 'msg_1', timestamp: String(now), signature: sign(secret, 'msg_1', now, '{"a":1}') };
    expect(verify(secret, headers, '{"a":1}', now)).toBe(true);
    expect(verify(secret, headers, '{"a":2}', now)).toBe(false);
    expect(verify('whsec_' + Buffer.from('another key').toString('base64'), headers, '{"a":1}', now)).toBe(false);
    expect(verify(secret, headers, '{"a":1}', now + 301)).toBe(false);
    expect(verify(secret, { ...headers, signature: `v1,bm9wZQ== ${headers.signature}` }, '{"a":1}', now)).toBe(true);
  });

  it('backs off exponentially with jitter, up to the cap', () => {
    expect(retryDelay(1, 5000, 3600_000, () => 1)).toBe(5000);
    expect(retryDelay(2, 5000, 3600_000, () => 1)).toBe(10_000);
    expect(retryDelay(3, 5000, 3600_000, () => 0)).toBe(10_000);
    expect(retryDelay(30, 5000, 3600_000, () => 1)).toBe(3600_000);
  });
});

describe('the request forgery guard', () => {
  it('knows loopback, private, link-local and mapped addresses from public ones', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(isPrivateAddress(a), a).toBe(false);
  });

  it('refuses private and loopback endpoints, and other schemes, unless the operator allows them', async () => {
    const { admin } = await setUp({ webhooks: { allowPrivate: false } });
    for (const [url, message] of [
      ['http://127.0.0.1:9/x', 'points at a private or loopback address (127.0.0.1)'],
      ['http://169.254.169.254/latest/meta-data', 'points at a private or loopback address'],
      ['http://[::1]/x', 'points at a private or loopback address (::1)'],
      ['http://localhost:8080/', 'points at a private or loopback address (localhost)'],
      ['ftp://example.com/x', 'must be an http or https URL'],
      ['http://user:pw@example.com/', 'must not carry a user name or password'],
    ]) {
      const res = await app.inject({ method: 'POST', url: '/api/webhooks', headers: { cookie: admin }, payload: { source: 'news.example', url, events: ['comment.decided'] } });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().message, url).toContain(message);
    }
  });

  it('refuses at connection time a name that resolves to a private address', async () => {
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => guardedLookup(false)('localhost', {}, (err) => resolve(err)));
    expect(error?.code).toBe('EPRIVATEADDRESS');
  });
});

describe('webhook deliveries', () => {
  it('signs and sends comment.decided to a real receiver, with the role but not the name of the moderator', async () => {
    const r = await receiver();
    closeReceiver = r.close;
    const { admin, moderator, ids } = await setUp();
    const { secret, endpoint } = await register(admin, { source: 'news.example', url: r.url, events: ['comment.decided'] });
    expect((await decide(moderator, ids[0]!, 'hide')).statusCode).toBe(200);
    await until('a delivery', () => r.received.length === 1);
    const [got] = r.received;
    const headers = { id: String(got!.headers['webhook-id']), timestamp: String(got!.headers['webhook-timestamp']), signature: String(got!.headers['webhook-signature']) };
    expect(verify(secret, headers, got!.body)).toBe(true);
    const body = JSON.parse(got!.body);
    expect(body).toMatchObject({
      type: 'comment.decided',
      data: { comment: { id: 'c1', threadId: 'a1', triageId: ids[0] }, decision: { action: 'hide', status: 'hidden', statusBefore: 'pending' }, moderator: { role: 'moderator' } },
    });
    expect(got!.body).not.toContain('mod-ann');
    const deliveries = await until('the delivery recorded', () => {
      const list = app.triage.webhooks.deliveries(endpoint.id);
      return list[0]?.state === 'delivered' && list;
    });
    expect(deliveries[0]).toMatchObject({ attempts: 1, lastStatus: 200, lastResponse: 'ok', messageId: headers.id });
  });

  it('names the moderator when the endpoint opts in, and sends only the events it asked for, of its own source', async () => {
    const r = await receiver();
    closeReceiver = r.close;
    const { admin, moderator, ids } = await setUp();
    await register(admin, { source: 'news.example', url: r.url, events: ['comment.decided'], includeModerator: true });
    await register(admin, { source: 'forum.example', url: r.url, events: ['comment.decided', 'comment.flagged', 'report.received'] });
    await decide(moderator, ids[0]!, 'approve');
    await until('a delivery', () => r.received.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(r.received).toHaveLength(1);
    expect(JSON.parse(r.received[0]!.body).data.moderator).toEqual({ role: 'moderator', username: 'mod-ann' });
  });

  it('retries with backoff until the receiver recovers, with the same webhook-id each time', async () => {
    const r = await receiver([500, 503, 200]);
    closeReceiver = r.close;
    const { admin, moderator, ids } = await setUp();
    const { endpoint } = await register(admin, { source: 'news.example', url: r.url, events: ['comment.decided'] });
    await decide(moderator, ids[0]!, 'hide');
    const [delivery] = await until('delivered after retries', () => {
      const list = app.triage.webhooks.deliveries(endpoint.id);
      return list[0]?.state === 'delivered' && list;
    });
    expect(delivery).toMatchObject({ attempts: 3, lastStatus: 200, lastError: null });
    expect(new Set(r.received.map((x) => x.headers['webhook-id'])).size).toBe(1);
    expect(r.received).toHaveLength(3);
    expect(app.triage.webhooks.listEndpoints()[0]).toMatchObject({ failingSince: null, disabledAt: null });
  });

  it('marks a delivery failed after the retry window and disables an endpoint that kept failing; the admin turns it back on and redelivers', async () => {
    const r = await receiver([500]);
    closeReceiver = r.close;
    const { admin, moderator, ids } = await setUp({ webhooks: { allowPrivate: true, baseDelayMs: 20, pollMs: 20, retryWindowMs: 150 } });
    const { endpoint } = await register(admin, { source: 'news.example', url: r.url, events: ['comment.decided'] });
    await decide(moderator, ids[0]!, 'hide');
    const failed = await until('failed', () => app.triage.webhooks.deliveries(endpoint.id).find((d) => d.state === 'failed'));
    expect(failed.attempts).toBeGreaterThan(1);
    expect(failed.lastStatus).toBe(500);
    expect(failed.lastResponse!.length).toBe(200);
    const list = (await app.inject({ url: '/api/webhooks', headers: { cookie: admin } })).json().endpoints;
    expect(list[0].disabledAt).not.toBeNull();
    expect(list[0].disabledReason).toMatch(/^Every delivery failed for .* \(last: HTTP 500\)$/);

    // Disabled: a new decision waits; turned back on, it goes, and a redelivery of the failed one too.
    const before = r.received.length;
    await decide(moderator, ids[1]!, 'hide');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(r.received.length).toBe(before);
    const ok = await receiver([200]);
    app.triage.db.prepare('UPDATE webhook_endpoints SET url = ? WHERE id = ?').run(ok.url, endpoint.id);
    expect((await app.inject({ method: 'POST', url: `/api/webhooks/${endpoint.id}/enable`, headers: { cookie: admin } })).json().endpoint.disabledAt).toBeNull();
    const again = await app.inject({ method: 'POST', url: `/api/webhooks/deliveries/${failed.id}/redeliver`, headers: { cookie: admin } });
    expect(again.json().delivery).toMatchObject({ messageId: failed.messageId, state: 'pending', attempts: 0 });
    await until('both delivered', () => ok.received.length === 2);
    expect(ok.received.map((x) => JSON.parse(x.body).data.comment.id).sort()).toEqual(['c1', 'c2']);
    await ok.close();
  });

  it('sends a test event, and lists recent deliveries to admins only', async () => {
    const r = await receiver();
    closeReceiver = r.close;
    const { admin, moderator } = await setUp();
    const { endpoint, secret } = await register(admin, { source: 'news.example', url: r.url, events: ['comment.flagged'] });
    const test = await app.inject({ method: 'POST', url: `/api/webhooks/${endpoint.id}/test`, headers: { cookie: admin } });
    expect(test.json().delivery.type).toBe('webhook.test');
    await until('the test event', () => r.received.length === 1);
    const got = r.received[0]!;
    expect(verify(secret, { id: String(got.headers['webhook-id']), timestamp: String(got.headers['webhook-timestamp']), signature: String(got.headers['webhook-signature']) }, got.body)).toBe(true);
    expect((await app.inject({ url: `/api/webhooks/${endpoint.id}/deliveries`, headers: { cookie: moderator } })).statusCode).toBe(403);
    expect((await app.inject({ url: `/api/webhooks/${endpoint.id}/deliveries`, headers: { cookie: admin } })).json().deliveries).toHaveLength(1);
  });
});

describe('GET /api/v1/decisions', () => {
  it('returns the key\u2019s source\u2019s decisions in order, resumable from a cursor, without names', async () => {
    const { key, moderator, ids } = await setUp({ sendWebhooks: false });
    const other = app.triage.integrations.createKey({ name: 'Forum', source: 'forum.example' }, null).key;
    await decide(moderator, ids[0]!, 'hide');
    await decide(moderator, ids[1]!, 'approve');
    const feed = (k: string, q = '') => app.inject({ url: `/api/v1/decisions${q}`, headers: { authorization: `Bearer ${k}` } });
    const first = (await feed(key, '?limit=1')).json();
    expect(first.decisions.map((d: { comment: { id: string }; decision: { status: string } }) => [d.comment.id, d.decision.status])).toEqual([['c1', 'hidden']]);
    expect(first.decisions[0].moderator).toEqual({ role: 'moderator' });
    const rest = (await feed(key, `?after=${first.nextCursor}`)).json();
    expect(rest.decisions.map((d: { comment: { id: string } }) => d.comment.id)).toEqual(['c2']);
    const none = (await feed(key, `?after=${rest.nextCursor}`)).json();
    expect(none).toEqual({ decisions: [], nextCursor: rest.nextCursor });
    expect((await feed(other)).json().decisions).toEqual([]);
    expect((await feed(key, '?after=abc')).statusCode).toBe(400);
  });
});
