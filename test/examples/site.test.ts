/**
 * The example site (examples/site/) against a real Triage: both listen on
 * 127.0.0.1, and everything between them goes over HTTP, as in production.
 */
import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REMOVED_TEXT } from '../../examples/site/page.mjs';
import { signWebhook } from '../../examples/site/verify.mjs';
import { DEFAULT_SEED, startSite } from '../../examples/site/site.mjs';
import { buildTestApp, signIn } from '../helpers/app.ts';
import type { BuildAppOptions } from '../../server/app.ts';

const SOURCE = 'example.site';

let app: FastifyInstance;
let triageUrl: string;
let apiKey: string;
let logged: { level: string; message: string }[];
const sites: { close(): Promise<void> }[] = [];

const log = {
  info: (message: string) => logged.push({ level: 'info', message }),
  warn: (message: string) => logged.push({ level: 'warn', message }),
  error: (message: string) => logged.push({ level: 'error', message }),
};

/** Triage as `npm start` runs it, on a free port unless given; `extra` goes to buildApp. */
async function startTriage(extra: BuildAppOptions = {}, port = 0) {
  app = await buildTestApp(extra);
  await app.listen({ host: '127.0.0.1', port });
  triageUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  // A Triage started again on the same database file keeps its key.
  if (app.triage.integrations.listKeys().length === 0) apiKey = app.triage.integrations.createKey({ name: 'Example', source: SOURCE }, null).key;
}

async function site(options: Parameters<typeof startSite>[0] = {}) {
  const started = await startSite({ port: 0, host: '127.0.0.1', triageUrl, apiKey, log, ...options });
  sites.push(started);
  return started;
}

beforeEach(() => {
  logged = [];
});
afterEach(async () => {
  for (const s of sites.splice(0)) await s.close();
  await app?.close();
});

/** The comments Triage holds for the example site, by the site's comment id. */
function stored() {
  const rows = app.triage.db
    .prepare(
      `SELECT c.id, c.external_id, c.body, c.author, c.author_id, p.external_id AS parent, c.status, c.report_count
       FROM comments c JOIN threads t ON t.id = c.thread_id LEFT JOIN comments p ON p.id = c.parent_id
       WHERE t.source = ? ORDER BY c.id`,
    )
    .all(SOURCE) as { id: number; external_id: string; body: string; author: string; author_id: string; parent: string | null; status: string; report_count: number }[];
  return new Map(rows.map((r) => [r.external_id, r]));
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields);

/** Posts the site's comment form as a browser would; returns the new comment's id. */
async function postComment(siteUrl: string, fields: Record<string, string>): Promise<string> {
  const res = await fetch(`${siteUrl}/comments`, { method: 'POST', body: form(fields), redirect: 'manual' });
  expect(res.status, await res.text()).toBe(303);
  const id = /#comment-(.+)$/.exec(res.headers.get('location') ?? '')?.[1];
  expect(id).toBeDefined();
  return decodeURIComponent(id!);
}

/** How the site's page shows one comment: its text, or that it was removed. */
async function shown(siteUrl: string, id: string): Promise<{ removed: boolean; html: string }> {
  const html = await (await fetch(`${siteUrl}/`)).text();
  const match = new RegExp(`id="comment-${id}">[\\s\\S]*?<p class="text( removed)?">([^<]*)</p>`).exec(html);
  if (!match) throw new Error(`comment ${id} is not on the page`);
  return { removed: match[1] !== undefined, html: match[2] };
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the example site', () => {
  it('pushes its comments on start (again harmlessly on a restart), each new one, and readers\u2019 reports', async () => {
    await startTriage();
    const first = await site();

    const seeded = stored();
    expect([...seeded.keys()]).toEqual(DEFAULT_SEED.comments.map((c) => c.id));
    expect(seeded.get('c2')).toMatchObject({ parent: 'c1', author: 'Ben', author_id: 'reader-ben', body: DEFAULT_SEED.comments[1].text });
    const thread = app.triage.db.prepare('SELECT external_id, title, url FROM threads WHERE source = ?').get(SOURCE);
    expect(thread).toEqual({ external_id: DEFAULT_SEED.article.id, title: DEFAULT_SEED.article.title, url: `${first.url}/` });

    // A reply through the page's form: the site keeps it, shows it as text, and Triage has it.
    const text = 'Who pays? <img src=x onerror=alert(1)> The county & the town, says the budget.';
    const id = await postComment(first.url, { name: 'Dee', text, parentId: 'c4' });
    expect(stored().get(id)).toMatchObject({ body: text, author: 'Dee', parent: 'c4', status: 'pending', author_id: expect.stringMatching(/^reader-/) });
    const page = await (await fetch(`${first.url}/`)).text();
    expect(page).not.toContain('<img src=x');
    expect(await shown(first.url, id)).toEqual({ removed: false, html: 'Who pays? &lt;img src=x onerror=alert(1)&gt; The county &amp; the town, says the budget.' });

    // A reader reports it: counted once per reader.
    const reader = { cookie: 'reader=0b7c8f3e-2a5d-4c1b-9e6f-3d2a1b0c9e8f' };
    const report = () => fetch(`${first.url}/comments/${encodeURIComponent(id)}/report`, { method: 'POST', body: form({ reason: 'spam' }), headers: reader, redirect: 'manual' });
    const reported = await report();
    expect(reported.status).toBe(303);
    expect(reported.headers.get('location')).toBe(`/?notice=reported#comment-${id}`);
    expect(stored().get(id)!.report_count).toBe(1);
    const reasons = app.triage.db.prepare('SELECT reporter_id, reason FROM reader_reports WHERE comment_id = ?').all(stored().get(id)!.id);
    expect(reasons).toEqual([{ reporter_id: '0b7c8f3e-2a5d-4c1b-9e6f-3d2a1b0c9e8f', reason: 'spam' }]);
    expect((await report()).headers.get('location')).toBe(`/?notice=already-reported#comment-${id}`);
    expect(stored().get(id)!.report_count).toBe(1);

    // A second site start sends the seed again: nothing changes in Triage.
    const before = stored();
    await site();
    expect(stored()).toEqual(before);
    expect(logged.filter((l) => l.message.includes('"unchanged":4'))).toHaveLength(1);
    expect(logged.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('refuses what it cannot take: an empty comment, a reply to nothing, an unknown reason', async () => {
    await startTriage();
    const s = await site();
    const post = (fields: Record<string, string>) => fetch(`${s.url}/comments`, { method: 'POST', body: form(fields), redirect: 'manual' });
    expect((await post({ name: 'Dee', text: '   ' })).status).toBe(400);
    expect((await post({ name: '', text: 'Hello' })).status).toBe(400);
    expect((await post({ name: 'Dee', text: 'Hello', parentId: 'nope' })).status).toBe(400);
    const badReason = await fetch(`${s.url}/comments/c1/report`, { method: 'POST', body: form({ reason: '<script>' }), redirect: 'manual' });
    expect(badReason.status).toBe(400);
    expect((await fetch(`${s.url}/comments/nope/report`, { method: 'POST', body: form({ reason: 'spam' }) })).status).toBe(404);
    expect(stored().size).toBe(DEFAULT_SEED.comments.length);
  });

  it('keeps the comments it could not send, and sends them with the next push once Triage answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'triage-example-'));
    try {
      await startTriage({ dbPath: join(dir, 'triage.db') });
      const port = (app.server.address() as AddressInfo).port;
      await app.close();
      const s = await site();
      expect(logged.filter((l) => l.level === 'error').map((l) => l.message)).toEqual([expect.stringContaining('could not send comments to Triage')]);
      expect(logged.some((l) => l.message.includes(apiKey))).toBe(false);

      await startTriage({ dbPath: join(dir, 'triage.db') }, port);
      expect(stored().size).toBe(0);
      const id = await postComment(s.url, { name: 'Dee', text: 'Now it goes through.', parentId: 'c3' });
      expect([...stored().keys()]).toEqual([...DEFAULT_SEED.comments.map((c) => c.id), id]);
    } finally {
      await app.close();
      for (const s of sites.splice(0)) await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('acts on a signed webhook once: refuses bad signatures and old timestamps, answers a repeat without acting, keeps the newest decision', async () => {
    await startTriage();
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const s = await site({ webhookSecret: secret });
    const decided = (decisionId: number, status: string) =>
      JSON.stringify({
        type: 'comment.decided',
        timestamp: new Date().toISOString(),
        data: {
          comment: { id: 'c2', triageId: 2, threadId: DEFAULT_SEED.article.id },
          decision: { id: decisionId, action: status === 'hidden' ? 'hide' : 'approve', status, statusBefore: 'pending', undoes: null },
          moderator: { role: 'moderator' },
        },
      });
    const deliver = (id: string, body: string, opts: { key?: string; at?: number } = {}) => {
      const at = opts.at ?? Math.floor(Date.now() / 1000);
      const headers = { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(at), 'webhook-signature': signWebhook(opts.key ?? secret, id, at, body) };
      return fetch(`${s.url}/webhooks/triage`, { method: 'POST', headers, body });
    };

    const forged = await deliver('msg_1', decided(5, 'hidden'), { key: `whsec_${randomBytes(32).toString('base64')}` });
    expect(forged.status).toBe(401);
    expect((await deliver('msg_1', decided(5, 'hidden'), { at: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
    expect(await shown(s.url, 'c2')).toMatchObject({ removed: false });

    const hidden = await deliver('msg_1', decided(5, 'hidden'));
    expect([hidden.status, await hidden.json()]).toEqual([200, { ok: true }]);
    expect(await shown(s.url, 'c2')).toEqual({ removed: true, html: REMOVED_TEXT });
    // A repeat of a webhook it acted on (a retry keeps its webhook-id) changes nothing.
    const repeat = await deliver('msg_1', decided(6, 'approved'));
    expect([repeat.status, await repeat.json()]).toEqual([200, { ok: true, duplicate: true }]);
    expect(await shown(s.url, 'c2')).toMatchObject({ removed: true });
    // A late delivery of an older decision does not undo a newer one.
    expect((await deliver('msg_0', decided(4, 'approved'))).status).toBe(200);
    expect(await shown(s.url, 'c2')).toMatchObject({ removed: true });
    expect((await deliver('msg_2', decided(7, 'approved'))).status).toBe(200);
    expect(await shown(s.url, 'c2')).toMatchObject({ removed: false });
    // Other events are acknowledged and change nothing.
    expect((await deliver('msg_3', JSON.stringify({ type: 'webhook.test', timestamp: new Date().toISOString(), data: {} }))).status).toBe(200);
    expect(logged.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'example site: refused a webhook: no signature matches',
      'example site: refused a webhook: webhook-timestamp is more than 5 minutes off',
    ]);
  });

  it('shows a comment as removed when a moderator hides it, and again when approved (signed webhooks)', async () => {
    // The site is on 127.0.0.1, which Triage refuses as a webhook target unless told (TRIAGE_WEBHOOKS_ALLOW_PRIVATE).
    await startTriage({ webhooks: { allowPrivate: true } });
    const { cookie } = await signIn(app, 'admin');

    // The endpoint's URL needs the site's port, and the site needs the endpoint's secret:
    // start it once to get a port, register, then start it again there with the secret.
    const probe = await site({ syncOnStart: false });
    const port = probe.port;
    const url = `${probe.url}/webhooks/triage`;
    const registered = await app.inject({ method: 'POST', url: '/api/webhooks', headers: { cookie }, payload: { source: SOURCE, url, events: ['comment.decided'] } });
    expect(registered.statusCode, registered.body).toBe(200);
    const { secret } = registered.json() as { endpoint: { id: number }; secret: string };
    expect(secret).toMatch(/^whsec_/);
    await probe.close();
    sites.pop();
    const s = await site({ port, webhookSecret: secret });

    const id = await postComment(s.url, { name: 'Eve', text: 'You are all idiots.', parentId: 'c1' });
    const triageId = stored().get(id)!.id;
    // The moderators' API, over real HTTP, as the dashboard calls it.
    const decide = async (action: 'hide' | 'approve') => {
      const res = await fetch(`${triageUrl}/api/comments/${triageId}/decision`, {
        method: 'POST',
        headers: { cookie, 'x-requested-with': 'triage', 'content-type': 'application/json' },
        body: JSON.stringify({ action }),
      });
      expect(res.status, await res.text()).toBe(200);
    };

    await decide('hide');
    await until('the comment to show as removed', async () => ((await shown(s.url, id)).removed ? true : undefined));
    expect(await shown(s.url, id)).toEqual({ removed: true, html: REMOVED_TEXT });
    expect(await shown(s.url, 'c1')).toMatchObject({ removed: false });

    await decide('approve');
    await until('the comment to show again', async () => ((await shown(s.url, id)).removed ? undefined : true));
    expect(await shown(s.url, id)).toEqual({ removed: false, html: 'You are all idiots.' });
    expect(logged.filter((l) => l.level === 'error')).toEqual([]);
  });
});
