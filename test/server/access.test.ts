/**
 * Deny by default: every route needs a session unless its declaration says
 * `config: { access: 'public' }` (server/auth/access.ts). Checked for every
 * route the app registers, under many spellings of its path, because the
 * router decodes percent-escapes: `/%61pi/queue` is `/api/queue`.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAccessDeclaration } from '../../server/auth/access.ts';
import { buildTestApp, signIn } from '../helpers/app.ts';

const INDEX_HTML = '<!doctype html><title>Triage sign-in</title>';

interface Route {
  method: string;
  url: string;
  public: boolean;
  access: unknown;
}

/** The public routes, as the findings define them: nothing else may answer without a session. */
const EXPECTED_PUBLIC = [
  'GET /',
  'GET /api/health',
  'GET /api/v1/openapi.json',
  'GET /assets/*',
  'GET /assets/app.js',
  'GET /index.html',
  'HEAD /',
  'HEAD /api/health',
  'HEAD /api/v1/openapi.json',
  'HEAD /assets/*',
  'HEAD /assets/app.js',
  'HEAD /index.html',
  'POST /api/auth/login',
];

/** A concrete path for a route pattern: `:id` → 1, `:label` → toxicity. */
function concrete(url: string): string {
  return url.replace(/:label\b/g, 'toxicity').replace(/:[A-Za-z]+/g, '1');
}

/** Other spellings of the same path that a router or a proxy might read as it. */
function spellings(path: string): string[] {
  const hex = (c: string, upper = false) => `%${c.charCodeAt(0).toString(16)[upper ? 'toUpperCase' : 'toLowerCase']()}`;
  const variants = [
    path,
    path.replace(/[a-z]/i, (c) => hex(c)), // /%61pi/queue
    path.replace(/[a-z]/gi, (c) => hex(c, true)), // every letter escaped, upper-case hex
    path.replace(/\/([a-z])/gi, (_m, c: string) => `/${hex(c)}`), // first letter of each segment
    path.replace(/\//g, '%2F'),
    path.replace(/\/(?=[^/]*$)/, '%2f'),
    `/${path}`, // //api/queue
    path.replace(/\/(?=[^/]*$)/, '//'), // /api//queue
    `${path}/`,
    path.toUpperCase(),
    [...path].map((c, i) => (i % 2 ? c.toUpperCase() : c.toLowerCase())).join(''), // mixed case
    `${path};x=1`,
    path.replace(/^(\/[^/]+)/, '$1;jsessionid=1'),
    path.replace(/\/(?=[^/]*$)/, '/./'),
    path.replace(/^(\/[^/]+)/, '$1/x/..'),
    path.replace(/\//g, '\\'),
    `${path}%00`,
    `${path}?x=1`,
    `${path}#x`,
  ];
  return [...new Set(variants)];
}

let app: FastifyInstance;
let dir: string;
const registered: RouteOptions[] = [];
let routes: Route[];

beforeAll(async () => {
  // A built dashboard, so its routes (public) are among those checked.
  dir = mkdtempSync(join(tmpdir(), 'triage-access-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX_HTML);
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log("app")');
  app = await buildTestApp({ webDist: dir, onRoute: (route) => void registered.push(route) });
  await app.ready();
  // Read after ready: the dashboard's own onRoute hook marks its routes after ours sees them.
  routes = registered.flatMap((r) =>
    (Array.isArray(r.method) ? r.method : [r.method]).map((method) => ({ method, url: r.url, public: r.config?.access === 'public', access: r.config?.access })),
  );
});

afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('access: deny by default', () => {
  it('registers the routes we expect, and only the documented ones are public', () => {
    expect(routes.length).toBeGreaterThan(25);
    expect(routes.filter((r) => r.public).map((r) => `${r.method} ${r.url}`).sort()).toEqual(EXPECTED_PUBLIC);
  });

  it('answers 401 without a session on every non-public route, under every spelling of its path, and never 200 with data', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const route of routes.filter((r) => !r.public)) {
      for (const url of spellings(concrete(route.url))) {
        const res = await app.inject({ method: route.method as 'GET', url, ...(route.method === 'GET' || route.method === 'HEAD' ? {} : { payload: {} }) });
        checked++;
        const notFound = res.statusCode === 404 && (route.method === 'HEAD' || res.json().error === 'NOT_FOUND');
        // A GET outside /api that matches nothing gets the sign-in page, which is public.
        const signInPage = res.statusCode === 200 && res.body === INDEX_HTML;
        // An URL the router cannot read at all (a bad escape) is a 400 before any route.
        const unreadable = res.statusCode === 400 && url.includes('%');
        if (res.statusCode !== 401 && !notFound && !signInPage && !unreadable) {
          failures.push(`${route.method} ${url} (route ${route.url}): ${res.statusCode} ${res.body.slice(0, 80)}`);
        }
        if (res.statusCode === 200) expect(res.body, `${route.method} ${url}`).toBe(INDEX_HTML);
      }
      // The path as declared reaches the route, and the route says no.
      const exact = await app.inject({ method: route.method as 'GET', url: concrete(route.url) });
      expect(exact.statusCode, `${route.method} ${route.url}`).toBe(401);
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(400);
  });

  it('refuses the reported bypass: /%61pi/queue is /api/queue, and needs a session', async () => {
    const res = await app.inject({ url: '/%61pi/queue' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'UNAUTHENTICATED', message: 'Sign in first' });
    const { cookie } = await signIn(app);
    expect((await app.inject({ url: '/%61pi/queue', headers: { cookie } })).statusCode).toBe(200);
  });

  it('keeps the public routes public: health, sign-in and the dashboard\'s files', async () => {
    for (const route of routes.filter((r) => r.public)) {
      // The dashboard's bundles are looked up per request: any file under /assets/.
      const url = concrete(route.url).replace(/\*$/, 'app.js');
      if (route.method === 'POST') {
        const res = await app.inject({ method: 'POST', url, payload: { username: 'nobody', password: 'wrong password' } });
        expect(res.json().error, url).toBe('BAD_CREDENTIALS');
      } else {
        expect((await app.inject({ method: route.method as 'GET', url })).statusCode, `${route.method} ${url}`).toBe(200);
      }
    }
    expect((await app.inject({ url: '/' })).body).toBe(INDEX_HTML);
    expect((await app.inject({ url: '/assets/app.js' })).body).toBe('console.log("app")');
    expect((await app.inject({ url: '/%61pi/health' })).statusCode).toBe(200);
  });

  it('answers unknown /api paths with a JSON 404, with or without a session', async () => {
    const { cookie } = await signIn(app);
    for (const headers of [{}, { cookie }]) {
      for (const [method, url] of [['GET', '/api/nope'], ['POST', '/api/nope'], ['DELETE', '/api/queue'], ['GET', '/api/queue/']] as const) {
        const res = await app.inject({ method, url, headers });
        expect(res.statusCode, `${method} ${url}`).toBe(404);
        expect(res.json().error).toBe('NOT_FOUND');
      }
    }
    // Outside /api, a GET nothing matches is the dashboard's page (client-side routing).
    expect((await app.inject({ url: '/queue' })).body).toBe(INDEX_HTML);
  });

  it('answers 401 on every API-key route to a session, under every spelling of its path', async () => {
    const keyRoutes = routes.filter((r) => r.access === 'apiKey');
    expect(keyRoutes.map((r) => `${r.method} ${r.url}`)).toContain('GET /api/v1/source');
    expect(keyRoutes.every((r) => r.url.startsWith('/api/v1/'))).toBe(true);
    const { cookie } = await signIn(app, 'admin');
    const failures: string[] = [];
    for (const route of keyRoutes) {
      for (const url of spellings(concrete(route.url))) {
        const res = await app.inject({ method: route.method as 'GET', url, headers: { cookie } });
        const notFound = res.statusCode === 404 && (route.method === 'HEAD' || res.json().error === 'NOT_FOUND');
        const signInPage = res.statusCode === 200 && res.body === INDEX_HTML;
        const unreadable = res.statusCode === 400 && url.includes('%');
        if (res.statusCode !== 401 && !notFound && !signInPage && !unreadable) failures.push(`${route.method} ${url}: ${res.statusCode}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses at start a route that declares an access kind nobody checks', () => {
    const route = { method: 'GET', url: '/api/x', handler: () => 'x', config: { access: 'apikey' } } as unknown as RouteOptions;
    expect(() => checkAccessDeclaration(route)).toThrow('route GET /api/x: access must be one of public, session, apiKey (got "apikey")');
    expect(() => checkAccessDeclaration({ ...route, config: { access: 'public' } } as unknown as RouteOptions)).not.toThrow();
    expect(() => checkAccessDeclaration({ ...route, config: {} } as unknown as RouteOptions)).not.toThrow();
  });
});
