/**
 * Security headers (@fastify/helmet, server/security-headers.ts) on every
 * answer, and the printable report's own CSP (server/reports/html.ts).
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, signIn } from '../helpers/app.ts';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** `default-src 'self'; …` → { 'default-src': "'self'", … } */
function directives(csp: string | string[] | number | undefined): Record<string, string> {
  return Object.fromEntries(
    String(csp)
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name, ...values] = d.split(/\s+/);
        return [name, values.join(' ')];
      }),
  );
}

describe('security headers', () => {
  it('sends a strict CSP, no framing, nosniff and no referrer on the dashboard, the API and refusals alike', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'triage-headers-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Triage</title>');
    try {
      app = await buildTestApp({ webDist: dir });
      const { cookie } = await signIn(app);
      for (const [url, headers, status] of [
        ['/', {}, 200],
        ['/queue', {}, 200],
        ['/api/health', {}, 200],
        ['/api/queue', { cookie }, 200],
        ['/api/queue', {}, 401],
        ['/api/nope', {}, 404],
      ] as const) {
        const res = await app.inject({ url, headers });
        expect(res.statusCode, url).toBe(status);
        const csp = directives(res.headers['content-security-policy']);
        expect(csp, url).toEqual({
          'default-src': "'self'",
          'script-src': "'self'",
          'script-src-attr': "'none'",
          'style-src': "'self'",
          'img-src': "'self' data:",
          'font-src': "'self'",
          'connect-src': "'self'",
          'object-src': "'none'",
          'base-uri': "'none'",
          'form-action': "'self'",
          'frame-ancestors': "'none'",
        });
        expect(res.headers['x-frame-options'], url).toBe('DENY');
        expect(res.headers['x-content-type-options'], url).toBe('nosniff');
        expect(res.headers['referrer-policy'], url).toBe('no-referrer');
        expect(res.headers['cross-origin-opener-policy'], url).toBe('same-origin');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never allows inline or eval script anywhere', async () => {
    app = await buildTestApp();
    const csp = String((await app.inject({ url: '/api/health' })).headers['content-security-policy']);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('serves the printable report with its own CSP, which allows exactly its inline stylesheet, by hash', async () => {
    app = await buildTestApp();
    const { cookie } = await signIn(app, 'lead');
    const res = await app.inject({ url: '/api/reports/summary?format=html', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const csp = directives(res.headers['content-security-policy']);
    const style = /<style>([\s\S]*?)<\/style>/.exec(res.body)![1];
    const hash = createHash('sha256').update(style).digest('base64');
    expect(csp).toEqual({
      'default-src': "'none'",
      'style-src': `'sha256-${hash}'`,
      'base-uri': "'none'",
      'form-action': "'none'",
      'frame-ancestors': "'none'",
    });
    // One policy, not the dashboard's as well (two policies would both apply).
    expect(String(res.headers['content-security-policy'])).not.toContain("'self'");
    expect(res.body).not.toMatch(/<script|\sstyle=|\son\w+=/i);
    expect(res.headers['x-frame-options']).toBe('DENY');
    // The JSON summary keeps the dashboard's policy.
    const json = await app.inject({ url: '/api/reports/summary', headers: { cookie } });
    expect(directives(json.headers['content-security-policy'])['default-src']).toBe("'self'");
  });
});
