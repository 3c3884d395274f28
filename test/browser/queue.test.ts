/**
 * The moderator's path end to end: real server, seed threads scored by the
 * real local model, chromium at 1280x800, keyboard only for the decisions.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, CLIENT_HEADERS, launchBrowser, ROOT, signIn, startServer, type TestServer } from './harness.ts';

const SCRIPT = '<script>alert(1)</script>';
const HOSTILE = `${SCRIPT} <img src=x onerror="alert(2)"> <b>not bold</b> you absolute idiot`;

interface Row {
  id: number;
  threadId: number;
}

describe.skipIf(chromiumMissing() !== null)('review queue in a browser', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  let decided: Row[] = [];

  beforeAll(async () => {
    server = await startServer();
    await server.waitForScoring();
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  async function rows(): Promise<Row[]> {
    return page.locator('ol.items > li').evaluateAll((items) =>
      items.map((li) => ({ id: Number(li.getAttribute('data-comment-id')), threadId: Number(li.getAttribute('data-thread-id')) })),
    );
  }

  async function selectedId(): Promise<number> {
    return Number(await page.locator('ol.items > li[aria-current="true"]').getAttribute('data-comment-id'));
  }

  it('signs in and shows the flagged seed comments, highest score first, with context', async () => {
    await signIn(page, server.url);
    await page.locator('ol.items > li').first().waitFor();
    const listed = await rows();
    expect(listed.length, 'the seed threads should give at least four flagged comments').toBeGreaterThanOrEqual(4);

    const scores = await page.locator('ol.items > li .score').allTextContents();
    const numbers = scores.map(Number);
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));

    // The first comment is selected and shown in its thread.
    expect(await selectedId()).toBe(listed[0].id);
    await page.getByRole('region', { name: 'comment in context' }).waitFor();
    await expect.poll(() => page.locator('[data-testid="scoring-progress"]').textContent()).toMatch(/scored/);

    // The README's picture is rewritten only on request (TRIAGE_SCREENSHOTS=1), so a test run leaves tracked files alone.
    const shots = process.env.TRIAGE_SCREENSHOTS === '1' ? join(ROOT, 'docs') : join(ROOT, 'test-results');
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'screenshot-queue.png') });
  });

  it('triages three comments with a, h and e, each time moving on to the next', async () => {
    const before = await rows();
    const actions = [
      { key: 'a', status: 'approved' },
      { key: 'h', status: 'hidden' },
      { key: 'e', status: 'escalated' },
    ];
    for (const [i, { key }] of actions.entries()) {
      expect(await selectedId()).toBe(before[i].id);
      const answered = page.waitForResponse((r) => r.url().endsWith(`/api/comments/${before[i].id}/decision`) && r.request().method() === 'POST');
      await page.keyboard.press(key);
      // Optimistic: the next comment is selected before the server answers.
      await expect.poll(selectedId).toBe(before[i + 1].id);
      expect((await answered).status()).toBe(200);
    }
    decided = before.slice(0, 3);

    const after = await rows();
    expect(after.map((r) => r.id)).not.toContain(decided[0].id);
    expect(after.map((r) => r.id)).not.toContain(decided[1].id);
    expect(after.map((r) => r.id)).not.toContain(decided[2].id);
    expect(after[0].id).toBe(before[3].id);

    for (const [i, row] of decided.entries()) {
      const answer = (await (await page.request.get(`${server.url}/api/comments/${row.id}`)).json()) as {
        comment: { status: string };
        history: { action: string; moderator: string }[];
      };
      expect(answer.comment.status).toBe(actions[i].status);
      expect(answer.history.at(-1)?.moderator).toBe('admin');
    }
  });

  it('opens the thread at the current comment with t and shows the decisions as status badges', async () => {
    const current = await selectedId();
    await page.keyboard.press('t');
    await page.waitForURL(/#\/thread\/\d+\?comment=\d+$/);
    expect(page.url()).toContain(`comment=${current}`);
    const highlighted = page.locator('.thread-comments [aria-current="true"]');
    await highlighted.waitFor();
    expect(Number(await highlighted.getAttribute('data-comment-id'))).toBe(current);
    await expect.poll(() => highlighted.isVisible()).toBe(true);

    const expected = ['approved', 'hidden', 'escalated'];
    for (const [i, row] of decided.entries()) {
      await page.goto(`${server.url}/#/thread/${row.threadId}?comment=${row.id}`);
      const badge = page.locator(`.thread-comments [data-comment-id="${row.id}"] header [data-status]`);
      await badge.waitFor();
      expect(await badge.getAttribute('data-status')).toBe(expected[i]);
      // The same thread may already be on screen: wait for the highlight to move rather than read it at once.
      await expect.poll(async () => Number(await page.locator('.thread-comments [aria-current="true"]').getAttribute('data-comment-id'))).toBe(row.id);
    }
  });

  it('marks two comments with x, decides both with one bulk request, and undoes both with u', async () => {
    await page.goto(`${server.url}/#/queue`);
    await page.locator('ol.items > li').first().waitFor();
    const before = await rows();
    await page.keyboard.press('x');
    await page.keyboard.press('j');
    await page.keyboard.press('x');
    await expect.poll(() => page.locator('ol.items > li.marked').count()).toBe(2);
    const bulk = page.waitForResponse((r) => r.url().endsWith('/api/decisions') && r.request().method() === 'POST');
    await page.keyboard.press('h');
    expect((await bulk).status()).toBe(200);
    const ids = (await rows()).map((r) => r.id);
    expect(ids).not.toContain(before[0].id);
    expect(ids).not.toContain(before[1].id);

    await page.keyboard.press('u');
    await expect.poll(async () => (await rows()).map((r) => r.id).slice(0, 2)).toEqual([before[0].id, before[1].id]);
    for (const row of before.slice(0, 2)) {
      const answer = (await (await page.request.get(`${server.url}/api/comments/${row.id}`)).json()) as { comment: { status: string } };
      expect(answer.comment.status).toBe('pending');
    }
  });

  it('keeps a comment decided elsewhere in front of the moderator, greyed with who decided it, until the next move', async () => {
    const [first, second] = await rows();
    expect(await selectedId()).toBe(first.id);
    const historyOf = async () => ((await (await page.request.get(`${server.url}/api/comments/${first.id}`)).json()) as { history: unknown[] }).history.length;
    const before = await historyOf();
    const elsewhere = await page.request.post(`${server.url}/api/comments/${first.id}/decision`, { headers: CLIENT_HEADERS, data: { action: 'approve' } });
    expect(elsewhere.status()).toBe(200);
    // Whether the event stream or the refused decision (409) tells the screen first, the comment stays, greyed, saying what happened.
    await page.keyboard.press('a');
    const row = page.locator(`ol.items > li.gone[data-comment-id="${first.id}"]`);
    await row.getByTestId('item-change').filter({ hasText: 'admin approved it' }).waitFor();
    expect(await selectedId()).toBe(first.id);
    // Only the decision made elsewhere was recorded.
    expect(await historyOf()).toBe(before + 1);
    await page.keyboard.press('j');
    await expect.poll(selectedId).toBe(second.id);
    expect((await rows()).map((r) => r.id)).not.toContain(first.id);
  });

  it('hides the admin and lead screens from a moderator', async () => {
    const added = await page.request.post(`${server.url}/api/users`, { headers: CLIENT_HEADERS, data: { username: 'mo', password: 'moderator walks the queue', role: 'moderator' } });
    expect(added.status()).toBe(200);
    const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const modPage = await other.newPage();
      await signIn(modPage, server.url, 'mo', 'moderator walks the queue');
      await modPage.locator('ol.items > li').first().waitFor();
      const links = await modPage.locator('header nav a').allTextContents();
      expect(links).toEqual(['Queue', 'Hidden by rule', 'All comments', 'Samples', 'Import']);
      await modPage.goto(`${server.url}/#/users`);
      await modPage.getByText('This screen needs the admin role').waitFor();
    } finally {
      await other.close();
    }
  });

  it('shows a comment holding a script tag as literal text, and runs nothing', async () => {
    const file = {
      id: 'browser-xss',
      title: 'Markup in comments',
      comments: [
        { id: 'c1', author: 'mallory', text: HOSTILE },
        { id: 'c2', parent: 'c1', author: 'bob', text: 'That is just text.' },
      ],
    };
    await page.goto(`${server.url}/#/import`);
    await page.locator('input[type="file"]').setInputFiles({ name: 'markup.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
    await page.getByLabel('Format').selectOption('json');
    await page.getByRole('button', { name: 'Import' }).click();
    const result = page.getByTestId('import-result');
    await result.waitFor();
    expect(await result.textContent()).toMatch(/2\s+new comments/);

    await result.getByRole('link').first().click();
    await page.waitForURL(/#\/thread\/\d+/);
    const body = page.locator('.thread-comments .body', { hasText: SCRIPT });
    await body.waitFor();
    expect(await body.textContent()).toBe(HOSTILE);
    expect(await body.isVisible()).toBe(true);
    expect(await page.locator('.thread-comments script, .thread-comments img, .thread-comments b').count()).toBe(0);

    // The same text in the comment view, with its context.
    const id = Number(await body.locator('xpath=ancestor::article[@data-comment-id][1]').getAttribute('data-comment-id'));
    await page.goto(`${server.url}/#/comment/${id}`);
    await page.locator('.body', { hasText: SCRIPT }).first().waitFor();

    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('puts the comment back and shows an error when the server cannot record a decision', async () => {
    await page.goto(`${server.url}/#/queue`);
    await page.locator('ol.items > li').first().waitFor();
    // The import made the list stale: read it once reloaded (r), not while the old one still shows.
    const reloading = page.waitForRequest((r) => r.url().includes('/api/queue?'));
    await page.keyboard.press('r');
    await (await reloading).response();
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    const before = await rows();
    await server.stop();
    await page.keyboard.press('h');
    await page.getByRole('alert').filter({ hasText: `Could not hide comment ${before[0].id}` }).waitFor();
    expect((await rows()).map((r) => r.id)).toEqual(before.map((r) => r.id));
    expect(await selectedId()).toBe(before[0].id);
  });
});
