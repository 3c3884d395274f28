/**
 * A team on one queue (issue 12): two moderators signed in in two browser
 * contexts against one real server. One's decisions and claims show on the
 * other's screen through the event stream; a stale decision is refused and
 * shown; undo is kept on the server, so it works after a reload.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, chromiumMissing, CLIENT_HEADERS, launchBrowser, signIn, startServer, type TestServer } from './harness.ts';

const MODS = [
  { username: 'mod1', password: 'mod one walks the long queue' },
  { username: 'mod2', password: 'mod two reads every reply' },
];

describe.skipIf(chromiumMissing() !== null)('two moderators on one queue', () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let one: Page;
  let two: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    await server.waitForScoring();
    browser = await launchBrowser();
    // The admin adds the two moderators through the API only: an admin's queue screen would claim a comment too.
    const admin = await browser.newContext();
    contexts.push(admin);
    const login = await admin.request.post(`${server.url}/api/auth/login`, { headers: CLIENT_HEADERS, data: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(login.status()).toBe(200);
    for (const mod of MODS) {
      const added = await admin.request.post(`${server.url}/api/users`, { headers: CLIENT_HEADERS, data: { ...mod, role: 'moderator' } });
      expect(added.status()).toBe(200);
    }
    [one, two] = await Promise.all(
      MODS.map(async () => {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        contexts.push(context);
        const page = await context.newPage();
        page.on('pageerror', (error) => pageErrors.push(error.message));
        return page;
      }),
    );
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
  });

  const rows = (page: Page) => page.locator('ol.items > li').evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-comment-id'))));
  const selectedId = async (page: Page) => Number(await page.locator('ol.items > li[aria-current="true"]').getAttribute('data-comment-id'));
  const row = (page: Page, id: number) => page.locator(`ol.items > li[data-comment-id="${id}"]`);
  const claimed = (page: Page, id: number) =>
    page.waitForResponse((r) => r.url().endsWith(`/api/comments/${id}/claim`) && r.request().method() === 'POST' && r.status() === 200);

  let ids: number[] = [];

  it('claims the open comment: the other moderator sees who reviews it, and their queue opens at the next one', async () => {
    await signIn(one, server.url, MODS[0].username, MODS[0].password);
    await one.locator('ol.items > li').first().waitFor();
    ids = await rows(one);
    expect(ids.length).toBeGreaterThanOrEqual(4);
    expect(await selectedId(one)).toBe(ids[0]);
    await expect.poll(async () => (await (await one.request.get(`${server.url}/api/comments/${ids[0]}`)).json()).comment.claim?.username).toBe('mod1');

    await signIn(two, server.url, MODS[1].username, MODS[1].password);
    await two.locator('ol.items > li').first().waitFor();
    await expect.poll(() => selectedId(two)).toBe(ids[1]);
    await row(two, ids[0]).getByTestId('item-claim').filter({ hasText: 'being reviewed by mod1' }).waitFor();
    // mod2's claim reaches mod1's screen through the event stream.
    await row(one, ids[1]).getByTestId('item-claim').filter({ hasText: 'being reviewed by mod2' }).waitFor();
  });

  it('j skips a comment the other moderator has claimed', async () => {
    const took = claimed(one, ids[2]);
    await one.keyboard.press('j');
    await expect.poll(() => selectedId(one)).toBe(ids[2]);
    await took;
    // Moving on released the first comment.
    await expect.poll(async () => (await (await one.request.get(`${server.url}/api/comments/${ids[0]}`)).json()).comment.claim).toBeNull();
  });

  it("shows one moderator's hide on the other's screen, greyed, until the next move", async () => {
    // mod2 is on ids[1]; ids[2] is mod1's, so mod2's next comment is ids[3].
    const hidden = two.waitForResponse((r) => r.url().endsWith(`/api/comments/${ids[1]}/decision`) && r.request().method() === 'POST');
    await two.keyboard.press('h');
    expect((await hidden).status()).toBe(200);
    await expect.poll(() => selectedId(two)).toBe(ids[3]);

    const greyed = row(one, ids[1]);
    await greyed.getByTestId('item-change').filter({ hasText: 'mod2 hid it' }).waitFor();
    expect(await greyed.getAttribute('class')).toContain('gone');
    // The list does not move under mod1's cursor.
    expect(await selectedId(one)).toBe(ids[2]);
    expect(await rows(one)).toContain(ids[1]);

    // At the next move it leaves: k goes past it to ids[0], released by mod1 earlier.
    await one.keyboard.press('k');
    await expect.poll(() => selectedId(one)).toBe(ids[0]);
    expect(await rows(one)).not.toContain(ids[1]);
  });

  it('a comment coming back into the queue shows as "1 new", and r shows it, without moving the cursor', async () => {
    // mod2 undoes the hide: the comment is pending again.
    const undone = two.waitForResponse((r) => /\/api\/decisions\/\d+\/undo$/.test(r.url()));
    await two.keyboard.press('u');
    expect((await undone).status()).toBe(200);
    await one.getByRole('status').filter({ hasText: '1 new comment' }).waitFor();
    expect(await rows(one)).not.toContain(ids[1]);
    expect(await selectedId(one)).toBe(ids[0]);
    await one.keyboard.press('r');
    await expect.poll(() => rows(one)).toContain(ids[1]);
    expect(await selectedId(one)).toBe(ids[0]);
    expect(await one.getByRole('status').filter({ hasText: 'new comment' }).count()).toBe(0);
  });

  it('refuses a stale decision: shows who changed the comment, to what, and its new state; the server keeps one decision', async () => {
    // A second tab of mod1 that hears no events, so its decision is the stale one the server refuses.
    const tab = await one.context().newPage();
    await tab.route('**/api/events**', (route) => route.abort());
    await tab.goto(`${server.url}/#/queue`);
    await tab.locator('ol.items > li').first().waitFor();
    const target = await selectedId(tab);

    const elsewhere = await two.request.post(`${server.url}/api/comments/${target}/decision`, { headers: CLIENT_HEADERS, data: { action: 'escalate' } });
    expect(elsewhere.status()).toBe(200);

    const refused = tab.waitForResponse((r) => r.url().endsWith(`/api/comments/${target}/decision`) && r.request().method() === 'POST');
    await tab.keyboard.press('a');
    expect((await refused).status()).toBe(409);
    await tab.getByRole('alert').filter({ hasText: `Comment ${target} changed since you saw it: mod2 escalated it` }).waitFor();
    // Kept in front of the moderator with its state now.
    expect(await selectedId(tab)).toBe(target);
    await row(tab, target).getByTestId('item-change').filter({ hasText: 'mod2 escalated it' }).waitFor();
    await tab.getByTestId('pane-change').filter({ hasText: 'it is escalated now' }).waitFor();

    const answer = (await (await tab.request.get(`${server.url}/api/comments/${target}`)).json()) as {
      comment: { status: string };
      history: { action: string; moderator: string }[];
    };
    expect(answer.comment.status).toBe('escalated');
    expect(answer.history.map((d) => `${d.moderator} ${d.action}`)).toEqual(['mod2 escalate']);
    await tab.close();
  });

  it('a bulk decision says which comments were decided and which had changed, and shows those as they are now', async () => {
    const tab = await one.context().newPage();
    await tab.route('**/api/events**', (route) => route.abort());
    await tab.goto(`${server.url}/#/queue`);
    await tab.locator('ol.items > li').first().waitFor();
    await tab.keyboard.press('x');
    await tab.keyboard.press('j');
    await tab.keyboard.press('x');
    const marked = await tab.locator('ol.items > li.marked').evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-comment-id'))));
    expect(marked).toHaveLength(2);

    const elsewhere = await two.request.post(`${server.url}/api/comments/${marked[1]}/decision`, { headers: CLIENT_HEADERS, data: { action: 'hide' } });
    expect(elsewhere.status()).toBe(200);
    const bulk = tab.waitForResponse((r) => r.url().endsWith('/api/decisions') && r.request().method() === 'POST');
    await tab.keyboard.press('a');
    expect((await bulk).status()).toBe(200);
    await tab.getByRole('alert').filter({ hasText: `Approved 1 of 2; 1 had changed since you saw them and were left alone (comment ${marked[1]}: mod2 hid it)` }).waitFor();
    expect(await rows(tab)).not.toContain(marked[0]);
    await row(tab, marked[1]).getByTestId('item-change').filter({ hasText: 'mod2 hid it' }).waitFor();

    const statusOf = async (id: number) => ((await (await tab.request.get(`${server.url}/api/comments/${id}`)).json()) as { comment: { status: string } }).comment.status;
    expect(await statusOf(marked[0])).toBe('approved');
    expect(await statusOf(marked[1])).toBe('hidden');
    await tab.close();
  });

  it('undoes the newest decision with u after a reload', async () => {
    await one.bringToFront();
    // mod2 escalated the comment mod1 had open: it is greyed until mod1 moves on.
    await one.keyboard.press('j');
    await expect.poll(async () => one.locator('ol.items > li[aria-current="true"].gone').count()).toBe(0);
    const target = await selectedId(one);
    const hidden = one.waitForResponse((r) => r.url().endsWith(`/api/comments/${target}/decision`) && r.request().method() === 'POST');
    await one.keyboard.press('h');
    expect((await hidden).status()).toBe(200);

    await one.reload();
    // The seed threads flag only a few comments: the queue may be clear by now.
    await one.locator('ol.items > li, .state.empty').first().waitFor();
    expect(await rows(one)).not.toContain(target);

    const undone = one.waitForResponse((r) => /\/api\/decisions\/\d+\/undo$/.test(r.url()));
    await one.keyboard.press('u');
    expect((await undone).status()).toBe(200);
    await expect.poll(() => rows(one)).toContain(target);
    const answer = (await (await one.request.get(`${server.url}/api/comments/${target}`)).json()) as { comment: { status: string } };
    expect(answer.comment.status).toBe('pending');
  });

  it('lets an admin take over a comment another moderator is reviewing', async () => {
    const target = await selectedId(two);
    await expect.poll(async () => (await (await two.request.get(`${server.url}/api/comments/${target}`)).json()).comment.claim?.username).toBe('mod2');
    const lead = await contexts[0].newPage();
    await lead.goto(`${server.url}/#/queue`);
    await row(lead, target).getByTestId('item-claim').filter({ hasText: 'being reviewed by mod2' }).waitFor();
    await row(lead, target).locator('button.row').click();
    await lead.getByTestId('pane-claim').filter({ hasText: 'Being reviewed by mod2' }).waitFor();
    await lead.getByRole('button', { name: 'Take over' }).click();
    await expect.poll(async () => (await (await lead.request.get(`${server.url}/api/comments/${target}`)).json()).comment.claim?.username).toBe('admin');
    await two.getByRole('status').filter({ hasText: `admin took over comment ${target}` }).waitFor();
    await row(two, target).getByTestId('item-claim').filter({ hasText: 'being reviewed by admin' }).waitFor();
    await lead.close();
    expect(pageErrors).toEqual([]);
  });

  it('signing out releases the comment the moderator had open', async () => {
    const open = await selectedId(one);
    await expect.poll(async () => (await (await two.request.get(`${server.url}/api/comments/${open}`)).json()).comment.claim?.username).toBe('mod1');
    await one.getByRole('button', { name: 'Sign out' }).click();
    await one.getByLabel('Password').waitFor();
    await expect.poll(async () => (await (await two.request.get(`${server.url}/api/comments/${open}`)).json()).comment.claim).toBeNull();
    expect(pageErrors).toEqual([]);
  });
});
