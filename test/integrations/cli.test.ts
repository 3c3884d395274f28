/** `npx triage keys create|list|revoke`, run as a site's admin would, on a real database file. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

function triage(...args: string[]) {
  return spawnSync(process.execPath, [join(ROOT, 'bin/triage.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TRIAGE_DB: '' } });
}

describe('npx triage keys', () => {
  let dir: string;
  let dbPath: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'triage-keys-cli-'));
    dbPath = join(dir, 'triage.db');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a key, printed once alone on the last line, that the server accepts; lists it without the key; revokes it', async () => {
    const created = triage('keys', 'create', 'Blog', '--source', 'blog.example', '--db', dbPath);
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    const lines = created.stdout.trimEnd().split('\n');
    const key = lines.at(-1)!;
    expect(key).toMatch(/^trk_[A-Za-z0-9_-]{43}$/);
    expect(lines.slice(0, -1).join('\n')).not.toContain(key);
    expect(lines[0]).toContain('shown only now');

    const list = triage('keys', 'list', '--db', dbPath);
    expect(list.status).toBe(0);
    expect(list.stdout).not.toContain(key);
    expect(list.stdout).toMatch(new RegExp(`^1\\tBlog\\tblog\\.example\\t${key.slice(0, 12)}…\\t\\d{4}-.*\\t-\\t-$`, 'm'));
    expect(readFileSync(dbPath).includes(key)).toBe(false);

    const app = await buildTestApp({ dbPath });
    try {
      const res = await app.inject({ url: '/api/v1/source', headers: { authorization: `Bearer ${key}` } });
      expect(res.json()).toEqual({ source: 'blog.example', key: { id: 1, name: 'Blog' } });
    } finally {
      await app.close();
    }

    const revoked = triage('keys', 'revoke', '1', '--db', dbPath);
    expect(revoked.stdout).toContain('Revoked API key 1 "Blog"');
    expect(triage('keys', 'list', '--db', dbPath).stdout).toMatch(/^1\tBlog\t.*\t\d{4}-[^\t]+\t\d{4}-[^\t]+\t\d{4}-[^\t]+$/m);
    const again = await buildTestApp({ dbPath });
    try {
      expect((await again.inject({ url: '/api/v1/source', headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(401);
    } finally {
      await again.close();
    }
  });

  it('takes the name as the source by default, and says what is wrong', () => {
    const created = triage('keys', 'create', 'forum.example', '--db', dbPath);
    expect(created.status).toBe(0);
    expect(created.stdout).toContain('for source "forum.example"');
    const unknown = triage('keys', 'revoke', '99', '--db', dbPath);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('triage keys revoke: API key 99 not found');
    expect(triage('keys', 'revoke', 'abc', '--db', dbPath).stderr).toContain('ID must be');
    expect(triage('keys', 'list', '--db', join(dir, 'missing.db')).stderr).toContain('no database at');
  });
});
