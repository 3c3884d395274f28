/**
 * Findings 10 and 11 in a real browser: a long comment is cut in lists and
 * whole in its own view, a deep chain says how much of it is left out, and
 * direction controls show as markers instead of reordering the text.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchBrowser, signIn, startServer, type TestServer } from './harness.ts';

const TRICK = 'see gnp\u202Eexe.png now';
const LONG = `start ${'x'.repeat(2500)} end`;
const CHAIN = 60;

describe.skipIf(chromiumMissing() !== null)('untrusted text and long comments in a browser', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const ids = new Map<string, number>();
  let threadId = 0;

  beforeAll(async () => {
    server = await startServer({ seed: false });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await signIn(page, server.url);
    const chain = Array.from({ length: CHAIN }, (_, i) => ({ id: `d${i + 1}`, parent: i === 0 ? 'c1' : `d${i}`, text: `level ${i + 1}` }));
    const file = {
      id: 'browser-text',
      title: 'Invoice \u202Efdp.exe',
      comments: [
        { id: 'c1', author: 'mallory\u202E', text: TRICK },
        { id: 'c2', parent: 'c1', author: 'bob', text: 'pass\u200Bword' },
        { id: 'c3', author: 'carol', text: LONG },
        ...chain,
      ],
    };
    const imported = await page.request.post(`${server.url}/api/import?format=json`, {
      headers: { 'content-type': 'application/json', 'x-requested-with': 'triage' },
      data: JSON.stringify(file),
    });
    expect(imported.status(), await imported.text()).toBe(200);
    threadId = ((await imported.json()) as { threadIds: number[] }).threadIds[0];
    const thread = (await (await page.request.get(`${server.url}/api/threads/${threadId}`)).json()) as { comments: { id: number; body: string }[] };
    for (const c of thread.comments) ids.set(c.body.startsWith('start') ? 'long' : c.body, c.id);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const card = (id: number) => page.locator(`.thread-comments article[data-comment-id="${id}"]`);

  it('shows a right-to-left override as a marker and the text in logical order', async () => {
    const id = ids.get(TRICK)!;
    await page.goto(`${server.url}/#/thread/${threadId}?comment=${id}`);
    const body = card(id).locator('.body');
    await body.waitFor();
    expect(await body.textContent()).toBe('see gnp⟨RLO⟩exe.png now');
    const marker = body.locator('bdi .hidden-char');
    expect(await marker.textContent()).toBe('⟨RLO⟩');
    expect(await marker.getAttribute('title')).toBe('U+202E right-to-left override');

    // Laid out left to right as stored: "gnp", then the marker, then "exe.png", each letter after the one before.
    const layout = await body.evaluate((p) => {
      const bdi = p.querySelector('bdi')!;
      // The bdi's own text runs (Svelte may add empty nodes between them), not the marker's.
      const [before, after] = Array.from(bdi.childNodes).filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent !== '');
      const x = (node: Node, from: number, to: number) => {
        const range = document.createRange();
        range.setStart(node, from);
        range.setEnd(node, to);
        const r = range.getBoundingClientRect();
        return { left: r.left, right: r.right };
      };
      const letters = (node: Node) => Array.from({ length: node.textContent!.length }, (_, i) => x(node, i, i + 1).left);
      return { gnp: x(before, 4, 7), marker: bdi.querySelector('.hidden-char')!.getBoundingClientRect().toJSON() as { left: number; right: number }, exe: x(after, 0, 7), lettersBefore: letters(before), lettersAfter: letters(after) };
    });
    expect(layout.gnp.right).toBeLessThanOrEqual(layout.marker.left + 1);
    expect(layout.marker.right).toBeLessThanOrEqual(layout.exe.left + 1);
    for (const xs of [layout.lettersBefore, layout.lettersAfter]) expect(xs).toEqual([...xs].sort((a, b) => a - b));

    // Author and title are isolated and show their controls too; a zero-width space shows in the reply.
    expect(await card(id).locator('header .author bdi').textContent()).toBe('mallory⟨RLO⟩');
    expect(await page.locator('h1 bdi').textContent()).toBe('Invoice ⟨RLO⟩fdp.exe');
    expect(await card(ids.get('pass\u200Bword')!).locator('.body').textContent()).toBe('pass⟨ZWSP⟩word');
    expect(await page.locator('.thread-comments').evaluate((el) => /[\u200B\u202E]/.test(el.textContent ?? ''))).toBe(false);
  });

  it('cuts a long comment in the thread and shows all of it in its own view', async () => {
    const id = ids.get('long')!;
    await page.goto(`${server.url}/#/thread/${threadId}?comment=${id}`);
    const cut = card(id).getByTestId('body-cut');
    await cut.waitFor();
    expect([...((await card(id).locator('.body').textContent()) ?? '')]).toHaveLength(2000);
    // 2,510 characters of one byte each.
    const link = cut.getByRole('link', { name: 'Show the whole comment (2.5 KB)' });
    await link.click();
    await page.waitForURL(new RegExp(`#/comment/${id}$`));
    const whole = page.locator('.focus article .body');
    await whole.waitFor();
    expect(await whole.textContent()).toBe(LONG);
    expect(await page.locator('.focus').getByTestId('body-cut').count()).toBe(0);
  });

  it('shows the nearest ancestors of a deep reply and links to the whole thread for the rest', async () => {
    const id = ids.get(`level ${CHAIN}`)!;
    await page.goto(`${server.url}/#/comment/${id}`);
    const omitted = page.getByTestId('ancestors-omitted');
    await omitted.waitFor();
    // The chain is c1, then d1..d60: 60 ancestors above d60, 50 shown.
    expect(await omitted.textContent()).toMatch(/10 earlier comments in this chain not shown/);
    expect(await page.locator('ol.chain > li').count()).toBe(50);
    await omitted.getByRole('link', { name: 'whole thread' }).click();
    await page.waitForURL(new RegExp(`#/thread/${threadId}\\?comment=${id}$`));
    await card(id).waitFor();
  });
});
