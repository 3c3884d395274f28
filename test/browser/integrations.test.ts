/**
 * An admin creates an API key in the Integrations screen, sees it once, the
 * site uses it, and the admin revokes it with a confirmation, by keyboard.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchBrowser, signIn, startServer, type TestServer } from './harness.ts';

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

    // Create, with the keyboard: type, Enter.
    await page.getByLabel('Name').fill('Blog <b>bold</b>');
    await page.getByLabel('Source').fill('blog.example');
    await page.getByLabel('Source').press('Enter');
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
});
