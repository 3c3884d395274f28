import type { FastifyInstance } from 'fastify';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { rawFromEnv, resolveConfig } from '../../server/config.ts';
import { buildTestApp, insertThreads, makeComment, makeThread, signIn, writeScores } from '../helpers/app.ts';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A Fastify logger config that keeps every line, at every level. */
function captureLogs() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: { level: 'trace', stream } };
}

describe('error handler', () => {
  it('hides the message of an unexpected error and logs it', async () => {
    const logs = captureLogs();
    app = await buildTestApp({ logger: logs.logger });
    const { cookie } = await signIn(app);
    app.triage.db.close();
    const res = await app.inject({ url: '/api/queue', headers: { cookie } });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'INTERNAL', message: 'Something went wrong on the server; it has been logged' });
    expect(res.body).not.toMatch(/database|connection/i);
    expect(logs.lines.join('')).toMatch(/The database connection is not open/);
  });

  it('answers unknown API paths with a JSON 404 and malformed JSON with a 400 that does not echo it', async () => {
    app = await buildTestApp();
    const { cookie } = await signIn(app);
    const missing = await app.inject({ url: '/api/nope', headers: { cookie } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'NOT_FOUND', message: 'GET /api/nope not found' });
    const bad = await app.inject({ method: 'POST', url: '/api/decisions', headers: { cookie, 'content-type': 'application/json' }, payload: '{"note": "you utter fool' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: 'VALIDATION', message: 'body is not valid JSON' });
  });
});

describe('logs', () => {
  it('never contain comment text or passwords, whatever happens to the comment', async () => {
    const logs = captureLogs();
    app = await buildTestApp({ logger: logs.logger });
    const SECRET_TEXT = 'zanzibar-marmalade-insult';
    const admin = await app.triage.auth.addUser({ username: 'ada', password: 'hunter2-but-longer', role: 'admin' });
    const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'ada', password: 'hunter2-but-longer' } });
    const cookie = `triage_session=${login.cookies[0].value}`;
    await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'ada', password: 'wrong-hunter3' } });

    const json = JSON.stringify({ id: 't', title: 'Logs', comments: [{ id: 'a', text: SECRET_TEXT }, { id: 'b', text: 5, author: SECRET_TEXT }] });
    const bad = await app.inject({ method: 'POST', url: '/api/import?format=json', headers: { cookie, 'content-type': 'application/json' }, payload: json });
    expect(bad.statusCode).toBe(400);
    const good = await app.inject({
      method: 'POST',
      url: '/api/import?format=json',
      headers: { cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ id: 't', title: 'Logs', comments: [{ id: 'a', text: SECRET_TEXT }] }),
    });
    expect(good.statusCode).toBe(200);
    const id = app.triage.stores.moderation.listThreadComments(good.json().threadIds[0])[0].id;
    writeScores(app, [[id, { insult: 0.99 }]]);
    await app.inject({ url: '/api/queue', headers: { cookie } });
    await app.inject({ url: `/api/comments/${id}`, headers: { cookie } });
    await app.inject({ method: 'POST', url: `/api/comments/${id}/decision`, headers: { cookie }, payload: { action: 'hide', note: 'x' } });
    await app.inject({ method: 'POST', url: `/api/comments/${id}/decision`, headers: { cookie }, payload: { action: 'hide' } });
    await app.inject({ method: 'POST', url: '/api/decisions', headers: { cookie, 'content-type': 'application/json' }, payload: `{"x": "${SECRET_TEXT}` });
    const text = logs.lines.join('');
    expect(logs.lines.length).toBeGreaterThan(10);
    expect(text).not.toContain(SECRET_TEXT);
    expect(text).not.toContain('hunter');
    expect(text).not.toContain(login.cookies[0].value);
    expect(admin.username).toBe('ada');
  });
});

describe('config', () => {
  it('uses documented defaults, env over defaults and flags over env', () => {
    expect(resolveConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      dbPath: 'data/triage.db',
      model: 'local',
      adminPassword: null,
      seed: true,
      trustProxy: false,
      apiRateLimit: 600,
      reportsToQueue: 1,
      webhookRetryHours: 24,
      webhooksAllowPrivate: false,
      claimSeconds: 120,
      undoMinutes: 10,
      trustedBar: 0.95,
      repeatOffender: null,
    });
    expect(resolveConfig({ repeatOffender: '3/30', trustedBar: '0.9', claimSeconds: '60', undoMinutes: '5' })).toMatchObject({
      repeatOffender: { hidden: 3, days: 30 },
      trustedBar: 0.9,
      claimSeconds: 60,
      undoMinutes: 5,
    });
    expect(() => resolveConfig({ repeatOffender: 'often' })).toThrow('TRIAGE_REPEAT_OFFENDER must be N/D (N hidden comments in D days, e.g. 3/30) or off (got "often")');
    const c = resolveConfig({ port: '8080', model: 'auto', seed: '0', db: '/tmp/x.db' }, { port: '9090' });
    expect(c).toMatchObject({ port: 9090, model: 'auto', seed: false, dbPath: '/tmp/x.db' });
    expect(resolveConfig({}, { seed: false }).seed).toBe(false);
    expect(resolveConfig({ apiRateLimit: '100' }, { apiRateLimit: '50' }).apiRateLimit).toBe(50);
  });

  it('names the variable or flag of an invalid value', () => {
    expect(() => resolveConfig({ port: 'eighty' })).toThrow('PORT must be a port number 0-65535 (got "eighty")');
    expect(() => resolveConfig({}, { port: '70000' })).toThrow('--port must be a port number');
    expect(() => resolveConfig({ model: 'gpt' })).toThrow('TRIAGE_MODEL must be one of local, toxicity, auto (got "gpt")');
    expect(() => resolveConfig({ seed: 'maybe' })).toThrow('TRIAGE_SEED must be 1 or 0');
    expect(() => resolveConfig({ adminPassword: 'short' })).toThrow('TRIAGE_ADMIN_PASSWORD must be at least 12 characters');
    expect(() => resolveConfig({ apiRateLimit: 'lots' })).toThrow('TRIAGE_API_RATE_LIMIT must be a whole number of requests a minute, 1-1000000 (got "lots")');
    expect(() => resolveConfig({}, { apiRateLimit: '0' })).toThrow('--api-rate-limit must be a whole number');
    expect(resolveConfig(rawFromEnv({ TRIAGE_REPORTS_TO_QUEUE: '3', TRIAGE_WEBHOOK_RETRY_HOURS: '0.5', TRIAGE_WEBHOOKS_ALLOW_PRIVATE: '1' }))).toMatchObject({
      reportsToQueue: 3,
      webhookRetryHours: 0.5,
      webhooksAllowPrivate: true,
    });
    expect(() => resolveConfig({ reportsToQueue: '0' })).toThrow('TRIAGE_REPORTS_TO_QUEUE must be a whole number of reports, 1-1000 (got "0")');
    expect(() => resolveConfig({ webhookRetryHours: 'soon' })).toThrow('TRIAGE_WEBHOOK_RETRY_HOURS must be a number of hours');
    expect(() => resolveConfig({ webhooksAllowPrivate: 'maybe' })).toThrow('TRIAGE_WEBHOOKS_ALLOW_PRIVATE must be 1 or 0');
  });
});

describe('seeds', () => {
  it('imports the seed threads into an empty database, once', async () => {
    app = await buildTestApp({ seed: true });
    const threads = (app.triage.db.prepare('SELECT count(*) AS n FROM threads').get() as { n: number }).n;
    expect(threads).toBe(2);
    insertThreads(app, [makeThread({ comments: [makeComment()] })]);
    const { cookie } = await signIn(app);
    expect((await app.inject({ url: '/api/stats', headers: { cookie } })).json().threads).toBe(3);
  });
});

describe('dashboard', () => {
  it('serves the built dashboard with index.html for client-side routes, never for /api', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'triage-web-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Triage</title>');
    writeFileSync(join(dir, 'app.js'), 'console.log(1)');
    try {
      app = await buildTestApp({ webDist: dir });
      for (const url of ['/', '/queue', '/threads/3']) {
        const res = await app.inject({ url });
        expect(res.statusCode, url).toBe(200);
        expect(res.body).toContain('<title>Triage</title>');
      }
      expect((await app.inject({ url: '/app.js' })).body).toBe('console.log(1)');
      const api = await app.inject({ url: '/api/nothing-here' });
      expect(api.headers['content-type']).toMatch(/json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 404 for a missing asset, so a rebuilt UI never gets index.html for its old hashed files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'triage-web-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Triage</title>');
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'assets', 'index-new.js'), 'console.log(2)');
    try {
      app = await buildTestApp({ webDist: dir });
      const present = await app.inject({ url: '/assets/index-new.js' });
      expect(present.statusCode).toBe(200);
      expect(present.body).toBe('console.log(2)');
      // A rebuild under the running server: the new page and its new files are served at once.
      writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Triage rebuilt</title>');
      writeFileSync(join(dir, 'assets', 'index-newer.js'), 'console.log(3)');
      const rebuilt = await app.inject({ url: '/assets/index-newer.js' });
      expect(rebuilt.statusCode).toBe(200);
      expect(rebuilt.body).toBe('console.log(3)');
      expect((await app.inject({ url: '/queue' })).body).toContain('Triage rebuilt');
      for (const url of ['/assets/index-old.js', '/assets/index-old.css', '/assets/', '/assets/sub/x.js?v=1', '/favicon.ico', '/app-old.js']) {
        const res = await app.inject({ url });
        expect(res.statusCode, url).toBe(404);
        expect(res.headers['content-type'], url).toMatch(/json/);
        expect(res.body, url).not.toContain('<title>Triage</title>');
      }
      // Page routes still get the dashboard, with or without a query.
      for (const url of ['/', '/queue', '/threads/3', '/?x=1']) {
        const res = await app.inject({ url });
        expect(res.statusCode, url).toBe(200);
        expect(res.headers['content-type'], url).toMatch(/text\/html/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
