/**
 * `npx triage rescore` across kill -9: the real CLI (bin/triage.mjs, the
 * local model in models/local) on a real SQLite file is killed with SIGKILL
 * mid-run, run again, and finishes. Every comment ends with exactly one score
 * of the model, and no score written before the kill is written again.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/open.ts';
import { LABELS, type LabelScores } from '../../server/scoring/labels.ts';
import type { ScoredText, Scorer } from '../../server/scoring/types.ts';
import { createTriage } from '../../server/triage.ts';

const COMMENTS = 20_000;

/** Stands for the model before the upgrade: every comment has its score. */
class OldModel implements Scorer {
  readonly model = 'old-model@1';
  async scoreBatch(texts: string[]): Promise<ScoredText[]> {
    return texts.map(() => ({ scores: Object.fromEntries(LABELS.map((l) => [l, 0.1])) as LabelScores, model: this.model }));
  }
  async dispose(): Promise<void> {}
}

let dir: string;
let dbPath: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'triage-rescore-'));
  dbPath = join(dir, 'triage.db');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rescore(): { done: Promise<number>; kill: () => void } {
  const child = spawn(process.execPath, ['bin/triage.mjs', 'rescore', '--db', dbPath, '--batch', '16'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal !== 'SIGKILL') console.error(stderr);
      resolve(code ?? -1);
    }),
  );
  return { done, kill: () => child.kill('SIGKILL') };
}

describe('npx triage rescore across kill -9', () => {
  it('resumes where it stopped and never scores a comment twice for one model', { timeout: 180_000 }, async () => {
    const db = openDatabase(dbPath);
    const setup = createTriage({ db, scorer: new OldModel() });
    for (let start = 0; start < COMMENTS; start += 1000) {
      await setup.site.receive(
        'news.example',
        Array.from({ length: 1000 }, (_, k) => start + k).map((i) => ({ id: `c${i}`, thread: { id: `a${i % 50}`, title: 'Article' }, text: `comment number ${i}, fairly ordinary` })),
      );
    }
    await setup.pipeline!.drain();
    db.close();

    const watch = openDatabase(dbPath);
    const count = (sql: string): number => (watch.prepare(sql).get() as { n: number }).n;
    const model = (): string | undefined => (watch.prepare("SELECT model FROM scores WHERE model <> 'old-model@1' LIMIT 1").get() as { model: string } | undefined)?.model;
    const first = rescore();
    // Killed once a few hundred comments are written: mid-run, between or inside a batch's transaction.
    const deadline = Date.now() + 120_000;
    while (count("SELECT count(*) AS n FROM scores WHERE model <> 'old-model@1'") < 500 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    first.kill();
    await first.done;
    const m = model()!;
    const before = watch.prepare('SELECT comment_id, scored_at FROM scores WHERE model = ?').all(m) as { comment_id: number; scored_at: number }[];
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThan(COMMENTS);

    expect(await rescore().done).toBe(0);
    expect(count(`SELECT count(*) AS n FROM scores WHERE model = '${m}'`)).toBe(COMMENTS);
    expect(count(`SELECT count(*) AS n FROM scoring_jobs WHERE model = '${m}' AND (state <> 'done' OR attempts <> 1)`)).toBe(0);
    // What the killed run wrote stands: same rows, same time.
    const at = watch.prepare('SELECT scored_at FROM scores WHERE comment_id = ? AND model = ?');
    for (const r of before) expect((at.get(r.comment_id, m) as { scored_at: number }).scored_at).toBe(r.scored_at);
    // The old model's scores are kept beside the new ones; flags now come from the new model.
    expect(count("SELECT count(*) AS n FROM scores WHERE model = 'old-model@1'")).toBe(COMMENTS);
    expect(count(`SELECT count(*) AS n FROM flags WHERE model <> '${m}'`)).toBe(0);
    watch.close();
  });
});
