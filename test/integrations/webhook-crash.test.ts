/**
 * At least once across a crash: the real server (server/main.ts) on a real
 * SQLite file sends webhooks to a real receiver; it is killed with SIGKILL
 * while deliveries are in flight, started again, and every event still
 * arrives. Receivers deduplicate by webhook-id, so repeats are allowed; losses are not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/open.ts';
import { createTriage } from '../../server/triage.ts';
import { startServerProcess as startServer, stopServerProcess } from '../helpers/server-process.ts';

const PASSWORD = 'correct horse battery';
const COMMENTS = 40;

let dir: string;
let dbPath: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'triage-crash-'));
  dbPath = join(dir, 'triage.db');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('webhook delivery across kill -9', () => {
  it('loses no event: what was in flight when the server died is sent after it starts again', { timeout: 180_000 }, async () => {
    // A receiver that answers slowly, so deliveries are in flight when the server dies.
    const ids: string[] = [];
    const receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        ids.push(String(req.headers['webhook-id']));
        setTimeout(() => res.writeHead(200).end('ok'), 40);
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

    // The site, its comments, a moderator and the endpoint, written as the CLI and the API would.
    const db = openDatabase(dbPath);
    const setup = createTriage({ db, webhooks: { allowPrivate: true } });
    await setup.auth.addUser({ username: 'mod', password: PASSWORD, role: 'moderator' });
    await setup.site.receive(
      'news.example',
      Array.from({ length: COMMENTS }, (_, i) => ({ id: `c${i}`, thread: { id: 'a1', title: 'Article' }, text: `comment number ${i}` })),
    );
    await setup.webhooks.createEndpoint({ source: 'news.example', url, events: ['comment.decided'] }, null);
    db.close();

    let server = await startServer(dbPath);
    const headers = { 'content-type': 'application/json', 'x-requested-with': 'triage' };
    const login = await fetch(`${server.base}/api/auth/login`, { method: 'POST', headers, body: JSON.stringify({ username: 'mod', password: PASSWORD }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const commentIds = Array.from({ length: COMMENTS }, (_, i) => i + 1);
    await Promise.all(
      commentIds.map((id) =>
        fetch(`${server.base}/api/comments/${id}/decision`, { method: 'POST', headers: { ...headers, cookie }, body: JSON.stringify({ action: 'hide' }) }).then((r) => {
          if (r.status !== 200) throw new Error(`decision ${id}: ${r.status}`);
        }),
      ),
    );
    // Kill it mid-stream: some deliveries done, some in flight, some not yet sent.
    while (ids.length < 5) await new Promise((r) => setTimeout(r, 5));
    await stopServerProcess(server, 'SIGKILL');
    const beforeRestart = new Set(ids).size;
    expect(beforeRestart).toBeLessThan(COMMENTS);

    server = await startServer(dbPath);
    const deadline = Date.now() + 60_000;
    while (new Set(ids).size < COMMENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await stopServerProcess(server, 'SIGTERM');
    await new Promise<void>((resolve) => receiver.close(() => resolve()));

    const check = openDatabase(dbPath);
    const events = (check.prepare("SELECT id FROM events WHERE type = 'comment.decided' ORDER BY id").all() as { id: number }[]).map((e) => `msg_${e.id}`);
    check.close();
    expect(events).toHaveLength(COMMENTS);
    expect([...new Set(ids)].sort()).toEqual([...events].sort());
  });
});
