import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../server/auth/password.ts';
import { hashToken, SESSION_TTL_MS } from '../../server/auth/service.ts';
import { buildTestApp, signIn } from '../helpers/app.ts';

let app: FastifyInstance;
let clock = 1_800_000_000_000;
beforeEach(async () => {
  clock = 1_800_000_000_000;
  app = await buildTestApp({ now: () => clock });
});
afterEach(() => app.close());

describe('passwords', () => {
  it('hashes with a random salt and verifies only the right password', async () => {
    const a = await hashPassword('s3cret-password');
    const b = await hashPassword('s3cret-password');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$/);
    expect(await verifyPassword('s3cret-password', a)).toBe(true);
    expect(await verifyPassword('s3cret-passwore', a)).toBe(false);
    expect(await verifyPassword('s3cret-password', 'garbage')).toBe(false);
  });
});

describe('sessions', () => {
  it('answers 401 without a cookie on every API route but health and login', async () => {
    for (const url of ['/api/me', '/api/queue', '/api/threads', '/api/stats', '/api/comments/1', '/api/users']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(401);
      expect(res.json()).toEqual({ error: 'UNAUTHENTICATED', message: 'Sign in first' });
    }
    expect((await app.inject({ url: '/api/health' })).statusCode).toBe(200);
  });

  it('signs in with a httpOnly SameSite=Lax cookie and stores only the token hash', async () => {
    await app.triage.auth.addUser({ username: 'mia', password: 'long enough pw', role: 'moderator' });
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'mia', password: 'long enough pw' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ user: { id: 1, username: 'mia', role: 'moderator' } });
    const cookie = res.cookies.find((c) => c.name === 'triage_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    const rows = app.triage.db.prepare('SELECT token_hash FROM sessions').all() as { token_hash: string }[];
    expect(rows).toEqual([{ token_hash: hashToken(cookie.value) }]);
    const me = await app.inject({ url: '/api/me', headers: { cookie: `triage_session=${cookie.value}` } });
    expect(me.json()).toEqual({ user: { id: 1, username: 'mia', role: 'moderator' } });
  });

  it('rejects a wrong password and an unknown user alike', async () => {
    await app.triage.auth.addUser({ username: 'mia', password: 'long enough pw', role: 'moderator' });
    for (const payload of [{ username: 'mia', password: 'wrong password' }, { username: 'nobody', password: 'long enough pw' }]) {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: 'BAD_CREDENTIALS', message: 'Wrong username or password' });
    }
  });

  it('logout ends the session', async () => {
    const { cookie } = await signIn(app);
    expect((await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } })).json()).toEqual({ ok: true });
    const res = await app.inject({ url: '/api/me', headers: { cookie } });
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toBe('Your session has ended; sign in again');
  });

  it('sessions expire', async () => {
    const { cookie } = await signIn(app);
    clock += SESSION_TTL_MS + 1;
    expect((await app.inject({ url: '/api/me', headers: { cookie } })).statusCode).toBe(401);
  });
});

describe('user admin', () => {
  it('only admins list, add and change users', async () => {
    const lead = await signIn(app, 'lead');
    for (const req of [
      { method: 'GET' as const, url: '/api/users' },
      { method: 'POST' as const, url: '/api/users', payload: { username: 'x', password: 'long enough pw', role: 'admin' } },
      { method: 'PATCH' as const, url: `/api/users/${lead.user.id}`, payload: { role: 'admin' } },
    ]) {
      const res = await app.inject({ ...req, headers: { cookie: lead.cookie } });
      expect(res.statusCode, req.url).toBe(403);
      expect(res.json()).toEqual({ error: 'FORBIDDEN', message: 'This needs the admin role' });
    }
    expect(app.triage.stores.auth.getById(lead.user.id)!.role).toBe('lead');
  });

  it('adds a user, changes the role, disables the account and ends its sessions', async () => {
    const admin = await signIn(app, 'admin');
    const added = await app.inject({
      method: 'POST',
      url: '/api/users',
      headers: { cookie: admin.cookie },
      payload: { username: 'noor', password: 'noor keeps the queue', role: 'moderator' },
    });
    expect(added.statusCode).toBe(200);
    const id = added.json().user.id as number;
    const dup = await app.inject({ method: 'POST', url: '/api/users', headers: { cookie: admin.cookie }, payload: { username: 'noor', password: 'another long passphrase', role: 'lead' } });
    expect(dup.statusCode).toBe(409);

    const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'noor', password: 'noor keeps the queue' } });
    const noorCookie = `triage_session=${login.cookies[0].value}`;
    const patched = await app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: { cookie: admin.cookie }, payload: { role: 'lead' } });
    expect(patched.json()).toEqual({ user: { id, username: 'noor', role: 'lead' } });
    expect((await app.inject({ url: '/api/me', headers: { cookie: noorCookie } })).json().user.role).toBe('lead');

    await app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: { cookie: admin.cookie }, payload: { disabled: true } });
    expect((await app.inject({ url: '/api/me', headers: { cookie: noorCookie } })).statusCode).toBe(401);
    const again = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'noor', password: 'noor keeps the queue' } });
    expect(again.statusCode).toBe(401);
    const list = await app.inject({ url: '/api/users', headers: { cookie: admin.cookie } });
    expect(list.json().users.find((u: { id: number }) => u.id === id)).toEqual({ id, username: 'noor', role: 'lead', disabled: true });
  });

  it('keeps the last admin', async () => {
    const admin = await signIn(app, 'admin');
    const res = await app.inject({ method: 'PATCH', url: `/api/users/${admin.user.id}`, headers: { cookie: admin.cookie }, payload: { role: 'moderator' } });
    expect(res.statusCode).toBe(409);
    expect(app.triage.stores.auth.getById(admin.user.id)!.role).toBe('admin');
  });

  it('names the field of bad input', async () => {
    const admin = await signIn(app, 'admin');
    const res = await app.inject({ method: 'POST', url: '/api/users', headers: { cookie: admin.cookie }, payload: { username: 'z', password: 'long enough pw', role: 'boss' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'VALIDATION', message: 'body/role must be one of moderator, lead, admin' });
    const extra = await app.inject({ method: 'POST', url: '/api/users', headers: { cookie: admin.cookie }, payload: { username: 'z', password: 'long enough pw', role: 'lead', isAdmin: true } });
    expect(extra.json()).toEqual({ error: 'VALIDATION', message: 'body/isAdmin is not allowed' });
  });
});
