import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/open.ts';
import { Conflict, NotFound, ValidationError } from '../errors.ts';
import type { ApiKeyRow, IntegrationStore } from './store.ts';

/** Every key starts so, which makes a leaked one easy to spot in logs and code. */
export const KEY_PREFIX = 'trk_';
/** Characters of a key kept (after KEY_PREFIX) to tell keys apart in lists: 48 bits, far from the key's 256. */
const SHOWN_CHARS = 8;
/** A key's last-used time is written at most this often. */
export const LAST_USED_EVERY_MS = 60_000;

/** A key as lists show it: never the key itself. */
export interface ApiKey {
  id: number;
  name: string;
  source: string;
  /** The key's first characters, no secret. */
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** Who a key-authenticated request speaks for (set on `request.apiKey` by server/auth/access.ts). */
export interface KeyHolder {
  id: number;
  name: string;
  source: string;
}

export function toApiKey(row: ApiKeyRow): ApiKey {
  return { id: row.id, name: row.name, source: row.source, prefix: row.prefix, createdAt: row.created_at, lastUsedAt: row.last_used_at, revokedAt: row.revoked_at };
}

/** The stored form of a key: SHA-256 is enough, a key is 32 random bytes (no guessing to slow down). */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

const NAME = /^[^\p{Cc}]{1,100}$/u;

export function createIntegrationService({ db, store, now }: { db: Db; store: IntegrationStore; now: () => number }) {
  function clean(value: string, what: string): string {
    const v = value.trim();
    if (!NAME.test(v)) throw new ValidationError(`${what} must be 1 to 100 characters, without control characters`);
    return v;
  }

  return {
    /** A new key for a site; `key` is returned only here, only its hash is kept. Default source: the name. */
    createKey(input: { name: string; source?: string }, createdBy: number | null): { key: string; apiKey: ApiKey } {
      const name = clean(input.name, 'name');
      const source = input.source === undefined ? name : clean(input.source, 'source');
      const key = KEY_PREFIX + randomBytes(32).toString('base64url');
      const id = db.transaction(() =>
        store.insertKey({ name, source, prefix: key.slice(0, KEY_PREFIX.length + SHOWN_CHARS), keyHash: hashKey(key), createdBy, now: now() }),
      )();
      return { key, apiKey: toApiKey(store.getKey(id)!) };
    },

    listKeys: (): ApiKey[] => store.listKeys().map(toApiKey),

    /** Revokes at once: the next request with the key is refused. The row stays. */
    revokeKey(id: number): ApiKey {
      const row = store.getKey(id);
      if (!row) throw new NotFound('API key', id);
      if (row.revoked_at !== null) throw new Conflict(`API key ${id} is already revoked`);
      store.updateRevoked(id, now());
      return toApiKey(store.getKey(id)!);
    },

    /** The holder of a live key, or undefined (unknown or revoked). Records its use, at most once a minute. */
    authenticate(key: string): KeyHolder | undefined {
      if (!key.startsWith(KEY_PREFIX)) return undefined;
      const row = store.getKeyByHash(hashKey(key));
      if (!row || row.revoked_at !== null) return undefined;
      // The row is read on every request anyway (a revoked key must stop at once); it says when the use was last written.
      const t = now();
      if (row.last_used_at === null || t - row.last_used_at >= LAST_USED_EVERY_MS) store.updateLastUsed(row.id, t);
      return { id: row.id, name: row.name, source: row.source };
    },
  };
}

export type IntegrationService = ReturnType<typeof createIntegrationService>;
