import type { Db } from '../db/open.ts';

/** A row of `api_keys`, as stored. */
export interface ApiKeyRow {
  id: number;
  name: string;
  source: string;
  prefix: string;
  key_hash: string;
  created_by: number | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export function createIntegrationStore(db: Db) {
  const insert = db.prepare<{ name: string; source: string; prefix: string; keyHash: string; createdBy: number | null; now: number }>(
    `INSERT INTO api_keys (name, source, prefix, key_hash, created_by, created_at)
     VALUES (@name, @source, @prefix, @keyHash, @createdBy, @now)`,
  );
  const byId = db.prepare<{ id: number }, ApiKeyRow>('SELECT * FROM api_keys WHERE id = @id');
  const byHash = db.prepare<{ keyHash: string }, ApiKeyRow>('SELECT * FROM api_keys WHERE key_hash = @keyHash');
  const all = db.prepare<[], ApiKeyRow>('SELECT * FROM api_keys ORDER BY id');
  const revoke = db.prepare<{ id: number; now: number }>('UPDATE api_keys SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL');
  const touch = db.prepare<{ id: number; now: number }>('UPDATE api_keys SET last_used_at = @now WHERE id = @id');

  return {
    insertKey(key: { name: string; source: string; prefix: string; keyHash: string; createdBy: number | null; now: number }): number {
      return Number(insert.run(key).lastInsertRowid);
    },
    getKey: (id: number): ApiKeyRow | undefined => byId.get({ id }),
    getKeyByHash: (keyHash: string): ApiKeyRow | undefined => byHash.get({ keyHash }),
    listKeys: (): ApiKeyRow[] => all.all(),
    /** Marks the key revoked; false when it was already. */
    updateRevoked: (id: number, now: number): boolean => revoke.run({ id, now }).changes > 0,
    updateLastUsed: (id: number, now: number): void => void touch.run({ id, now }),
  };
}

export type IntegrationStore = ReturnType<typeof createIntegrationStore>;
