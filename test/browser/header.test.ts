/**
 * The header's scoring progress follows comments that arrive while a
 * moderator has the dashboard open, however they arrive (a site's API, an
 * import by someone else), not only those this screen imported itself.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, CLIENT_HEADERS, launchBrowser, signIn, startServer, type TestServer } from './harness.ts';

describe.skipIf(chromiumMissing() !== null)('the header in a browser', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startServer({ seed: false });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1024, height: 768 } })).newPage();
    await signIn(page, server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows comments imported elsewhere being scored within seconds, not at the next slow poll', async () => {
    const progress = page.getByTestId('scoring-progress');
    await expect.poll(() => progress.textContent()).toContain('All 0 scored');
    // Another client imports: this screen made no request of its own.
    const file = { id: 'elsewhere', title: 'Elsewhere', comments: [1, 2, 3].map((i) => ({ id: `e${i}`, author: `reader${i}`, text: `You utter idiot number ${i}` })) };
    const imported = await page.request.post(`${server.url}/api/import?format=json`, { headers: { 'content-type': 'application/json', ...CLIENT_HEADERS }, data: JSON.stringify(file) });
    expect(imported.status(), await imported.text()).toBe(200);
    await expect.poll(() => progress.textContent(), { timeout: 10_000, interval: 250 }).toContain('All 3 scored');
  });
});
