/**
 * An admin creates an API key in the Integrations screen, sees it once, the
 * site uses it, and the admin revokes it with a confirmation, by keyboard.
 * Then a site pushes a comment its readers report: the queue and the comment
 * pane show the reports.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, CLIENT_HEADERS, launchBrowser, signIn, startServer, type TestServer } from './harness.ts';

describe.skipIf(chromiumMissing() !== null)('the Integrations screen in a browser', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startServer({ seed: false });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  const source = (key: string) => fetch(`${server.url}/api/v1/source`, { headers: { authorization: `Bearer ${key}` } });

  it('creates a key, shows it once, and revokes it after a confirmation', async () => {
    await signIn(page, server.url);
    await page.getByRole('link', { name: 'Integrations' }).click();
    await page.getByText('No keys yet.').waitFor();

    // Create, with the keyboard: type, Enter. (The webhooks' form below has a Source too.)
    const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Create key' }) });
    await form.getByLabel('Name').fill('Blog <b>bold</b>');
    await form.getByLabel('Source').fill('blog.example');
    await form.getByLabel('Source').press('Enter');
    const shown = page.getByTestId('new-key');
    await shown.waitFor();
    const key = (await shown.textContent())!.trim();
    expect(key).toMatch(/^trk_[A-Za-z0-9_-]{43}$/);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('new-key');
    expect(await page.getByText('it will not be shown again').isVisible()).toBe(true);
    const row = page.locator('tbody tr').first();
    expect(await row.textContent()).toContain('Blog <b>bold</b>');
    expect(await row.locator('b').count()).toBe(0);
    expect(await row.textContent()).toContain(key.slice(0, 12));
    expect(await row.textContent()).not.toContain(key);
    expect(await row.textContent()).toContain('never');

    const ok = await source(key);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ source: 'blog.example' });

    // Gone once dismissed, and after a reload: the key is shown only once.
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByTestId('new-key').count()).toBe(0);
    await page.reload();
    await row.waitFor();
    expect(await page.content()).not.toContain(key);

    // Revoke: the first press asks, Cancel keeps it, the confirmation revokes.
    await row.getByRole('button', { name: 'Revoke…' }).focus();
    await page.keyboard.press('Enter');
    await row.getByRole('button', { name: 'Cancel' }).click();
    expect((await source(key)).status).toBe(200);
    await row.getByRole('button', { name: 'Revoke…' }).focus();
    await page.keyboard.press('Enter');
    // The confirmation takes the focus, so Enter again revokes.
    await page.keyboard.press('Enter');
    await row.getByText(/^revoked /).waitFor();
    expect((await source(key)).status).toBe(401);
    expect(pageErrors).toEqual([]);
  });

  it('shows a comment readers reported: a badge in the queue, the reasons in the pane, its thread closed', async () => {
    // Signed in by the test above; the key comes from the admin API, with the dashboard's session.
    const created = await page.request.post(`${server.url}/api/integrations/keys`, { headers: CLIENT_HEADERS, data: { name: 'News', source: 'news.example' } });
    expect(created.status()).toBe(200);
    const { key } = (await created.json()) as { key: string };
    const site = (path: string, body: unknown) =>
      fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const thread = { id: 'a1', title: 'Council votes on the bypass', url: 'https://news.example/a/1', closed: true };
    const pushed = await site('/api/v1/comments', { comments: [{ id: 'c1', thread, text: 'Nobody asked you' }, { id: 'c2', thread, text: 'Quiet one' }] });
    expect(pushed.status).toBe(200);
    for (const [reporterId, reason] of [['r1', '<b>spam</b>'], ['r2', 'harassment'], ['r3', 'harassment']]) {
      expect((await site('/api/v1/reports', { commentId: 'c1', reason, reporterId })).status).toBe(200);
    }

    await page.getByRole('link', { name: 'Queue', exact: true }).click();
    // The Reported filter and the Most reported sort, by keyboard.
    const reported = page.getByRole('checkbox', { name: 'Reported' });
    await reported.focus();
    await page.keyboard.press('Space');
    await expect.poll(() => reported.isChecked()).toBe(true);
    await page.getByLabel('Sort').focus();
    await page.getByLabel('Sort').selectOption('reports');
    const item = page.locator('ol.items > li').first();
    await item.waitFor();
    expect(await page.locator('ol.items > li').count()).toBe(1);
    expect(await item.getByTestId('report-count').textContent()).toBe('3 reports');

    const pane = page.getByTestId('reader-reports');
    await pane.waitFor();
    expect(await pane.getByRole('heading').textContent()).toBe('Reported by 3 readers');
    const reasons = await pane.locator('li').allTextContents();
    expect(reasons.map((r) => r.replace(/\s*·.*$/, '').replace(/\s+/g, ' ').trim())).toEqual(['harassment 2', '<b>spam</b> 1']);
    expect(await pane.locator('b').count()).toBe(0);
    expect(await page.getByRole('region', { name: 'comment in context' }).getByTestId('thread-closed').textContent()).toBe('Closed');
    expect(pageErrors).toEqual([]);
  });
});
