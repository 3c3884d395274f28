import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/db/open.ts';
import { IMPORT_CHUNK } from '../../server/ingest/service.ts';
import { parseImport } from '../../server/ingest/parse.ts';
import { createTriage } from '../../server/triage.ts';
import { turnsDuring } from '../helpers/event-loop.ts';

/** A JSON import file of `threads` threads with `perThread` comments each, a third of them replies. */
function bigFile(threads: number, perThread: number, source = 'big'): string {
  return JSON.stringify(
    Array.from({ length: threads }, (_, t) => ({
      source,
      id: `t${t}`,
      title: `Thread ${t}`,
      comments: Array.from({ length: perThread }, (_, i) => ({
        id: `c${i}`,
        author: `user${i % 50}`,
        text: `comment ${i} of thread ${t}, long enough to look like a comment someone wrote`,
        ...(i > 0 && i % 3 === 0 ? { parent: `c${i - 1}` } : {}),
      })),
    })),
  );
}

const count = (db: Db, sql: string) => (db.prepare(sql).get() as { n: number }).n;

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('imports of any size', () => {
  it('writes a large file in chunks while the event loop keeps turning, and queues its comments only when whole', async () => {
    const db = openDatabase(':memory:');
    const triage = createTriage({ db, model: () => 'm@1' });
    const text = bigFile(4, 3000);
    const { result, turns } = await turnsDuring(() => triage.ingest.importFile(text, { moderatorId: null, source: 'test' }));
    expect(result).toMatchObject({ format: 'json', threads: 4, commentsNew: 12_000, commentsSeen: 0 });
    expect(result.threadIds).toHaveLength(4);
    // 12,000 comments in chunks of IMPORT_CHUNK: the loop turned between them.
    expect(turns).toBeGreaterThanOrEqual(12_000 / IMPORT_CHUNK - 1);
    expect(count(db, 'SELECT count(*) AS n FROM comments')).toBe(12_000);
    expect(count(db, "SELECT count(*) AS n FROM scoring_jobs WHERE model = 'm@1' AND state = 'pending'")).toBe(12_000);
    expect(count(db, "SELECT count(*) AS n FROM imports WHERE state = 'done'")).toBe(1);
    // Replies point at their parents and sit one level deeper, as in a one-transaction import.
    expect(count(db, 'SELECT count(*) AS n FROM comments c JOIN comments p ON p.id = c.parent_id WHERE c.depth != p.depth + 1')).toBe(0);
    expect(count(db, 'SELECT count(*) AS n FROM comments WHERE parent_id IS NOT NULL')).toBe(4 * 999);

    // The same file again adds nothing.
    const again = await triage.ingest.importFile(text, { moderatorId: null, source: 'test' });
    expect(again).toMatchObject({ commentsNew: 0, commentsSeen: 12_000 });
    db.close();
  });

  it('parses a large file off the main thread to the same threads, and refuses a bad one with the same message', async () => {
    const db = openDatabase(':memory:');
    const triage = createTriage({ db });
    const text = bigFile(2, 8000); // over 1 MB
    expect(text.length).toBeGreaterThan(1024 * 1024);
    const result = await triage.ingest.importFile(text, { moderatorId: null, source: 'test' });
    expect(result.commentsNew).toBe(16_000);
    const stored = db.prepare('SELECT external_id, body FROM comments ORDER BY id').all() as { external_id: string; body: string }[];
    const inThread = parseImport(text).threads.flatMap((t) => t.comments);
    expect(stored.map((c) => [c.external_id, c.body])).toEqual(inThread.map((c) => [c.externalId, c.body]));

    const broken = text.replace('"parent":"c2"', '"parent":"nowhere"');
    await expect(triage.ingest.importFile(broken, { moderatorId: null, source: 'test' })).rejects.toThrow('threads[0].comments[3].parent: unknown parent id "nowhere"');
    const badJson = `${text.slice(0, -10)}`;
    const inThreadError = (() => {
      try {
        parseImport(badJson);
      } catch (err) {
        return (err as Error).message;
      }
    })();
    await expect(triage.ingest.importFile(badJson, { moderatorId: null, source: 'test' })).rejects.toThrow(inThreadError);
    db.close();
  });

  it('takes back everything a large import wrote when the disk fills half way', async () => {
    dir = mkdtempSync(join(tmpdir(), 'triage-import-'));
    const db = openDatabase(join(dir, 'triage.db'));
    const triage = createTriage({ db, model: () => 'm@1' });
    const before = db.pragma('page_count', { simple: true }) as number;
    // Room for a few chunks, not for the whole file: a real SQLITE_FULL part way through.
    db.pragma(`max_page_count = ${before + 400}`);
    await expect(triage.ingest.importFile(bigFile(3, 6000), { moderatorId: null, source: 'test' })).rejects.toThrow(/full/i);
    expect(count(db, 'SELECT count(*) AS n FROM comments')).toBe(0);
    expect(count(db, 'SELECT count(*) AS n FROM threads')).toBe(0);
    expect(count(db, 'SELECT count(*) AS n FROM scoring_jobs')).toBe(0);
    expect(db.prepare('SELECT state FROM imports').all()).toEqual([{ state: 'failed' }]);
    // The counts the triggers keep are back where they were.
    expect(count(db, 'SELECT sum(n) AS n FROM comment_counts')).toBe(0);
    db.close();
  });

  it('takes back an import a stopped process left half written, but not one that is still running elsewhere', async () => {
    const db = openDatabase(':memory:');
    const triage = createTriage({ db });
    const store = triage.stores.ingest;
    const write = (importedAt: number) => {
      const importId = store.beginImport({ format: 'json', source: 'crashed', moderatorId: null, importedAt });
      const threadId = store.insertThread({ importId, source: 's', externalId: `t${importedAt}`, title: 'T', url: null, body: '', importedAt });
      let parentId: number | null = null;
      for (let i = 0; i < 10; i++) {
        parentId = store.insertComment({ importId, threadId, parentId, externalId: `c${i}`, position: i, depth: i, author: null, body: 'x', postedAt: null, importedAt });
      }
      return importId;
    };
    const stopped = write(Date.now() - 120_000);
    const alive = write(Date.now());
    // A moderator decided the sixth comment of the chain while it was visible: it and what it answers stay.
    const mod = Number(db.prepare("INSERT INTO moderators (username, password_hash, role, created_at) VALUES ('mo', 'x', 'moderator', 0)").run().lastInsertRowid);
    const sixth = (db.prepare("SELECT id FROM comments WHERE import_id = ? AND external_id = 'c5'").get(stopped) as { id: number }).id;
    db.prepare("INSERT INTO decisions (comment_id, moderator_id, action, status_before, status_after, decided_at) VALUES (?, ?, 'hide', 'pending', 'hidden', 0)").run(sixth, mod);
    expect(await triage.ingest.recover()).toBe(1);
    expect(db.prepare('SELECT id, state FROM imports ORDER BY id').all()).toEqual([
      { id: stopped, state: 'failed' },
      { id: alive, state: 'running' },
    ]);
    expect(db.prepare(`SELECT external_id FROM comments WHERE import_id = ${stopped} ORDER BY id`).all().map((r) => (r as { external_id: string }).external_id)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5']);
    expect(count(db, `SELECT count(*) AS n FROM comments WHERE import_id = ${alive}`)).toBe(10);
    db.close();
  });
});
