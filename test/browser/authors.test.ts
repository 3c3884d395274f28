/**
 * Authors in the dashboard (issue 12 section 3): a lead opens a comment's
 * author with `p`, bans them with a reason; the author's next comment, sent by
 * the site, arrives hidden by the rule and is listed in "Hidden by rule",
 * where approving it reverses the rule. A moderator is offered no Ban.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, chromiumMissing, CLIENT_HEADERS, launchBrowser, signIn, startServer, type TestServer } from './harness.ts';

const LEAD = { username: 'lead1', password: 'lead one bans the worst trolls' };
const MOD = { username: 'mod1', password: 'mod one watches the regulars' };
/** The site's name for the author: hostile markup that must stay text. */
const NAME = '<b>Troll</b><img src=x onerror="alert(1)">';

describe.skipIf(chromiumMissing() !== null)('authors: ban from the queue, hidden by rule, reversed', () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let lead: Page;
  let mod: Page;
  let site: (path: string, body: unknown) => Promise<Response>;
  const pageErrors: string[] = [];
  const dialogs: string[] = [];
  const thread = { id: 'a1', title: 'Council votes on the bypass' };

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    return page;
  }

  async function post(id: string, text: string): Promise<number> {
    const res = await site('/api/v1/comments', { comments: [{ id, thread, author: { id: 'troll', name: NAME }, text }] });
    expect(res.status).toBe(200);
    return ((await res.json()) as { results: { triageId: number }[] }).results[0].triageId;
  }

  beforeAll(async () => {
    server = await startServer({ seed: false });
    browser = await launchBrowser();
    const admin = await browser.newContext();
    contexts.push(admin);
    const login = await admin.request.post(`${server.url}/api/auth/login`, { headers: CLIENT_HEADERS, data: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(login.status()).toBe(200);
    for (const [user, role] of [[LEAD, 'lead'], [MOD, 'moderator']] as const) {
      const added = await admin.request.post(`${server.url}/api/users`, { headers: CLIENT_HEADERS, data: { ...user, role } });
      expect(added.status()).toBe(200);
    }
    const created = await admin.request.post(`${server.url}/api/integrations/keys`, { headers: CLIENT_HEADERS, data: { name: 'News', source: 'news' } });
    expect(created.status()).toBe(200);
    const { key } = (await created.json()) as { key: string };
    site = (path, body) =>
      fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    lead = await newPage();
    mod = await newPage();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
  });

  let first = 0;

  it('a lead opens the author of a queue comment with p, and bans them with a reason and an expiry', async () => {
    first = await post('c1', 'You are a liar and everyone knows it');
    await server.waitForScoring();
    // A reader's report brings the comment to the queue whatever its score.
    expect((await site('/api/v1/reports', { commentId: 'c1', reason: 'harassment', reporterId: 'r1' })).status).toBe(200);

    await signIn(lead, server.url, LEAD.username, LEAD.password);
    await lead.locator(`ol.items > li[data-comment-id="${first}"][aria-current="true"]`).waitFor();
    await lead.keyboard.press('p');
    await lead.waitForURL(/#\/authors\?source=news&key=troll$/);
    const name = lead.getByTestId('author-name');
    await name.waitFor();
    // The hostile name is text: no element came from it.
    expect(await name.textContent()).toContain('<b>Troll</b>');
    expect(await name.locator('b, img').count()).toBe(0);
    await lead.getByText('Not watched, trusted or banned.').waitFor();
    await lead.locator('ol[aria-label="the author\'s comments"] > li').first().waitFor();

    // Keyboard only: focus Ban…, Enter opens the form with the reason focused.
    await lead.getByRole('button', { name: 'Ban…' }).focus();
    await lead.keyboard.press('Enter');
    const reason = lead.getByLabel('Reason');
    await expect.poll(() => reason.evaluate((el) => el === document.activeElement)).toBe(true);
    await lead.keyboard.type('Threatened two readers');
    await lead.getByLabel('Expires').selectOption({ label: '7 days' });
    const acted = lead.waitForResponse((r) => r.url().endsWith('/api/authors/actions') && r.request().method() === 'POST');
    await lead.getByRole('button', { name: 'Ban author' }).click();
    expect((await acted).status()).toBe(200);

    await lead.getByTestId('author-standing').getByText(/^Banned until /).waitFor();
    const entry = lead.locator('ol.log > li[data-kind="author"]').first();
    await entry.getByText('Threatened two readers').waitFor();
    // The ban can be undone from its log entry; the button now offered is Unban.
    await entry.getByRole('button', { name: 'Undo banned' }).waitFor();
    await lead.getByRole('button', { name: 'Unban…' }).waitFor();
  });

  it("the author's next comment arrives hidden by the rule, is listed, and approving it there reverses it", async () => {
    const next = await post('c2', 'I know where you live');
    const status = async () => ((await (await lead.request.get(`${server.url}/api/comments/${next}`)).json()) as { comment: { status: string } }).comment.status;
    expect(await status()).toBe('hidden');

    await lead.getByRole('link', { name: 'Hidden by rule', exact: true }).click();
    const item = lead.locator(`ol[aria-label="comments hidden by rule"] > li[data-comment-id="${next}"]`);
    await item.waitFor();
    await item.getByText('banned author').waitFor();
    const decided = lead.waitForResponse((r) => r.url().endsWith(`/api/comments/${next}/decision`) && r.request().method() === 'POST');
    await item.getByRole('button', { name: `Approve comment ${next}` }).click();
    const answer = await decided;
    expect(answer.status()).toBe(200);
    expect(((await answer.request().postDataJSON()) as { expectedVersion?: number }).expectedVersion).toBeGreaterThan(0);
    await item.waitFor({ state: 'detached' });
    expect(await status()).toBe('approved');
    // It stays off the list after a reload.
    await lead.getByRole('button', { name: 'Reload' }).click();
    await lead.getByText('Nothing is hidden by a rule.').waitFor();
  });

  it('a moderator is offered Watch and notes but no Ban, and the server refuses a ban', async () => {
    await signIn(mod, server.url, MOD.username, MOD.password);
    await mod.goto(`${server.url}/#/authors?source=news&key=troll`);
    await mod.getByRole('button', { name: 'Watch…' }).waitFor();
    await mod.getByRole('button', { name: 'Add note…' }).waitFor();
    expect(await mod.getByRole('button', { name: /^(Ban|Unban|Trust|Untrust)…$/ }).count()).toBe(0);
    await mod.getByText('Trusting and banning need a lead or admin.').waitFor();
    // Nor may the lead's ban be undone by a moderator.
    expect(await mod.locator('ol.log').getByRole('button', { name: /^Undo/ }).count()).toBe(0);
    const refused = await mod.request.post(`${server.url}/api/authors/actions`, {
      headers: CLIENT_HEADERS,
      data: { source: 'news', key: 'troll', action: 'unban', reason: 'try' },
    });
    expect(refused.status()).toBe(403);

    // A note, by keyboard: n opens the form, Escape would close it.
    await mod.keyboard.press('n');
    const reason = mod.getByLabel(/^Reason/);
    await expect.poll(() => reason.evaluate((el) => el === document.activeElement)).toBe(true);
    await mod.keyboard.type('Asked them to calm down by mail');
    await mod.getByRole('button', { name: 'Save note' }).click();
    await mod.locator('ul.notes').getByText('Asked them to calm down by mail').waitFor();
    expect(pageErrors).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
