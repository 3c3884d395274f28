/**
 * The built dashboard under its Content-Security-Policy, in chromium: every
 * screen renders with no CSP violation and no console error, the printable
 * report renders under its own policy, and a thread's `javascript:` URL never
 * becomes a link.
 */
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, CLIENT_HEADERS, launchBrowser, signIn, startServer, type TestServer } from './harness.ts';

declare global {
  interface Window {
    /** Filled by the init script below: every securitypolicyviolation event of the page. */
    cspViolations: string[];
  }
}

describe.skipIf(chromiumMissing() !== null)('the dashboard under its CSP', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Console errors that chromium writes for a CSP refusal ("Refused to apply inline style … Content Security Policy"). */
  const cspErrors: string[] = [];
  const pageErrors: string[] = [];

  function watch(p: Page): void {
    p.on('console', (message: ConsoleMessage) => {
      const text = message.text();
      if (message.type() === 'error' && /content security policy|refused to (load|apply|execute|connect|frame|evaluate)/i.test(text)) cspErrors.push(`${p.url()}: ${text}`);
    });
    p.on('pageerror', (error) => pageErrors.push(error.message));
  }

  async function violations(p: Page): Promise<string[]> {
    return p.evaluate(() => window.cspViolations ?? []);
  }

  beforeAll(async () => {
    // No need to wait for scoring: these checks are about rendering, not scores.
    server = await startServer();
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(() => {
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    page = await context.newPage();
    watch(page);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  it('sends the policy with the page', async () => {
    const response = await page.goto(`${server.url}/`);
    const csp = response!.headers()['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response!.headers()['x-frame-options']).toBe('DENY');
  });

  it('renders sign-in and every screen with no CSP violation, in events or on the console, and no script error', async () => {
    await signIn(page, server.url);
    await page.locator('ol.items > li').first().waitFor();
    // The queue's score bars set their sizes as styles: they must apply under style-src 'self'.
    const width = await page.locator('.fill').first().evaluate((el) => (el as HTMLElement).style.cssText);
    expect(width).toMatch(/(width|height):/);
    const firstId = Number(await page.locator('ol.items > li').first().getAttribute('data-comment-id'));
    for (const path of ['#/queue', `#/comment/${firstId}`, '#/thread/1', '#/escalations', '#/thresholds', '#/reports', '#/users', '#/import']) {
      await page.goto(`${server.url}/${path}`);
      await page.locator('main, .screen').first().waitFor();
      await page.waitForLoadState('networkidle');
      expect(await violations(page), path).toEqual([]);
    }
    // A decision from the keyboard goes through the client, with its header.
    await page.goto(`${server.url}/#/queue`);
    await page.locator('ol.items > li').first().waitFor();
    const before = await page.locator('ol.items > li').count();
    await page.keyboard.press('a');
    await expect.poll(() => page.locator('ol.items > li').count()).toBe(before - 1);
    expect(await violations(page)).toEqual([]);
    expect(cspErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('renders the printable report, styled, under its own policy', async () => {
    const report = await context.newPage();
    watch(report);
    const response = await report.goto(`${server.url}/api/reports/summary?format=html`);
    expect(response!.status()).toBe(200);
    expect(response!.headers()['content-security-policy']).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+={0,2}'/);
    await report.locator('h1').waitFor();
    expect(await violations(report)).toEqual([]);
    // The inline stylesheet applied: body{margin:2rem}.
    expect(await report.evaluate(() => getComputedStyle(document.body).marginTop)).toBe('32px');
    expect(await report.locator('svg').count()).toBeGreaterThan(0);
    expect(cspErrors).toEqual([]);
    await report.close();
  });

  it('never makes a javascript: thread URL a link', async () => {
    const file = JSON.stringify({ id: 'js-url', title: 'Thread with a script URL', url: 'javascript:alert(document.cookie)', comments: [{ author: 'a', text: 'hello' }] });
    const imported = await page.request.post(`${server.url}/api/import?format=json`, { headers: { ...CLIENT_HEADERS, 'content-type': 'text/plain' }, data: file });
    expect(imported.status()).toBe(200);
    const [threadId] = ((await imported.json()) as { threadIds: number[] }).threadIds;
    await page.goto(`${server.url}/#/thread/${threadId}`);
    await page.getByText('Thread with a script URL').waitFor();
    expect(await page.locator('a[href^="javascript:" i]').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'source' }).count()).toBe(0);
    await page.getByText('javascript:alert(document.cookie)').waitFor();
  });
});
