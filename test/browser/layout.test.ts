/**
 * The queue at a laptop's 1024 px and a phone's 390 px: nothing pushes the
 * page sideways (a 60-character user name included), the detail pane shows
 * its threshold column and note field whole, and an error message leaves the
 * decision controls clickable.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, CLIENT_HEADERS, launchBrowser, signIn, startServer, type TestServer } from './harness.ts';

/** The widest letters, with nowhere to break the line. */
const LONG_NAME = 'WWWWWWWWWWMMMMMMMMMM'.repeat(3);
const RUDE = 'you are a stupid idiot and a moron, shut up you pathetic loser';

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

describe.skipIf(chromiumMissing() !== null)('the queue at laptop and phone widths', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let commentId = 0;
  const others: number[] = [];

  beforeAll(async () => {
    expect(LONG_NAME).toHaveLength(60);
    server = await startServer({ seed: false });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    page = await context.newPage();
    await signIn(page, server.url);
    const file = {
      id: 'browser-layout',
      title: 'Layout',
      comments: [
        { id: 'c1', author: LONG_NAME, text: RUDE },
        { id: 'c2', author: 'bob', text: `${RUDE}, again` },
        { id: 'c3', author: 'carol', text: `${RUDE}, and once more` },
      ],
    };
    const imported = await page.request.post(`${server.url}/api/import?format=json`, {
      headers: { 'content-type': 'application/json', ...CLIENT_HEADERS },
      data: JSON.stringify(file),
    });
    expect(imported.status(), await imported.text()).toBe(200);
    const threadId = ((await imported.json()) as { threadIds: number[] }).threadIds[0];
    const thread = (await (await page.request.get(`${server.url}/api/threads/${threadId}`)).json()) as { comments: { id: number; author: string | null }[] };
    commentId = thread.comments.find((c) => c.author === LONG_NAME)!.id;
    others.push(...thread.comments.filter((c) => c.author !== LONG_NAME).map((c) => c.id));
    await server.waitForScoring();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  /** Opens the queue with a comment (the long-named author's by default) selected and its context shown. */
  async function openLongNamed(id = commentId): Promise<void> {
    await page.goto(`${server.url}/#/queue`);
    await page.reload();
    const row = page.locator(`ol.items > li[data-comment-id="${id}"]`);
    await row.waitFor();
    await row.locator('button.row').click();
    await page.getByRole('region', { name: 'comment in context' }).waitFor();
    await page.getByRole('button', { name: /undo/i }).waitFor();
  }

  const box = async (selector: string): Promise<Box> => {
    const b = await page.locator(selector).first().boundingBox();
    if (!b) throw new Error(`${selector} is not on screen`);
    return { left: b.x, right: b.x + b.width, top: b.y, bottom: b.y + b.height };
  };

  async function horizontalOverflow(): Promise<{ scrollWidth: number; clientWidth: number }> {
    return page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
  }

  /** Whether a click at the element's centre lands on it (nothing covers it). */
  async function clickable(selector: string): Promise<boolean> {
    return page.locator(selector).first().evaluate((el) => {
      const r = el.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return hit !== null && (hit === el || el.contains(hit));
    });
  }

  /** The controls on screen that a message overlaps: none, wherever the panes are scrolled. */
  async function coveredControls(): Promise<string[]> {
    return page.evaluate(() => {
      const messages = Array.from(document.querySelectorAll('[role="alert"], [role="status"]')).map((m) => m.getBoundingClientRect());
      const covered: string[] = [];
      for (const el of Array.from(document.querySelectorAll('button, input, select, textarea, a[href]'))) {
        if (el.closest('[role="alert"], [role="status"]')) continue;
        let r = el.getBoundingClientRect();
        // Only the part its scrolling pane shows.
        const pane = el.closest('.list-pane, .detail-pane');
        if (pane) {
          const p = pane.getBoundingClientRect();
          r = new DOMRect(Math.max(r.left, p.left), Math.max(r.top, p.top), Math.min(r.right, p.right) - Math.max(r.left, p.left), Math.min(r.bottom, p.bottom) - Math.max(r.top, p.top));
        }
        if (r.width <= 0 || r.height <= 0) continue;
        if (messages.some((m) => r.left < m.right && r.right > m.left && r.top < m.bottom && r.bottom > m.top)) covered.push(el.outerHTML.slice(0, 80));
      }
      return covered;
    });
  }

  it('at 1024 px, shows the threshold column and the note field whole beside a 60-character user name', async () => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await openLongNamed();
    const { scrollWidth, clientWidth } = await horizontalOverflow();
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);

    const pane = await box('.detail-pane');
    expect(pane.right).toBeLessThanOrEqual(1024);
    const author = await box('.detail-pane [aria-label="selected comment"] .author');
    expect(author.right).toBeLessThanOrEqual(pane.right);
    // The threshold column of the score table: every flagged label's "≥ 0.80 v1".
    const thresholds = page.locator('.detail-pane [aria-label="selected comment"] table.bars td.flag');
    expect(await thresholds.count()).toBeGreaterThan(0);
    for (const cell of await thresholds.all()) {
      const b = (await cell.boundingBox())!;
      expect(b.x + b.width).toBeLessThanOrEqual(pane.right);
    }
    expect(await page.locator('.detail-pane [aria-label="selected comment"] table.bars td.flag').filter({ hasText: '≥' }).count()).toBeGreaterThan(0);
    const note = await box('.detail-pane input[placeholder^="optional"]');
    expect(note.left).toBeGreaterThanOrEqual(pane.left);
    expect(note.right).toBeLessThanOrEqual(pane.right);
    expect(note.right - note.left).toBeGreaterThan(100);
  });

  it('at 390 px, never scrolls sideways and keeps the decision controls on screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await openLongNamed();
    const { scrollWidth, clientWidth } = await horizontalOverflow();
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    for (const selector of ['.toolbar', 'ol.items', '.detail-pane', '.detail-pane table.bars', '.detail-pane input[placeholder^="optional"]', 'header nav']) {
      const b = await box(selector);
      expect(b.left, selector).toBeGreaterThanOrEqual(0);
      expect(b.right, selector).toBeLessThanOrEqual(390);
    }
  });

  for (const [i, width] of [1024, 390].entries()) {
    it(`at ${width} px, an error message covers neither the Undo button nor the note field`, async () => {
      const id = others[i];
      await page.setViewportSize({ width, height: width === 390 ? 844 : 768 });
      await openLongNamed(id);
      // A decision the server refuses, whatever the reason.
      const decision = `${server.url}/api/comments/${id}/decision`;
      await page.route(decision, (route) => route.fulfill({ status: 409, contentType: 'application/json', body: JSON.stringify({ error: 'CONFLICT', message: 'Someone else decided it first' }) }));
      await page.locator('.detail-pane button.approve').click();
      const alert = page.getByRole('alert').filter({ hasText: `Could not approve comment ${id}` });
      await alert.waitFor();
      // Bring the decision bar of the comment now selected to the bottom of the screen, where messages used to sit.
      await page.locator('.detail-pane input[placeholder^="optional"]').evaluate((el) => el.scrollIntoView({ block: 'end' }));
      expect(await coveredControls()).toEqual([]);
      expect(await clickable('.detail-pane button.undo')).toBe(true);
      expect(await clickable('.detail-pane input[placeholder^="optional"]')).toBe(true);
      // And the message goes at once when dismissed.
      await alert.getByRole('button', { name: 'dismiss' }).click();
      await expect.poll(() => alert.count()).toBe(0);
      await page.unroute(decision);
    });
  }
});
