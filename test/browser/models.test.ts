/**
 * An admin adapts the model to the site (issue 11) on the Model screen:
 * trains a site model from the moderators' decisions, reads how it compares
 * with the model in force, runs it in shadow, promotes it (the pipeline
 * rescores and the queue changes), and rolls back to the shipped model. Real
 * server scoring with the local model, chromium at 1024x768.
 */
import type { APIRequestContext, Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../server/random.ts';
import { chromiumMissing, CLIENT_HEADERS, launchBrowser, signIn, startServer, type TestServer } from './harness.ts';

/** Decided comments: above the 200 a site model needs, few enough to score and train in seconds. */
const DECIDED = 220;
/** Left pending after them, nobody deciding: the queue the promotion changes. */
const PENDING = 40;

// A site with a standard of its own (as test/adaptation/fixture.ts): its
// moderators hide every comment that touts crypto, a word the shipped model
// has no reason to weigh, and approve the rest.
const TOPICS = ['the bus route', 'the new library', 'parking on Elm Street', 'the school budget', 'the bridge repairs', 'the farmers market'];
const OPINIONS = ['is a sensible idea', 'needs more thought', 'was handled well', 'seems overdue', 'will cost too much', 'deserves a public meeting'];
const CRYPTO = ['and I made real money with crypto this month', 'so move your savings into crypto', 'but crypto is the answer', 'ask me about crypto'];
const ASIDES = ['as my neighbour says', 'if you ask me', 'like last year', ''];

function siteComments(): { id: string; author: string; text: string; hide: boolean }[] {
  const random = seededRandom(11);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  return Array.from({ length: DECIDED + PENDING }, (_, i) => {
    const crypto = random() < 0.3;
    const tail = crypto ? pick(CRYPTO) : pick(ASIDES);
    return { id: `c${i}`, author: `reader${i % 30}`, text: `${pick(['I think', 'Honestly,', 'Well,'])} ${pick(TOPICS)} ${pick(OPINIONS)}${tail ? ` ${tail}` : ''}.`, hide: crypto };
  });
}

interface ThreadComment {
  id: number;
  externalId: string;
  body: string;
  status: string;
  flagged: boolean;
  model: string | null;
}

describe.skipIf(chromiumMissing() !== null)('the Model screen in a browser', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let moderator: BrowserContext;
  let page: Page;
  let threadId: number;
  const pageErrors: string[] = [];

  async function threadComments(request: APIRequestContext = page.request): Promise<ThreadComment[]> {
    const answer = await request.get(`${server.url}/api/threads/${threadId}`);
    return ((await answer.json()) as { comments: ThreadComment[] }).comments;
  }

  /** Pending comments touting crypto that the queue holds (flagged, nobody decided). */
  async function cryptoInQueue(): Promise<number> {
    return (await threadComments()).filter((c) => c.status === 'pending' && c.flagged && c.body.includes('crypto')).length;
  }

  beforeAll(async () => {
    server = await startServer({ seed: false });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(page, server.url);

    // A second moderator, so the weighting has two rows.
    const added = await page.request.post(`${server.url}/api/users`, { headers: CLIENT_HEADERS, data: { username: 'bob', password: 'bob decides comments', role: 'moderator' } });
    expect(added.status(), await added.text()).toBe(200);
    moderator = await browser.newContext();
    const login = await moderator.request.post(`${server.url}/api/auth/login`, { headers: CLIENT_HEADERS, data: { username: 'bob', password: 'bob decides comments' } });
    expect(login.status(), await login.text()).toBe(200);

    const comments = siteComments();
    const file = { id: 'town-news', title: 'Town news', comments: comments.map(({ id, author, text }) => ({ id, author, text })) };
    const imported = await page.request.post(`${server.url}/api/import?format=json`, { headers: { 'content-type': 'application/json', ...CLIENT_HEADERS }, data: JSON.stringify(file) });
    expect(imported.status(), await imported.text()).toBe(200);
    threadId = ((await imported.json()) as { threadIds: number[] }).threadIds[0]!;
    await server.waitForScoring(120_000);

    // The moderators decide the oldest comments one by one, through the same API the queue uses.
    const ids = new Map((await threadComments()).map((c) => [c.externalId, c.id]));
    for (const [i, c] of comments.slice(0, DECIDED).entries()) {
      const who = i % 3 === 2 ? moderator.request : page.request;
      const decided = await who.post(`${server.url}/api/comments/${ids.get(c.id)}/decision`, { headers: CLIENT_HEADERS, data: { action: c.hide ? 'hide' : 'approve' } });
      expect(decided.status(), await decided.text()).toBe(200);
    }
  });

  afterAll(async () => {
    await moderator?.close();
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  it('trains a site model, compares it, shadows it, promotes it (the queue changes) and rolls back', async () => {
    const shipped = ((await (await page.request.get(`${server.url}/api/models`)).json()) as { shipped: string }).shipped;
    const before = await cryptoInQueue();

    await page.goto(`${server.url}/#/queue`);
    await page.getByRole('link', { name: 'Model', exact: true }).click();
    await expect.poll(() => page.getByTestId('in-force-model').textContent()).toBe(shipped);
    expect(await page.getByTestId('in-force').textContent()).toContain('since installation');

    // Train: progress while it runs, then done.
    await page.getByRole('button', { name: 'Train a site model' }).click();
    await page.getByTestId('training').waitFor();
    await page.locator('[data-testid="training"][data-state="done"]').waitFor({ timeout: 90_000 });
    const trained = (await page.getByTestId('training').locator('strong').textContent())!;
    expect(trained).toMatch(/^triage-site@\d+$/);

    // The comparison, side by side with the model in force, and the warnings on so few held-out decisions.
    const card = page.locator(`article[data-model="${trained}"]`);
    const table = card.getByTestId('comparison');
    await table.waitFor();
    const text = (await table.textContent())!;
    for (const row of ['ROC AUC', 'PR AUC', 'Precision at the current thresholds', 'Recall at the current thresholds']) expect(text).toContain(row);
    expect(text).toContain(shipped);
    expect(text).toMatch(/0\.\d{3} ± 0\.\d{3}/);
    expect(await table.textContent()).toContain(`On the ${Math.ceil(DECIDED * 0.2)} most recent decisions`);
    expect(await card.getByTestId('warnings').textContent()).toMatch(/too small to trust/);
    expect(await card.getByTestId('queue-movement').textContent()).toMatch(/would enter the queue/);
    const weights = (await card.locator('table.weights').textContent())!;
    expect(weights).toContain('admin');
    expect(weights).toContain('bob');

    // Shadow: it scores beside the model in force and flags nothing.
    await card.getByRole('button', { name: 'Run in shadow' }).click();
    const shadow = page.getByTestId('shadow');
    await shadow.waitFor();
    expect(await shadow.textContent()).toContain(trained);
    expect(await shadow.locator('tbody tr').count()).toBe(2);
    expect(await cryptoInQueue()).toBe(before);

    // Bob works the queue meanwhile: he is told when the model in force changes.
    const bobPage = await moderator.newPage();
    const stream = bobPage.waitForResponse((r) => r.url().includes('/api/events'));
    await bobPage.goto(`${server.url}/#/queue`);
    await stream;

    // Promote, by keyboard: Escape cancels, Enter submits the reason.
    await card.getByRole('button', { name: 'Promote…' }).click();
    const reason = card.getByLabel('Reason');
    await expect.poll(() => reason.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Escape');
    expect(await card.getByLabel('Reason').count()).toBe(0);
    await card.getByRole('button', { name: 'Promote…' }).click();
    await card.getByLabel('Reason').fill('Hides crypto touting <b>like us</b>');
    const promoted = page.waitForResponse((r) => r.url().endsWith('/api/models/in-force') && r.request().method() === 'PUT');
    await card.getByLabel('Reason').press('Enter');
    expect((await promoted).status()).toBe(200);
    await bobPage.getByText(`${trained} is in force now`).waitFor({ timeout: 10_000 });
    await bobPage.close();
    await expect.poll(() => page.getByTestId('in-force-model').textContent()).toBe(trained);
    const inForce = (await page.getByTestId('in-force').textContent())!;
    expect(inForce).toContain('Hides crypto touting <b>like us</b>');
    expect(await page.getByTestId('in-force').locator('b').count()).toBe(0);
    expect(await page.getByTestId('shadow').count()).toBe(0);

    // The pipeline rescores every stored comment with the site model; the crypto touting enters the queue.
    await expect
      .poll(async () => {
        const s = (await (await page.request.get(`${server.url}/api/scoring/rescore`)).json()) as { model: string | null; rescore: { pending: number } };
        return s.model === trained && s.rescore.pending === 0;
      }, { timeout: 60_000, interval: 500 })
      .toBe(true);
    await page.getByTestId('model-panel').getByText(trained).first().waitFor();
    await expect.poll(cryptoInQueue, { timeout: 10_000 }).toBeGreaterThan(before);

    // Roll back to the shipped model, the reason prefilled.
    const history = page.getByTestId('model-history');
    expect(await history.locator('tbody tr').first().textContent()).toContain(trained);
    const shippedRow = history.locator('tr[data-version="0"]');
    await shippedRow.getByRole('button', { name: 'Roll back to this' }).click();
    expect(await shippedRow.getByLabel('Reason').inputValue()).toBe('Roll back to the shipped model');
    await shippedRow.getByLabel('Reason').press('Enter');
    await expect.poll(() => page.getByTestId('in-force-model').textContent()).toBe(shipped);
    await expect.poll(() => history.locator('tbody tr').count()).toBe(3);
    expect(await history.locator('tbody tr').first().textContent()).toContain('Roll back to the shipped model');
    // The earlier site model can be put back in one action, too.
    await history.locator('tbody tr').nth(1).getByRole('button', { name: 'Roll back to this' }).waitFor();

    expect(pageErrors).toEqual([]);
  });

  it('shows a lead the screen read-only', async () => {
    const added = await page.request.post(`${server.url}/api/users`, { headers: CLIENT_HEADERS, data: { username: 'lea', password: 'lea leads the team', role: 'lead' } });
    expect(added.status(), await added.text()).toBe(200);
    const lead = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    const leadPage = await lead.newPage();
    await signIn(leadPage, server.url, 'lea', 'lea leads the team');
    await leadPage.getByRole('link', { name: 'Model', exact: true }).click();
    await leadPage.getByText('Only admins can train, shadow, promote and roll back models.').waitFor();
    expect(await leadPage.getByTestId('site-model').count()).toBe(1);
    expect(await leadPage.getByRole('button', { name: /Train a site model|Promote|Roll back|shadow/ }).count()).toBe(0);
    await lead.close();
  });
});
