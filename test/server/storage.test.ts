import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/db/open.ts';
import { StorageUnavailable } from '../../server/errors.ts';
import { LABELS, type LabelScores } from '../../server/scoring/labels.ts';
import { createTriage } from '../../server/triage.ts';
import { buildTestApp, signIn } from '../helpers/app.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const SECRET_TEXT = 'quokka-umbrella-verdict';

let dir: string;
let app: FastifyInstance | undefined;
let db: Db | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'triage-storage-'));
});
afterEach(async () => {
  await app?.close();
  app = undefined;
  if (db?.open) db.close();
  db = undefined;
  chmodSync(dir, 0o700);
  rmSync(dir, { recursive: true, force: true });
});

/** A thread whose comment is large enough to need new database pages. */
function thread(id: string) {
  return JSON.stringify({ id, title: 'Storage', comments: [{ id: 'a', text: `${SECRET_TEXT} ${'x'.repeat(20_000)}` }] });
}

describe('storage failures', () => {
  it('disk full: a write answers 503 naming the file and the cause, and health is degraded until a write succeeds', async () => {
    const file = join(dir, 'triage.db');
    db = openDatabase(file);
    app = await buildTestApp({ db });
    const { cookie } = await signIn(app, 'admin');
    // A real file database that may not grow: SQLite answers SQLITE_FULL, as on a full disk.
    db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true }))}`);

    const importThread = (id: string) =>
      app!.inject({ method: 'POST', url: '/api/import?format=json', headers: { cookie, 'content-type': 'application/json' }, payload: thread(id) });
    const full = await importThread('t1');
    expect(full.statusCode).toBe(503);
    expect(full.json()).toEqual({
      error: 'STORAGE_UNAVAILABLE',
      message: `The database file ${file} cannot be used: the disk is full (SQLITE_FULL); free some space`,
    });
    expect(full.body).not.toContain(SECRET_TEXT);

    const health = await app.inject({ url: '/api/health' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({ ok: false, reason: expect.stringContaining(`${file} cannot be used: the disk is full`) });

    // Space again: the next write succeeds and health recovers.
    db.pragma('max_page_count = 1073741823');
    expect((await importThread('t2')).statusCode).toBe(200);
    const healthy = await app.inject({ url: '/api/health' });
    expect(healthy.statusCode).toBe(200);
    expect(healthy.json()).toMatchObject({ ok: true });
  });

  it('read-only database: a write answers 503 naming the file, and health says so', async () => {
    // Tests run as root, whom chmod does not stop: the connection itself is opened read-only,
    // which SQLite refuses to write through exactly as it does a write-protected file.
    const file = join(dir, 'triage.db');
    const setup = openDatabase(file);
    const rw = await buildTestApp({ db: setup });
    await rw.triage.auth.addUser({ username: 'ro', password: 'reads but cannot write', role: 'admin' });
    await rw.close();
    setup.close();
    db = new Database(file, { readonly: true });
    app = await buildTestApp({ db });

    const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'ro', password: 'reads but cannot write' } });
    expect(login.statusCode).toBe(503);
    expect(login.json()).toEqual({
      error: 'STORAGE_UNAVAILABLE',
      message: `The database file ${file} cannot be used: the file is read-only (SQLITE_READONLY); make the file and its folder writable by the server`,
    });
    const health = await app.inject({ url: '/api/health' });
    expect(health.statusCode).toBe(503);
    expect(health.json().reason).toContain('the file is read-only');
  });

  it('a threshold change left half re-flagged that cannot finish at start, for a full disk, turns health degraded', async () => {
    const file = join(dir, 'triage.db');
    db = openDatabase(file);
    // A stopped server's unfinished re-flagging job: 300 scored comments, a lower threshold saved, nothing re-flagged yet.
    const first = createTriage({ db, model: () => 'm@1', initialThresholds: Object.fromEntries(LABELS.map((l) => [l, 0.8])) as Record<(typeof LABELS)[number], number> });
    const threadId = first.stores.ingest.insertThread({ importId: null, source: 's', externalId: 't', title: 'T', url: null, body: '', importedAt: 0 });
    const ids = Array.from({ length: 300 }, (_, i) =>
      first.stores.ingest.insertComment({ importId: null, threadId, parentId: null, externalId: `c${i}`, position: i, depth: 0, author: null, body: 'x', postedAt: null, importedAt: 0 }),
    );
    for (const id of ids) first.stores.scoring.enqueue(id, 'm@1', 0);
    first.scoring.record(ids.map((commentId) => ({ commentId, scores: Object.fromEntries(LABELS.map((l) => [l, 0.5])) as LabelScores })), { model: 'm@1', now: 0 });
    const saving = first.thresholds.update(Object.fromEntries(LABELS.map((l) => [l, 0.1])), { moderatorId: null });
    await first.flagging.stop();
    void saving.catch(() => undefined);
    expect(db.prepare('SELECT count(*) AS n FROM reflag_jobs').get()).toEqual({ n: 1 });

    // No room left: the job's first chunk cannot write its flags.
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    app = await buildTestApp({ db, initialThresholds: undefined });
    await app.ready();
    await expect.poll(async () => (await app!.inject({ url: '/api/health' })).statusCode).toBe(503);
    expect((await app.inject({ url: '/api/health' })).json().reason).toContain('the disk is full');
  });

  it('openDatabase names the file and the cause when it cannot open or write it', () => {
    const notADb = join(dir, 'garbage.db');
    writeFileSync(notADb, 'this is not a database, just some text that is long enough to fill a header and more');
    expect(() => openDatabase(notADb)).toThrow(StorageUnavailable);
    expect(() => openDatabase(notADb)).toThrow(`The database file ${notADb} cannot be used: the file is not a SQLite database (SQLITE_NOTADB)`);

    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    expect(() => openDatabase(folder)).toThrow(`The database file ${folder} cannot be used: the file cannot be opened (SQLITE_CANTOPEN)`);

    const underFile = join(notADb, 'triage.db');
    expect(() => openDatabase(underFile)).toThrow(new RegExp(`^The database file ${underFile} cannot be used: part of its folder path is a file \\((EEXIST|ENOTDIR)\\)`));
  });

  it('the server refuses to start on a write-protected database file: one line naming it, exit code 1', (ctx) => {
    const asRoot = process.getuid?.() === 0;
    // As root the server runs as the unprivileged user nobody, who must be able to read this checkout.
    if (asRoot && spawnSync(process.execPath, ['--import', 'tsx', '-e', '0'], { cwd: ROOT, uid: 65534, gid: 65534, timeout: 60_000 }).status !== 0) {
      ctx.skip('the user nobody cannot read this checkout (a folder above it is private), so the server cannot be run unprivileged here');
    }
    const file = join(dir, 'triage.db');
    openDatabase(file).close();
    // Really write-protected: the file loses its write bits (its folder stays open for SQLite's
    // journal files), and as root the server runs as the unprivileged user nobody, whom the bits stop.
    chmodSync(file, 0o444);
    chmodSync(dir, 0o777);
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'server/main.ts'), '--db', file, '--no-seed', '--port', '0'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, TRIAGE_DB: '', TRIAGE_ADMIN_PASSWORD: '', HOME: tmpdir() },
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`triage: The database file ${file} cannot be used: the file is read-only (SQLITE_READONLY); make the file and its folder writable by the server\n`);
    expect(r.status).toBe(1);
  });
});
