import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/open.ts';
import { buildSiteFixture } from './fixture.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function triage(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/triage.mjs', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npx triage model adapt', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'triage-adapt-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the comparison, how many decisions it used and the weighting, and promotes nothing', async () => {
    const path = join(dir, 'site.db');
    const site = await buildSiteFixture(250, 5, path);
    await site.close();
    const run = await triage(['model', 'adapt', '--db', path]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Adapted triage-local@\S+ to this site from 250 decided comments: trained on the oldest 200 .*measured on the most recent 50 /);
    expect(run.stdout).toMatch(/\nshipped \(triage-local@\S+, max label\) +0\.\d{3} ±0\.\d{3} +0\.\d{3}\n/);
    expect(run.stdout).toMatch(/\nsite head +[01]\.\d{3} ±0\.\d{3} +[01]\.\d{3}\n/);
    expect(run.stdout).toMatch(/\n {2}alice +\d+ decisions {2}weight 0\.\d\d {2}share \d+\.\d% \(unweighted \d+\.\d%\)\n/);
    expect(run.stdout).toMatch(/Nothing was saved or promoted/);
  }, 60_000);

  it('refuses below 200 decided comments, saying how many there are', async () => {
    const path = join(dir, 'empty.db');
    openDatabase(path).close();
    const run = await triage(['model', 'adapt', '--db', path]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^triage model adapt: adapting the model needs at least 200 decided comments; this database has 0 /);
  });
});
