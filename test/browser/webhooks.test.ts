/**
 * An admin registers a webhook endpoint in the Integrations screen, sees its
 * secret once, sends a test event to a real receiver and sees it delivered;
 * what the receiver answered is shown as text, however hostile. A disabled
 * endpoint says why and can be turned back on; an endpoint is deleted after
 * a confirmation.
 *
 * Triage runs in this process (buildApp, as main.ts builds it, serving
 * web/dist) so that the sender can retry in milliseconds and the receiver on
 * 127.0.0.1 is allowed (TRIAGE_WEBHOOKS_ALLOW_PRIVATE).
 */
import type { FastifyInstance } from 'fastify';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.ts';
import { ADMIN_PASSWORD, chromiumMissing, launchBrowser, signIn } from './harness.ts';

const HOSTILE = '<img src=x onerror=alert(1)>';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

describe.skipIf(chromiumMissing() !== null)('webhooks in the Integrations screen', () => {
  let app: FastifyInstance;
  let url: string;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'text/html' }).end(HOSTILE);
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/triage`;

    app = await buildApp({ dbPath: ':memory:', scoring: false, webhooks: { allowPrivate: true, baseDelayMs: 20, pollMs: 20 } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    await app.triage.auth.addUser({ username: 'admin', password: ADMIN_PASSWORD, role: 'admin' });
    app.triage.integrations.createKey({ name: 'Blog', source: 'blog.example' }, null);

    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('registers an endpoint, shows its secret once, delivers a test event and shows the answer as text', async () => {
    await signIn(page, url);
    await page.getByRole('link', { name: 'Integrations' }).click();
    await page.getByText('No endpoints yet.').waitFor();
    const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Register endpoint' }) });

    // comment.decided is ticked by default, the others are not; the source is offered from the keys.
    expect(await form.getByRole('checkbox', { name: 'comment.decided' }).isChecked()).toBe(true);
    expect(await form.getByRole('checkbox', { name: 'comment.flagged' }).isChecked()).toBe(false);
    expect(await page.locator('datalist#webhook-sources option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))).toEqual([
      'blog.example',
    ]);

    // The server's refusal is shown beside the form.
    await form.getByLabel('Source').fill('blog.example');
    await form.getByLabel('URL').fill('ftp://127.0.0.1/hooks');
    await form.getByRole('button', { name: 'Register endpoint' }).click();
    expect(await page.getByTestId('webhook-refused').textContent()).toContain('must be an http or https URL');
    expect(await page.getByText('No endpoints yet.').isVisible()).toBe(true);

    // Registered by keyboard: ticks with Space, Enter in the URL field submits.
    await form.getByRole('checkbox', { name: 'report.received' }).focus();
    await page.keyboard.press('Space');
    await form.getByRole('checkbox', { name: 'Include the moderator’s name' }).focus();
    await page.keyboard.press('Space');
    await form.getByLabel('URL').fill(receiverUrl);
    await form.getByLabel('URL').press('Enter');
    const shown = page.getByTestId('new-secret');
    await shown.waitFor();
    const secret = (await shown.textContent())!.trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('new-secret');
    expect(await page.getByText('it will not be shown again').isVisible()).toBe(true);
    expect(await page.getByTestId('webhook-refused').count()).toBe(0);

    const endpoint = page.getByTestId('webhook-endpoint');
    expect(await endpoint.count()).toBe(1);
    const text = await endpoint.textContent();
    expect(text).toContain(receiverUrl);
    expect(text).toContain('blog.example');
    expect(text).toContain('comment.decided, report.received (with the moderator’s name)');
    expect(await endpoint.getByTestId('webhook-status').textContent()).toContain('active');
    expect(await endpoint.locator('a').count()).toBe(0);

    // Gone once dismissed, and after a reload.
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByTestId('new-secret').count()).toBe(0);
    await page.reload();
    await endpoint.waitFor();
    expect(await page.content()).not.toContain(secret);

    // A test event: the deliveries open, and Refresh shows it delivered with the receiver's 200.
    await endpoint.getByRole('button', { name: 'Send test event' }).click();
    const deliveries = endpoint.getByRole('region', { name: /^deliveries to / });
    await deliveries.waitFor();
    expect(await endpoint.getByRole('button', { name: 'Deliveries' }).getAttribute('aria-expanded')).toBe('true');
    const row = deliveries.getByTestId('webhook-delivery');
    await expect
      .poll(
        async () => {
          await deliveries.getByRole('button', { name: 'Refresh' }).click();
          return row.first().getAttribute('data-state');
        },
        { timeout: 10_000, interval: 200 },
      )
      .toBe('delivered');
    expect(await row.count()).toBe(1);
    const cells = await row.first().locator('td').allTextContents();
    expect(cells.slice(0, 5).map((c) => c.trim())).toEqual(['webhook.test', 'delivered', '200', expect.stringMatching(/^\d+ ms$/), '1']);

    // The receiver's hostile answer is text: no element, no script.
    expect((await row.first().getByTestId('webhook-answer').textContent())!.trim()).toBe(HOSTILE);
    expect(await deliveries.locator('img').count()).toBe(0);
    expect(await page.locator('img').count()).toBe(0);

    // What the receiver got: a signed test event.
    expect(received).toHaveLength(1);
    expect(received[0].headers['webhook-signature']).toMatch(/^v1,/);
    expect(JSON.parse(received[0].body)).toMatchObject({ type: 'webhook.test' });
    const messageId = received[0].headers['webhook-id'];

    // Redeliver: a new delivery of the same message.
    await row.first().getByRole('button', { name: /^Redeliver / }).click();
    await expect
      .poll(
        async () => {
          await deliveries.getByRole('button', { name: 'Refresh' }).click();
          return row.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-state')));
        },
        { timeout: 10_000, interval: 200 },
      )
      .toEqual(['delivered', 'delivered']);
    expect(received).toHaveLength(2);
    expect(received[1].headers['webhook-id']).toBe(messageId);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('says why an endpoint was turned off, turns it back on, and deletes it after a confirmation', async () => {
    const [{ id }] = app.triage.webhooks.listEndpoints();
    app.triage.stores.webhooks.disableEndpoint(id, Date.now(), `Every delivery failed for 24 h (last: ${HOSTILE})`);
    await page.reload();
    const endpoint = page.getByTestId('webhook-endpoint');
    const notice = endpoint.getByRole('status');
    await notice.waitFor();
    expect(await notice.textContent()).toContain(`Every delivery failed for 24 h (last: ${HOSTILE})`);
    expect(await notice.locator('img').count()).toBe(0);
    expect(await endpoint.getByTestId('webhook-status').textContent()).toContain('disabled');
    expect(await endpoint.getByRole('button', { name: 'Send test event' }).isDisabled()).toBe(true);

    await endpoint.getByRole('button', { name: 'Turn back on' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => endpoint.getByTestId('webhook-status').textContent()).toContain('active');
    expect(await endpoint.getByRole('status').count()).toBe(0);
    expect(app.triage.webhooks.listEndpoints()[0].disabledAt).toBeNull();

    // Failing: said in the status.
    app.triage.db.prepare('UPDATE webhook_endpoints SET failing_since = ? WHERE id = ?').run(Date.UTC(2026, 0, 2, 3, 4), id);
    await page.reload();
    await expect.poll(() => endpoint.getByTestId('webhook-status').textContent()).toMatch(/failing since /);

    // Delete: the first press asks, Cancel keeps it, the confirmation (focused) deletes.
    await endpoint.getByRole('button', { name: 'Delete…' }).click();
    await endpoint.getByRole('button', { name: 'Cancel' }).click();
    expect(app.triage.webhooks.listEndpoints()).toHaveLength(1);
    await endpoint.getByRole('button', { name: 'Delete…' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await page.getByText('No endpoints yet.').waitFor();
    expect(app.triage.webhooks.listEndpoints()).toHaveLength(0);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
