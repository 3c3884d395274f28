import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { storageFailure } from '../errors.ts';

export type Db = Database.Database;

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_.+\.sql$/.test(f))
    .sort()
    .map((name) => ({ version: Number(name.slice(0, 3)), name, sql: readFileSync(join(dir, name), 'utf8') }));
}

/**
 * Applies each pending migration with its `user_version` bump in one
 * transaction. Refuses a database that knows a version the files don't: it
 * was written by a newer Triage, and guessing would corrupt it.
 */
export function migrate(db: Db, migrations = listMigrations()): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new Error(`Database schema version ${current} is newer than this Triage knows (${latest}); upgrade Triage`);
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return latest;
}

/**
 * Fails now, naming the cause, when the database cannot be written: SQLite
 * quietly opens a write-protected file read-only, and the first write would
 * fail later, in the middle of some request. Writes the schema version it
 * read inside a transaction it rolls back, so nothing reaches the disk.
 */
function checkWritable(db: Db): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.pragma(`user_version = ${Number(db.pragma('user_version', { simple: true }))}`);
  } finally {
    if (db.inTransaction) db.exec('ROLLBACK');
  }
}

/**
 * Opens (creating if needed), checks it can be written, and migrates the
 * database. `:memory:` works for tests. A file that cannot be created,
 * opened or written is a StorageUnavailable naming the file and the cause.
 */
export function openDatabase(path: string): Db {
  let db: Db | undefined;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    if (path !== ':memory:') checkWritable(db);
    migrate(db);
    return db;
  } catch (err) {
    if (db?.open) db.close();
    throw storageFailure(err, path) ?? err;
  }
}
