import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/open.ts';
import { runTriage } from '../helpers/cli.ts';
import { buildSiteFixture } from './fixture.ts';

describe('npx triage model adapt', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'triage-adapt-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains on a worker with progress on stderr, prints the comparison, the guards and the weighting, and saves the model without promoting it', async () => {
    const path = join(dir, 'site.db');
    const site = await buildSiteFixture(250, 5, path, 40);
    await site.close();
    const run = await runTriage(['model', 'adapt', '--db', path]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^model adapt: reading\n/);
    expect(run.stderr).toMatch(/\nmodel adapt: featurising \d+%\n(.*\n)*model adapt: training 0%\n(.*\n)*model adapt: evaluating \d+%\n(.*\n)*model adapt: saving 0%\n$/);
    expect(run.stdout).toMatch(/^Adapted triage-local@\S+ to this site from 250 decided comments: trained on the oldest 200 .*measured on the most recent 50 /);
    expect(run.stdout).toMatch(/\nGuards: 0 training decisions from missed-abuse samples, each weighing 3×; 20 undecided comments distilled from triage-local@\S+'s own toxicity score/);
    expect(run.stdout).toMatch(/\nin force \(triage-local@\S+, max label\) +0\.\d{3} ±0\.\d{3} +0\.\d{3} +\d+ +(\d+\.\d%|n\/a) +\d+\.\d%\n/);
    expect(run.stdout).toMatch(/\nsite head \(max label\) +[01]\.\d{3} ±0\.\d{3} +[01]\.\d{3} +\d+ +(\d+\.\d%|n\/a) +\d+\.\d%\n/);
    expect(run.stdout).toMatch(/\nQueue movement on 20 pending undecided comments: \d+ would enter the queue, \d+ would leave it/);
    expect(run.stdout).toMatch(/\n {2}alice +\d+ decisions {2}weight 0\.\d\d {2}share \d+\.\d% \(unweighted \d+\.\d%\)\n/);
    expect(run.stdout).toMatch(/\nSaved as triage-site@1\. It scores nothing until it is promoted; the model in force is unchanged\.\nTry it in shadow first/);

    // The rest of the loop from the command line: shadow, promote, list, export, roll back, import elsewhere.
    const ok = async (args: string[]) => {
      const r = await runTriage([...args, '--db', path]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    expect(await ok(['model', 'shadow', 'triage-site@1'])).toMatch(/triage-site@1 shadows the model in force/);
    expect(await ok(['model', 'list'])).toMatch(/triage-site@1 +shadow +trained on 250 decisions/);
    expect(await ok(['model', 'promote', 'triage-site@1', '--reason', 'crypto spam is our standard'])).toMatch(/^triage-site@1 is in force \(version 1\)/);
    const listed = await ok(['model', 'list']);
    expect(listed).toMatch(/^In force: triage-site@1 /);
    expect(listed).toMatch(/v1 .* triage-site@1 +\(command line\) +"crypto spam is our standard"/);
    const exported = join(dir, 'exported');
    expect(await ok(['model', 'export', 'triage-site@1', exported])).toMatch(/Wrote triage-site@1/);
    expect(await ok(['model', 'rollback', '0', '--reason', 'back to the shipped model'])).toMatch(/^triage-local@\S+ is in force again \(version 2\)/);
    const refused = await runTriage(['model', 'promote', 'triage-site@7', '--reason', 'x', '--db', path]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/site model triage-site@7 not found/);

    const other = join(dir, 'other.db');
    openDatabase(other).close();
    const imported = await runTriage(['model', 'import', exported, '--db', other]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/^Imported as triage-site@1\./);
  }, 90_000);

  it('refuses below 200 decided comments, saying how many there are', async () => {
    const path = join(dir, 'empty.db');
    openDatabase(path).close();
    const run = await runTriage(['model', 'adapt', '--db', path]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^triage model adapt: adapting the model needs at least 200 decided comments; this database has 0 /);
  });
});
