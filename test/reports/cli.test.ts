import { parse } from 'csv-parse/sync';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERIOD, reportFixture } from './fixture.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

function triage(...args: string[]) {
  return spawnSync(process.execPath, [join(ROOT, 'bin/triage.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TRIAGE_DB: '' } });
}

describe('npx triage report and thresholds', () => {
  let dir: string;
  let dbPath: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'triage-report-cli-'));
    dbPath = join(dir, 'triage.db');
    const { db } = await reportFixture();
    writeFileSync(dbPath, db.serialize());
    db.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the summary as JSON for a period', () => {
    const r = triage('report', '--db', dbPath, '--from', String(PERIOD.from), '--to', String(PERIOD.to));
    expect(r.stderr).toBe('');
    const s = JSON.parse(r.stdout);
    expect(s.decisions.total).toBe(6);
    expect(s.timeToDecision).toEqual({ n: 5, medianMs: 15_000, p90Ms: 44_000 });
  });

  it('writes the decision log as CSV to a file, filtered by thread', () => {
    const out = join(dir, 'log.csv');
    const r = triage('report', '--decisions', '--db', dbPath, '--from', '0', '--to', String(PERIOD.to), '--thread', '2', '--out', out);
    expect(r.status).toBe(0);
    const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((x) => x.action)).toEqual(['hide', 'undo', 'approve']);
  });

  it('writes printable HTML and CSV summaries', () => {
    expect(triage('report', '--db', dbPath, '--format', 'html').stdout).toContain('<!doctype html>');
    expect(triage('report', '--db', dbPath, '--format', 'csv', '--label', 'insult').stdout).toMatch(/^section,item,metric,value\r\n/);
  });

  it('says what is wrong with bad options', () => {
    const badDate = triage('report', '--db', dbPath, '--from', 'last week');
    expect(badDate.status).toBe(1);
    expect(badDate.stderr).toContain('--from must be a date');
    const badLabel = triage('report', '--db', dbPath, '--label', 'rude');
    expect(badLabel.stderr).toContain('--label must be one of');
    const noDb = triage('report', '--db', join(dir, 'missing.db'));
    expect(noDb.stderr).toContain('no database at');
  });

  it('shows, sets and lists thresholds', () => {
    expect(triage('thresholds', 'show', '--db', dbPath).stdout).toContain('toxicity         0.5');
    const set = triage('thresholds', 'set', 'toxicity=0.95', 'threat=off', '--reason', 'quiet week', '--by', 'ada', '--db', dbPath);
    expect(set.stderr).toBe('');
    expect(set.stdout).toContain('Saved version 3: toxicity 0.5 -> 0.95, threat 0.8 -> off');
    // c1, c2 and c6 lose their toxicity flags; all three are decided, so the queue does not change.
    expect(set.stdout).toContain('0 flags raised, 3 removed; 0 comments entered the queue, 0 left it.');
    const history = triage('thresholds', 'history', '--db', dbPath).stdout;
    expect(history).toContain('ada  toxicity 0.5 -> 0.95, threat 0.8 -> off  "quiet week"');
    const notAdmin = triage('thresholds', 'set', 'toxicity=0.9', '--by', 'mo', '--db', dbPath);
    expect(notAdmin.stderr).toContain('"mo" is not an admin');
    const bad = triage('thresholds', 'set', 'toxicity=high', '--db', dbPath);
    expect(bad.stderr).toContain('must look like label=0.7');
  });
});
