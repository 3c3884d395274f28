/**
 * An admin tunes a threshold from evidence and exports a report: real server,
 * seed threads scored by the real local model, chromium at 1280x800.
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchBrowser, signIn, startServer, type TestServer } from './harness.ts';

describe.skipIf(chromiumMissing() !== null)('thresholds and reports in a browser', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    await server.waitForScoring();
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  async function queueSize(): Promise<number> {
    const stats = (await (await page.request.get(`${server.url}/api/stats`)).json()) as { comments: { queue: number } };
    return stats.comments.queue;
  }

  async function queueRows(): Promise<number[]> {
    await page.goto(`${server.url}/#/queue`);
    await page.locator('ol.items > li').first().waitFor();
    return page.locator('ol.items > li').evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-comment-id'))));
  }

  it('moves the toxicity threshold, reads the what-if, saves it and sees the queue grow by that many', async () => {
    await signIn(page, server.url);
    const before = await queueSize();
    const rowsBefore = await queueRows();

    await page.goto(`${server.url}/#/thresholds`);
    await page.getByRole('tab', { name: /toxicity/ }).first().click();
    const entering = page.getByTestId('entering-count');
    await entering.waitFor();
    expect(await entering.textContent()).toBe('0');

    // Lower the candidate until comments would enter the queue (the seed scores decide how far).
    const box = page.getByLabel('Candidate threshold', { exact: true });
    let count = 0;
    let candidate = 0.8;
    for (const value of [0.6, 0.4, 0.2, 0.1, 0.05]) {
      candidate = value;
      await box.fill(String(value));
      await box.press('Tab');
      await expect.poll(async () => (await page.getByTestId('what-if').textContent()) ?? '').toContain(`to ${value.toFixed(2)}`);
      count = Number(await entering.textContent());
      if (count > 0) break;
    }
    expect(count, 'some seed comment should enter the queue at a lower toxicity threshold').toBeGreaterThan(0);
    expect(Number(await page.getByTestId('leaving-count').textContent())).toBe(0);

    // The list names exactly those comments, each opening in context.
    const listed = page.getByTestId('what-if').locator('a[data-comment-id]');
    expect(await listed.count()).toBe(Math.min(count, 50));
    const firstId = Number(await listed.first().getAttribute('data-comment-id'));
    expect(await listed.first().getAttribute('href')).toBe(`#/comment/${firstId}`);
    expect(rowsBefore).not.toContain(firstId);

    await page.getByLabel('Reason (optional)').fill('browser test: catch more');
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/thresholds') && r.request().method() === 'PUT');
    await page.getByRole('button', { name: 'Save thresholds' }).click();
    const answer = (await (await saved).json()) as { version: { id: number; values: { toxicity: number } }; reevaluation: { queueEntered: number } };
    expect(answer.version.values.toxicity).toBe(candidate);
    expect(answer.reevaluation.queueEntered).toBe(count);
    await page.getByText(`Saved version ${answer.version.id}`).waitFor();
    await page.locator('table.history td', { hasText: 'browser test: catch more' }).waitFor();

    expect(await queueSize()).toBe(before + count);
    // The queue screen shows the list it kept while it loads the new one: wait for the new one.
    await queueRows();
    const expected = Math.min(50, rowsBefore.length + count);
    await expect.poll(() => page.locator('ol.items > li').count()).toBe(expected);
    const rowsAfter = await page.locator('ol.items > li').evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-comment-id'))));
    expect(rowsAfter).toContain(firstId);
  });

  it('shows the report and downloads the summary CSV and the decision log', async () => {
    await page.goto(`${server.url}/#/reports`);
    await page.getByTestId('imported').waitFor();
    expect(Number(await page.getByTestId('imported').textContent())).toBeGreaterThan(0);

    const csvDownload = page.waitForEvent('download');
    await page.getByLabel('Downloads').getByRole('link', { name: 'CSV' }).first().click();
    const csv = await csvDownload;
    expect(csv.suggestedFilename()).toMatch(/^triage-summary-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = readFileSync((await csv.path())!, 'utf8');
    expect(text.startsWith('section,item,metric,value\r\n')).toBe(true);
    expect(text).toContain('thresholds,version 2,toxicity,');

    const logDownload = page.waitForEvent('download');
    await page.getByLabel('Downloads').getByRole('link', { name: 'CSV' }).nth(1).click();
    const log = readFileSync((await (await logDownload).path())!, 'utf8');
    expect(log.split('\r\n')[0]).toBe(
      'decision_id,decided_at,comment_id,thread_id,thread_title,author,text,toxicity,severe_toxicity,identity_attack,insult,threat,sexual_explicit,obscene,flagged_labels,report_count,report_reasons,threshold_version,model,action,undoes_id,moderator,note',
    );
    expect(pageErrors).toEqual([]);
  });
});
