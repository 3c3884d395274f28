import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/open.ts';
import { flagsFor, inReviewQueue, reaches, reasonsFor, type ThresholdValues } from '../../server/flagging/rules.ts';
import { inReviewQueueSql, reachesSql } from '../../server/flagging/store.ts';
import { LABELS, type LabelScores } from '../../server/scoring/labels.ts';
import { createTriage } from '../../server/triage.ts';

/** A seeded generator, so a failure names inputs that can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A probability, with nulls, the edges and ties with thresholds well represented. */
const value = (rand: () => number): number | null => {
  const r = rand();
  if (r < 0.1) return null;
  if (r < 0.15) return 0;
  if (r < 0.2) return 1;
  return Math.round(rand() * 20) / 20;
};

const randomScores = (rand: () => number) => Object.fromEntries(LABELS.map((l) => [l, value(rand)])) as LabelScores;
const randomThresholds = (rand: () => number) => Object.fromEntries(LABELS.map((l) => [l, value(rand)])) as ThresholdValues;

describe('the flag rule', () => {
  it('reaches: a score at or above its threshold flags; a null score or threshold never does', () => {
    expect(reaches(0.8, 0.8)).toBe(true);
    expect(reaches(0.79, 0.8)).toBe(false);
    expect(reaches(null, 0.8)).toBe(false);
    expect(reaches(0.9, null)).toBe(false);
    expect(reaches(0, 0)).toBe(true);
  });

  it('is the same in TypeScript and SQL on random inputs', () => {
    const db = openDatabase(':memory:');
    const stmt = db.prepare<{ s: number | null; t: number | null }, { r: number }>(`SELECT ${reachesSql('@s', '@t')} AS r`);
    const rand = rng(7);
    for (let i = 0; i < 5000; i++) {
      const s = value(rand);
      const t = value(rand);
      expect(stmt.get({ s, t })!.r === 1, `score ${s}, threshold ${t}`).toBe(reaches(s, t));
    }
    db.close();
  });

  it('the review queue is the same in TypeScript and SQL', () => {
    const db = openDatabase(':memory:');
    const stmt = db.prepare<{ flagged: number; status: string }, { r: number }>(
      `SELECT ${inReviewQueueSql('c')} AS r FROM (SELECT @flagged AS flagged, @status AS status) c`,
    );
    for (const status of ['pending', 'approved', 'hidden', 'escalated']) {
      for (const flagged of [0, 1]) {
        expect(stmt.get({ flagged, status })!.r === 1, `${status} ${flagged}`).toBe(inReviewQueue({ status, flagged: flagged === 1 }));
      }
    }
    db.close();
  });

  it('gives one score reason per label that reaches its threshold', () => {
    const thresholds = Object.fromEntries(LABELS.map((l) => [l, 0.8])) as ThresholdValues;
    const scores = { ...(Object.fromEntries(LABELS.map((l) => [l, 0.1])) as LabelScores), toxicity: 0.9, threat: 0.8 };
    expect(reasonsFor({ scores }, { thresholds })).toEqual([
      { kind: 'score', label: 'toxicity', score: 0.9, threshold: 0.8 },
      { kind: 'score', label: 'threat', score: 0.8, threshold: 0.8 },
    ]);
    expect(reasonsFor({ scores: null }, { thresholds })).toEqual([]);
  });
});

describe('flag and reflag', () => {
  it('re-flagging stored comments after a threshold change (set-based SQL) leaves what flagging them afresh (TypeScript) would', () => {
    const rand = rng(42);
    for (let round = 0; round < 20; round++) {
      const db = openDatabase(':memory:');
      let clock = 1_000;
      const triage = createTriage({ db, now: () => clock++, model: () => 'm@1', initialThresholds: randomThresholds(rand) });
      const thread = Number(db.prepare("INSERT INTO threads (source, external_id, title, imported_at) VALUES ('t', 't', 'T', 0)").run().lastInsertRowid);
      const insert = db.prepare("INSERT INTO comments (thread_id, external_id, position, body, imported_at, status) VALUES (?, ?, ?, 'x', 0, ?)");
      const statuses = ['pending', 'pending', 'approved', 'hidden', 'escalated'];
      const batch: { commentId: number; scores: LabelScores }[] = [];
      for (let i = 0; i < 60; i++) {
        const id = Number(insert.run(thread, `c${i}`, i, statuses[Math.floor(rand() * statuses.length)]).lastInsertRowid);
        triage.stores.scoring.enqueue(id, 'm@1', 0);
        batch.push({ commentId: id, scores: randomScores(rand) });
      }
      triage.scoring.record(batch, { model: 'm@1', now: 0 });

      // A random change to a random subset of labels, saved through the threshold service.
      const change = Object.fromEntries(LABELS.filter(() => rand() < 0.5).map((l) => [l, value(rand)]));
      const current = triage.thresholds.current().values;
      if (!Object.entries(change).some(([l, v]) => current[l as keyof ThresholdValues] !== v)) continue;
      const result = triage.thresholds.update(change, { moderatorId: null });
      const after = result.version.values;

      for (const { commentId, scores } of batch) {
        const expected = flagsFor(scores, after).map((f) => f.label);
        const stored = db.prepare('SELECT label FROM flags WHERE comment_id = ? ORDER BY label').all(commentId) as { label: string }[];
        expect(stored.map((r) => r.label), `round ${round}, comment ${commentId}`).toEqual([...expected].sort());
        const row = db.prepare('SELECT flagged FROM comments WHERE id = ?').get(commentId) as { flagged: number };
        expect(row.flagged, `round ${round}, comment ${commentId}`).toBe(expected.length > 0 ? 1 : 0);
      }
      // The trigger-kept counts still match a real count.
      expect(db.prepare('SELECT status, flagged, n FROM comment_counts WHERE n > 0 ORDER BY status, flagged').all()).toEqual(
        db.prepare('SELECT status, flagged, count(*) AS n FROM comments GROUP BY status, flagged ORDER BY status, flagged').all(),
      );
      db.close();
    }
  });
});
