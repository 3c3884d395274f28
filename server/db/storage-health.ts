import { storageFailure, type StorageUnavailable } from '../errors.ts';
import type { Db } from './open.ts';

/**
 * Whether the database file has been failing (disk full, read-only, I/O
 * errors…), for GET /api/health. Told of every storage error (the HTTP error
 * handler, the scoring pipeline, background re-flagging); a later write that
 * succeeds on the connection (SQLite's total_changes() grows) clears it.
 */
export function createStorageHealth(db: Db, file: string = db.name) {
  const totalChanges = db.prepare<[], { n: number }>('SELECT total_changes() AS n');
  let last: { error: StorageUnavailable; changes: number } | null = null;
  const changes = () => (db.open ? totalChanges.get()!.n : 0);

  return {
    /** The database file, as named in messages. */
    file,
    /** When `err` is a storage failure: remembers it and returns it as a StorageUnavailable. Else null. */
    record(err: unknown): StorageUnavailable | null {
      const error = storageFailure(err, file);
      if (error) last = { error, changes: changes() };
      return error;
    },
    /** The last storage failure, unless a write has succeeded since; null when healthy. */
    failure(): StorageUnavailable | null {
      if (last && db.open && changes() > last.changes) last = null;
      return last?.error ?? null;
    },
  };
}

export type StorageHealth = ReturnType<typeof createStorageHealth>;
