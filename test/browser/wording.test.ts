/**
 * What the screens say: counts agree with their nouns ("1 thread"), an
 * imported thread is linked by its title shown as text, and each status list
 * has its own heading.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchBrowser, signIn, startServer, type TestServer } from './harness.ts';

const TITLE = '<img src=x onerror="alert(1)"> Budget <b>vote</b>';

describe.skipIf(chromiumMissing() !== null)('wording in a browser', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];

  beforeAll(async () => {
    server = await startServer({ seed: false });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await signIn(page, server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('says "1 thread, 1 new comment" and links the thread by its title, as text', async () => {
    const file = { id: 'wording', title: TITLE, comments: [{ id: 'c1', author: 'ann', text: 'Fine by me.' }] };
    await page.goto(`${server.url}/#/import`);
    await page.locator('input[type="file"]').setInputFiles({ name: 'one.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
    await page.getByLabel('Format').selectOption('json');
    await page.getByRole('button', { name: 'Import' }).click();
    const result = page.getByTestId('import-result');
    await result.waitFor();
    const text = (await result.textContent())!.replace(/\s+/g, ' ');
    expect(text).toContain('1 thread,');
    expect(text).toContain('1 new comment,');
    const link = result.getByRole('link');
    await expect.poll(() => link.textContent()).toBe(TITLE);
    expect(await result.locator('img, b').count()).toBe(0);

    await link.click();
    await page.waitForURL(/#\/thread\/\d+/);
    await expect.poll(async () => ((await page.locator('p.meta').first().textContent()) ?? '').replace(/\s+/g, ' ')).toMatch(/^1 comment ·/);
    expect(dialogs).toEqual([]);
  });

  it('names each status list by its status, not "Review queue"', async () => {
    await page.goto(`${server.url}/#/queue`);
    const heading = page.locator('.toolbar h1');
    await expect.poll(async () => (await heading.textContent())?.trim()).toMatch(/^Review queue/);
    const status = page.getByLabel('Status');
    for (const [value, name] of [['hidden', 'Hidden comments'], ['approved', 'Approved comments'], ['escalated', 'Escalated comments'], ['pending', 'Review queue']]) {
      await status.selectOption(value);
      await expect.poll(async () => (await heading.textContent())?.trim()).toMatch(new RegExp(`^${name}`));
    }
  });
});
