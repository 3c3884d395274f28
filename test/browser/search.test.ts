/**
 * Search in the All comments view, in a real browser: `/` focuses the box, a
 * word of a comment finds it, hostile text stays text, and `a` decides the
 * found comment in place. Then a missed-abuse sample drawn and decided.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, CLIENT_HEADERS, launchBrowser, signIn, startServer, type TestServer } from './harness.ts';

const THREAD = {
  source: 'browser-search',
  id: 'search-1',
  title: 'Harbour redevelopment plans',
  comments: [
    { id: 's1', author: 'wren', text: 'The harbour plan looks fine to me.' },
    { id: 's2', author: 'pike', text: 'Only a quokka would vote for this <b>nonsense</b> <img src=x onerror="alert(1)">' },
    { id: 's3', author: 'moss', text: 'Traffic will be awful near the harbour.' },
  ],
};

describe.skipIf(chromiumMissing() !== null)('search in the All comments view', () => {
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
    const status = await page.evaluate(
      async ({ body, headers }) => (await fetch('/api/import?format=json', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body })).status,
      { body: JSON.stringify(THREAD), headers: CLIENT_HEADERS },
    );
    expect(status).toBe(200);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('finds a comment by a word in it, shows its text as text, and decides it with the keyboard', async () => {
    await page.goto(`${server.url}/#/comments`);
    await page.locator('ol.items > li').nth(2).waitFor();
    expect(await page.locator('ol.items > li').count()).toBe(3);

    await page.keyboard.press('/');
    await page.keyboard.type('QUOKKA');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('ol.items > li').length === 1);
    const found = page.locator('ol.items > li').first();
    await expect.poll(() => found.textContent()).toContain('Only a quokka would vote for this <b>nonsense</b>');
    expect(await found.locator('b, img').count()).toBe(0);

    // The keys are the list's again after Enter: decide the found comment in place.
    await page.locator('[aria-current="true"] .card, .detail-pane article').first().waitFor();
    await page.keyboard.press('a');
    await expect.poll(() => found.locator('[data-status]').first().getAttribute('data-status')).toBe('approved');
    const id = Number(await found.getAttribute('data-comment-id'));
    const stored = await page.evaluate(async (commentId) => (await (await fetch(`/api/comments/${commentId}`)).json()) as { comment: { status: string } }, id);
    expect(stored.comment.status).toBe('approved');

    // FTS5 syntax is only text: `NEAR(` is the word "near", quotes and stars match nothing.
    await page.locator('input[type="search"]').fill('"NEAR( *');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('ol.items > li').first().textContent()).toContain('Traffic will be awful near the harbour.');
    expect(await page.locator('ol.items > li').count()).toBe(1);
    await page.locator('input[type="search"]').fill('" * (');
    await page.keyboard.press('Enter');
    await page.getByText('No comment holds every one of these words.').waitFor();
    expect(dialogs).toEqual([]);
  });

  it('draws a missed-abuse sample and estimates from the decisions made in it', async () => {
    await page.goto(`${server.url}/#/samples`);
    await page.getByLabel('sample size').fill('5');
    await page.getByRole('button', { name: 'Draw a sample of' }).click();
    // The unflagged ones of the three comments, pending or approved (the approved one included).
    await page.locator('ol.items > li').first().waitFor();
    const drawn = await page.locator('ol.items > li').count();
    expect(drawn).toBeGreaterThanOrEqual(2);
    await page.keyboard.press('h');
    await expect.poll(() => page.getByTestId('estimate').textContent()).toContain(`1 of ${drawn} decided: 1 hidden`);
    expect(await page.getByTestId('estimate').textContent()).toMatch(/misses about 100\.0%/);
    expect(dialogs).toEqual([]);
  });
});
