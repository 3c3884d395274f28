/**
 * Cross-site request forgery (server/auth/csrf.ts): a page on another origin
 * (another port is enough) posted text/plain and multipart imports and a
 * logout, which browsers send without a preflight, with the user's cookie.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { crossOriginRefusal, ownOrigin } from '../../server/auth/csrf.ts';
import { buildTestApp, signIn } from '../helpers/app.ts';

const BLOG_JSON = JSON.stringify({ id: 'planted', title: 'Planted thread', comments: [{ author: 'x', text: 'planted comment' }] });

let app: FastifyInstance;
let cookie: string;
beforeEach(async () => {
  app = await buildTestApp();
  ({ cookie } = await signIn(app));
});
afterEach(() => app.close());

const HOST = 'triage.test:3000';
const threads = () => (app.triage.db.prepare('SELECT count(*) AS n FROM threads').get() as { n: number }).n;
const signedIn = async () => (await app.inject({ url: '/api/me', headers: { cookie, host: HOST } })).statusCode === 200;

function multipart(text: string) {
  const boundary = 'csrfboundary';
  return {
    payload: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.json"\r\nContent-Type: application/json\r\n\r\n${text}\r\n--${boundary}--\r\n`,
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

describe('CSRF: state changes from another origin', () => {
  it('refuses a text/plain import, a multipart import and a logout from a page on another port, storing nothing', async () => {
    const evil = { cookie, host: HOST, origin: 'http://triage.test:8080', 'sec-fetch-site': 'same-site', 'x-requested-with': undefined };
    const text = await app.inject({ method: 'POST', url: '/api/import?format=json', headers: { ...evil, 'content-type': 'text/plain' }, payload: BLOG_JSON });
    expect(text.statusCode).toBe(403);
    expect(text.json()).toEqual({
      error: 'FORBIDDEN',
      message: 'Refused this POST: it comes from http://triage.test:8080, not from this server (http://triage.test:3000)',
    });
    const form = multipart(BLOG_JSON);
    const upload = await app.inject({ method: 'POST', url: '/api/import', headers: { ...evil, 'content-type': form.contentType }, payload: form.payload });
    expect(upload.statusCode).toBe(403);
    const logout = await app.inject({ method: 'POST', url: '/api/auth/logout', headers: evil });
    expect(logout.statusCode).toBe(403);
    expect(threads()).toBe(0);
    expect(await signedIn()).toBe(true);
  });

  it('refuses the same even when the page sends the client header, and for every method that changes state', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      const res = await app.inject({ method, url: '/api/import', headers: { cookie, host: HOST, origin: 'https://evil.example', 'content-type': 'text/plain' }, payload: BLOG_JSON });
      expect(res.statusCode, method).toBe(403);
      expect(res.json().message).toMatch(/^Refused this \w+: it comes from https:\/\/evil.example/);
    }
    expect(threads()).toBe(0);
  });

  it('refuses by Sec-Fetch-Site when there is no Origin, and an opaque origin', async () => {
    for (const headers of [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'null' }]) {
      const res = await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie, host: HOST, ...headers } });
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
    }
    expect(await signedIn()).toBe(true);
  });

  it('refuses a sign-in from another origin (login CSRF), though sign-in needs no session', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', headers: { host: HOST, origin: 'http://evil.example' }, payload: { username: 'x', password: 'y' } });
    expect(res.statusCode).toBe(403);
    expect(res.cookies).toEqual([]);
  });

  it('accepts the dashboard on its own origin, and clients that send neither header (curl, the CLI)', async () => {
    const own = await app.inject({
      method: 'POST',
      url: '/api/import?format=json',
      headers: { cookie, host: HOST, origin: 'http://TRIAGE.test:3000', 'sec-fetch-site': 'same-origin', 'content-type': 'text/plain' },
      payload: BLOG_JSON,
    });
    expect(own.statusCode).toBe(200);
    const typed = await app.inject({ method: 'POST', url: '/api/import', headers: { cookie, host: HOST, 'sec-fetch-site': 'none', 'content-type': 'text/plain' }, payload: BLOG_JSON });
    expect(typed.statusCode).toBe(200);
    const curl = await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie, host: HOST } });
    expect(curl.statusCode).toBe(200);
    // Reading is never refused: GET changes nothing.
    expect((await app.inject({ url: '/api/health', headers: { origin: 'http://evil.example' } })).statusCode).toBe(200);
  });

  it('compares with the scheme the app is served on: https behind a trusted proxy', async () => {
    const proxied = await buildTestApp({ trustProxy: true });
    try {
      const login = await signIn(proxied);
      const headers = { cookie: login.cookie, host: 'triage.example', 'x-forwarded-proto': 'https' };
      const http = await proxied.inject({ method: 'POST', url: '/api/auth/logout', headers: { ...headers, origin: 'http://triage.example' } });
      expect(http.statusCode).toBe(403);
      const https = await proxied.inject({ method: 'POST', url: '/api/auth/logout', headers: { ...headers, origin: 'https://triage.example' } });
      expect(https.statusCode).toBe(200);
    } finally {
      await proxied.close();
    }
  });
});

describe('CSRF: the client header on signed-in changes', () => {
  it('refuses a signed-in change without X-Requested-With: triage, with a message that names it', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/import', headers: { cookie, 'content-type': 'text/plain', 'x-requested-with': undefined }, payload: BLOG_JSON });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({
      error: 'FORBIDDEN',
      message: 'Refused this POST: a signed-in change needs the header x-requested-with: triage (the dashboard sends it; so must scripts)',
    });
    const wrong = await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie, 'x-requested-with': 'XMLHttpRequest' } });
    expect(wrong.statusCode).toBe(403);
    expect(threads()).toBe(0);
    expect(await signedIn()).toBe(true);
  });

  it('accepts it with the header, and needs none to read or to sign in', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/import', headers: { cookie, 'content-type': 'text/plain', 'x-requested-with': 'triage' }, payload: BLOG_JSON });
    expect(res.statusCode).toBe(200);
    expect((await app.inject({ url: '/api/queue', headers: { cookie, 'x-requested-with': undefined } })).statusCode).toBe(200);
    await app.triage.auth.addUser({ username: 'rin', password: 'a long passphrase 42', role: 'moderator' });
    const login = await app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-requested-with': undefined }, payload: { username: 'rin', password: 'a long passphrase 42' } });
    expect(login.statusCode).toBe(200);
  });

  it('answers 401, not 403, without a session', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/decisions', headers: { 'x-requested-with': undefined }, payload: { commentIds: [1], action: 'hide' } });
    expect(res.statusCode).toBe(401);
  });
});

describe('CSRF rules (pure)', () => {
  it('derives the own origin from scheme and Host, and trusts no odd Host', () => {
    expect(ownOrigin('http', '127.0.0.1:3000')).toBe('http://127.0.0.1:3000');
    expect(ownOrigin('https', 'Triage.Example:443')).toBe('https://triage.example');
    expect(ownOrigin('http', '[::1]:3000')).toBe('http://[::1]:3000');
    for (const host of [undefined, '', 'evil.example/path', 'user@evil.example', 'a b']) expect(ownOrigin('http', host), String(host)).toBeNull();
  });

  it('passes own-origin and header-less requests, refuses the rest', () => {
    const own = 'http://127.0.0.1:3000';
    expect(crossOriginRefusal({}, own)).toBeNull();
    expect(crossOriginRefusal({ origin: 'http://127.0.0.1:3000' }, own)).toBeNull();
    expect(crossOriginRefusal({ 'sec-fetch-site': 'same-origin' }, own)).toBeNull();
    expect(crossOriginRefusal({ 'sec-fetch-site': 'none' }, own)).toBeNull();
    expect(crossOriginRefusal({ origin: 'http://127.0.0.1:8080' }, own)).toMatch(/not from this server/);
    expect(crossOriginRefusal({ origin: 'https://127.0.0.1:3000' }, own)).toMatch(/not from this server/);
    expect(crossOriginRefusal({ origin: 'http://127.0.0.1:3000' }, null)).toMatch(/unknown host/);
    expect(crossOriginRefusal({ origin: ['http://127.0.0.1:3000', 'http://evil'] }, own)).toMatch(/several origins/);
    expect(crossOriginRefusal({ 'sec-fetch-site': 'cross-site' }, own)).toMatch(/cross-site page/);
  });
});
