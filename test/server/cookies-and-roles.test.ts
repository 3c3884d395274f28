/**
 * Secure session cookies behind a TLS proxy (TRIAGE_TRUST_PROXY), a lead's
 * ruling on an escalation that moderators cannot reverse, and whose notes a
 * moderator may read.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { rawFromEnv, resolveConfig } from '../../server/config.ts';
import { leadRulingStands, roleNeeded } from '../../server/moderation/service.ts';
import { buildTestApp, insertThreads, makeComment, makeThread, signIn } from '../helpers/app.ts';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function login(a: FastifyInstance, headers: Record<string, string>) {
  const username = `u${Math.random().toString(36).slice(2, 10)}`;
  await a.triage.auth.addUser({ username, password: 'a long passphrase 42', role: 'moderator' });
  const res = await a.inject({ method: 'POST', url: '/api/auth/login', headers, payload: { username, password: 'a long passphrase 42' } });
  expect(res.statusCode).toBe(200);
  return res.cookies.find((c) => c.name === 'triage_session')!;
}

describe('session cookie behind a TLS proxy', () => {
  it('is Secure when a trusted proxy says the request came over https', async () => {
    app = await buildTestApp({ trustProxy: true });
    const cookie = await login(app, { 'x-forwarded-proto': 'https' });
    expect(cookie.secure).toBe(true);
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    const logout = await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: `triage_session=${cookie.value}`, 'x-forwarded-proto': 'https' } });
    expect(logout.cookies.find((c) => c.name === 'triage_session')).toMatchObject({ value: '', secure: true });
  });

  it('trusts only the proxies named: from another address X-Forwarded-Proto is ignored', async () => {
    // app.inject comes from 127.0.0.1.
    app = await buildTestApp({ trustProxy: '127.0.0.1' });
    expect((await login(app, { 'x-forwarded-proto': 'https' })).secure).toBe(true);
    await app.close();
    app = await buildTestApp({ trustProxy: '10.0.0.0/8' });
    expect((await login(app, { 'x-forwarded-proto': 'https' })).secure).toBeFalsy();
  });

  it('is not Secure over plain http, and a client cannot claim https without a trusted proxy', async () => {
    app = await buildTestApp();
    expect((await login(app, {})).secure).toBeFalsy();
    expect((await login(app, { 'x-forwarded-proto': 'https' })).secure).toBeFalsy();
  });

  it('is configured by TRIAGE_TRUST_PROXY or --trust-proxy: off by default, on, or proxy addresses', () => {
    expect(resolveConfig({}).trustProxy).toBe(false);
    expect(rawFromEnv({ TRIAGE_TRUST_PROXY: '1' })).toEqual({ trustProxy: '1' });
    expect(resolveConfig(rawFromEnv({ TRIAGE_TRUST_PROXY: '1' })).trustProxy).toBe(true);
    expect(resolveConfig({ trustProxy: 'off' }).trustProxy).toBe(false);
    expect(resolveConfig({ trustProxy: '127.0.0.1, 10.0.0.0/8,::1,loopback' }).trustProxy).toBe('127.0.0.1,10.0.0.0/8,::1,loopback');
    // The flag wins; alone (`--trust-proxy`) it trusts any peer.
    expect(resolveConfig({ trustProxy: '0' }, { trustProxy: true }).trustProxy).toBe(true);
    expect(resolveConfig({ trustProxy: '1' }, { trustProxy: '192.168.0.2' }).trustProxy).toBe('192.168.0.2');
    expect(() => resolveConfig({ trustProxy: 'proxy.example' })).toThrow(
      'TRIAGE_TRUST_PROXY must be 1, 0, or proxy addresses and CIDR ranges separated by commas (got "proxy.example")',
    );
    expect(() => resolveConfig({}, { trustProxy: '10.0.0.0/33' })).toThrow('--trust-proxy must be 1, 0, or proxy addresses');
    expect(() => resolveConfig({ trustProxy: '2' })).toThrow('TRIAGE_TRUST_PROXY must be 1, 0');
  });
});

describe('a lead\u2019s ruling on an escalation', () => {
  async function setup() {
    app = await buildTestApp();
    const ids = insertThreads(app, [makeThread({ comments: [makeComment({ externalId: 'x' }), makeComment({ externalId: 'y' })] })]);
    const people = {
      mod: await signIn(app, 'moderator'),
      other: await signIn(app, 'moderator'),
      lead: await signIn(app, 'lead'),
      admin: await signIn(app, 'admin'),
    };
    const decide = (who: keyof typeof people, id: number, action: string) =>
      app!.inject({ method: 'POST', url: `/api/comments/${id}/decision`, headers: { cookie: people[who].cookie }, payload: { action } });
    return { x: ids.get('x')!, y: ids.get('y')!, people, decide };
  }

  it('stands against moderators: a lead resolves an escalation, a moderator cannot reverse it, one by one or in bulk', async () => {
    const { x, people, decide } = await setup();
    expect((await decide('mod', x, 'escalate')).statusCode).toBe(200);
    expect((await decide('lead', x, 'hide')).statusCode).toBe(200);
    const reverse = await decide('other', x, 'approve');
    expect(reverse.statusCode).toBe(403);
    expect(reverse.json()).toEqual({ error: 'FORBIDDEN', message: 'This needs the lead or admin (to change a lead\u2019s ruling on an escalated comment) role' });
    expect((await decide('mod', x, 'escalate')).statusCode).toBe(403);
    const bulk = await app!.inject({ method: 'POST', url: '/api/decisions', headers: { cookie: people.other.cookie }, payload: { commentIds: [x], action: 'approve' } });
    expect(bulk.statusCode).toBe(403);
    expect(app!.triage.stores.moderation.getComment(x)!.status).toBe('hidden');
  });

  it('stays with leads when a lead decides again, and admins may change it', async () => {
    const { x, decide } = await setup();
    await decide('mod', x, 'escalate');
    await decide('lead', x, 'hide');
    expect((await decide('lead', x, 'approve')).statusCode).toBe(200);
    expect((await decide('mod', x, 'hide')).statusCode).toBe(403);
    expect((await decide('admin', x, 'hide')).statusCode).toBe(200);
    expect((await decide('mod', x, 'approve')).statusCode).toBe(403);
  });

  it('ends when the ruling is undone, and never binds comments no lead ruled on', async () => {
    const { x, y, people, decide } = await setup();
    await decide('mod', x, 'escalate');
    const ruling = (await decide('lead', x, 'approve')).json().decision.id as number;
    const undo = await app!.inject({ method: 'POST', url: `/api/decisions/${ruling}/undo`, headers: { cookie: people.lead.cookie } });
    expect(undo.statusCode).toBe(200);
    expect(undo.json().comment.status).toBe('escalated');
    // Escalated again: still for leads to resolve.
    expect((await decide('mod', x, 'approve')).statusCode).toBe(403);
    // Moderators keep changing each other's decisions where no lead ruled.
    expect((await decide('mod', y, 'hide')).statusCode).toBe(200);
    expect((await decide('other', y, 'approve')).statusCode).toBe(200);
  });

  it('is a pure rule over the history (roleNeeded, leadRulingStands)', () => {
    const d = (action: 'approve' | 'hide' | 'escalate' | 'undo', statusBefore: 'pending' | 'approved' | 'hidden' | 'escalated', undoneById: number | null = null) => ({ action, statusBefore, undoneById });
    expect(leadRulingStands([])).toBe(false);
    expect(leadRulingStands([d('escalate', 'pending'), d('hide', 'escalated')])).toBe(true);
    expect(leadRulingStands([d('escalate', 'pending'), d('hide', 'escalated'), d('approve', 'hidden')])).toBe(true);
    expect(leadRulingStands([d('escalate', 'pending'), d('hide', 'escalated', 3), d('undo', 'hidden')])).toBe(false);
    expect(leadRulingStands([d('hide', 'pending'), d('approve', 'hidden')])).toBe(false);
    expect(roleNeeded('hidden', 'approve')).toBe('moderator');
    expect(roleNeeded('hidden', 'approve', true)).toBe('lead');
    expect(roleNeeded('escalated', 'hide')).toBe('lead');
    expect(() => roleNeeded('hidden', 'hide', true)).toThrow('comment is already hidden');
  });
});

describe('notes in a comment\u2019s history', () => {
  it('shows moderators their own notes and hides other moderators\u2019 (null, noteHidden); leads and admins read all', async () => {
    app = await buildTestApp();
    const ids = insertThreads(app, [makeThread({ comments: [makeComment({ externalId: 'n' })] })]);
    const id = ids.get('n')!;
    const mod = await signIn(app, 'moderator');
    const other = await signIn(app, 'moderator');
    const lead = await signIn(app, 'lead');
    const admin = await signIn(app, 'admin');
    const decide = (cookie: string, action: string, note?: string) =>
      app!.inject({ method: 'POST', url: `/api/comments/${id}/decision`, headers: { cookie }, payload: note ? { action, note } : { action } });
    const own = await decide(mod.cookie, 'hide', 'the author is a known troll');
    expect(own.json().decision.note).toBe('the author is a known troll');
    await decide(other.cookie, 'approve');
    await decide(other.cookie, 'escalate', 'needs a second look');
    await decide(lead.cookie, 'hide', 'lead: hidden for good');

    const history = async (who: { cookie: string }) => {
      const res = await app!.inject({ url: `/api/comments/${id}`, headers: { cookie: who.cookie } });
      expect(res.statusCode).toBe(200);
      return (res.json().history as { note: string | null; noteHidden?: true }[]).map((h) => ({ note: h.note, noteHidden: h.noteHidden }));
    };
    expect(await history(mod)).toEqual([
      { note: 'the author is a known troll', noteHidden: undefined },
      { note: null, noteHidden: undefined },
      { note: null, noteHidden: true },
      { note: null, noteHidden: true },
    ]);
    expect(await history(other)).toEqual([
      { note: null, noteHidden: true },
      { note: null, noteHidden: undefined },
      { note: 'needs a second look', noteHidden: undefined },
      { note: null, noteHidden: true },
    ]);
    const all = [
      { note: 'the author is a known troll', noteHidden: undefined },
      { note: null, noteHidden: undefined },
      { note: 'needs a second look', noteHidden: undefined },
      { note: 'lead: hidden for good', noteHidden: undefined },
    ];
    expect(await history(lead)).toEqual(all);
    expect(await history(admin)).toEqual(all);
    // The hidden note is not anywhere in the moderator's answer.
    const raw = await app.inject({ url: `/api/comments/${id}`, headers: { cookie: mod.cookie } });
    expect(raw.body).not.toContain('needs a second look');
    expect(raw.body).not.toContain('hidden for good');
  });
});
