import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/open.ts';
import { flagsFor, inReviewQueue, isFlagged, reaches, reasonsFor, type ThresholdValues } from '../../server/flagging/rules.ts';
import { inReviewQueueSql, isFlaggedSql, reachesSql } from '../../server/flagging/store.ts';
import { LABELS, type LabelScores } from '../../server/scoring/labels.ts';
import { createTriage, type Triage } from '../../server/triage.ts';
import { turnsDuring } from '../helpers/event-loop.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

  it('whether a comment is flagged (score flags, readers\' reports, edits after approval, authors watched or trusted, deletion) is the same in TypeScript and SQL', () => {
    const db = openDatabase(':memory:');
    const stmt = db.prepare<
      { score: number | null; deleted: number | null; reports: number; edited: number; watched: number; trusted: number; reportsToQueue: number; trustedBar: number },
      { r: number }
    >(
      `SELECT ${isFlaggedSql('c', (counts) => `EXISTS (SELECT 1 FROM (SELECT @score AS score) f WHERE f.score IS NOT NULL AND ${counts('f')})`)} AS r
       FROM (SELECT @deleted AS deleted_at, @reports AS report_count, @edited AS edited_after_approval, @watched AS author_watched, @trusted AS author_trusted) c`,
    );
    const thresholds = Object.fromEntries(LABELS.map((l) => [l, 0.5])) as ThresholdValues;
    const rand = rng(11);
    for (let i = 0; i < 2000; i++) {
      // The insult score: below the threshold (no flag), above it, or above the trusted bar too.
      const insult = [0.1, 0.9, 0.97][Math.floor(rand() * 3)]!;
      const deleted = rand() < 0.2;
      const reports = Math.floor(rand() * 4);
      const edited = rand() < 0.2;
      const watched = rand() < 0.2;
      const trusted = rand() < 0.4;
      const reportsToQueue = 1 + Math.floor(rand() * 3);
      const policy = { thresholds, reportsToQueue, trustedBar: 0.95 };
      const scores = Object.fromEntries(LABELS.map((l) => [l, l === 'insult' ? insult : 0.1])) as LabelScores;
      const facts = { scores, reportCount: reports, editedAfterApproval: edited, deleted, authorWatched: watched, authorTrusted: trusted };
      const expected = isFlagged(facts, reasonsFor(facts, policy), policy);
      const row = stmt.get({
        score: insult >= 0.5 ? insult : null,
        deleted: deleted ? 1 : null,
        reports,
        edited: edited ? 1 : 0,
        watched: watched ? 1 : 0,
        trusted: trusted ? 1 : 0,
        reportsToQueue,
        trustedBar: 0.95,
      })!;
      expect(row.r === 1, JSON.stringify({ ...facts, reportsToQueue })).toBe(expected);
    }
    db.close();
  });

  it('gives a reason for enough readers\' reports and for an edit after approval; a deleted comment keeps its reasons but is not flagged', () => {
    const thresholds = Object.fromEntries(LABELS.map((l) => [l, 0.8])) as ThresholdValues;
    const facts = { scores: null, reportCount: 2, editedAfterApproval: true, deleted: false, authorWatched: true, authorTrusted: false };
    const policy = { thresholds, reportsToQueue: 2, trustedBar: 0.95 };
    expect(reasonsFor(facts, policy)).toEqual([{ kind: 'reports', count: 2, needed: 2 }, { kind: 'editedAfterApproval' }, { kind: 'watchedAuthor' }]);
    expect(reasonsFor({ ...facts, editedAfterApproval: false, authorWatched: false }, { ...policy, reportsToQueue: 3 })).toEqual([]);
    const deleted = { ...facts, deleted: true };
    expect(isFlagged(deleted, reasonsFor(deleted, policy), policy)).toBe(false);
    // A trusted author's comment is flagged by its scores only at or above the trusted bar.
    const trusted = { ...facts, reportCount: 0, editedAfterApproval: false, authorWatched: false, authorTrusted: true };
    const scored = (insult: number) => ({ ...trusted, scores: { ...(Object.fromEntries(LABELS.map((l) => [l, 0.1])) as LabelScores), insult } });
    expect(isFlagged(scored(0.9), reasonsFor(scored(0.9), policy), policy)).toBe(false);
    expect(isFlagged(scored(0.96), reasonsFor(scored(0.96), policy), policy)).toBe(true);
  });

  it('gives one score reason per label that reaches its threshold', () => {
    const thresholds = Object.fromEntries(LABELS.map((l) => [l, 0.8])) as ThresholdValues;
    const scores = { ...(Object.fromEntries(LABELS.map((l) => [l, 0.1])) as LabelScores), toxicity: 0.9, threat: 0.8 };
    const facts = { reportCount: 0, editedAfterApproval: false, deleted: false, authorWatched: false, authorTrusted: false };
    const policy = { thresholds, reportsToQueue: 1, trustedBar: 0.95 };
    expect(reasonsFor({ ...facts, scores }, policy)).toEqual([
      { kind: 'score', label: 'toxicity', score: 0.9, threshold: 0.8 },
      { kind: 'score', label: 'threat', score: 0.8, threshold: 0.8 },
    ]);
    expect(reasonsFor({ ...facts, scores: null }, policy)).toEqual([]);
  });
});

describe('flag and reflag', () => {
  it('re-flagging stored comments after a threshold change (set-based SQL) leaves what flagging them afresh (TypeScript) would', async () => {
    const rand = rng(42);
    for (let round = 0; round < 20; round++) {
      const db = openDatabase(':memory:');
      let clock = 1_000;
      // Chunks of a few comments, so one change spans many re-flagging transactions.
      const triage = createTriage({ db, now: () => clock++, model: () => 'm@1', initialThresholds: randomThresholds(rand), reflagChunk: 1 + Math.floor(rand() * 25) });
      const thread = Number(db.prepare("INSERT INTO threads (source, external_id, title, imported_at) VALUES ('t', 't', 'T', 0)").run().lastInsertRowid);
      const insert = db.prepare(
        "INSERT INTO comments (thread_id, external_id, position, body, imported_at, status, report_count, deleted_at, edited_after_approval) VALUES (?, ?, ?, 'x', 0, ?, ?, ?, ?)",
      );
      const facts = new Map<number, { reportCount: number; deleted: boolean; editedAfterApproval: boolean; authorWatched: boolean; authorTrusted: boolean }>();
      const statuses = ['pending', 'pending', 'approved', 'hidden', 'escalated'];
      const batch: { commentId: number; scores: LabelScores }[] = [];
      for (let i = 0; i < 60; i++) {
        const f = { reportCount: rand() < 0.2 ? 1 : 0, deleted: rand() < 0.1, editedAfterApproval: rand() < 0.1, authorWatched: rand() < 0.1, authorTrusted: rand() < 0.3 };
        const status = statuses[Math.floor(rand() * statuses.length)];
        const id = Number(insert.run(thread, `c${i}`, i, status, f.reportCount, f.deleted ? 1 : null, f.editedAfterApproval ? 1 : 0).lastInsertRowid);
        db.prepare('UPDATE comments SET author_watched = ?, author_trusted = ? WHERE id = ?').run(f.authorWatched ? 1 : 0, f.authorTrusted ? 1 : 0, id);
        facts.set(id, f);
        triage.stores.scoring.enqueue(id, 'm@1', 0);
        batch.push({ commentId: id, scores: randomScores(rand) });
      }
      triage.scoring.record(batch, { model: 'm@1', now: 0 });

      // A random change to a random subset of labels, saved through the threshold service.
      const change = Object.fromEntries(LABELS.filter(() => rand() < 0.5).map((l) => [l, value(rand)]));
      const current = triage.thresholds.current().values;
      if (!Object.entries(change).some(([l, v]) => current[l as keyof ThresholdValues] !== v)) continue;
      const result = await triage.thresholds.update(change, { moderatorId: null });
      const after = result.version.values;

      for (const { commentId, scores } of batch) {
        const expected = flagsFor(scores, after).map((f) => f.label);
        const stored = db.prepare('SELECT label FROM flags WHERE comment_id = ? ORDER BY label').all(commentId) as { label: string }[];
        expect(stored.map((r) => r.label), `round ${round}, comment ${commentId}`).toEqual([...expected].sort());
        const row = db.prepare('SELECT flagged FROM comments WHERE id = ?').get(commentId) as { flagged: number };
        const f = { ...facts.get(commentId)!, scores };
        const policy = { thresholds: after, reportsToQueue: 1, trustedBar: 0.95 };
        expect(row.flagged === 1, `round ${round}, comment ${commentId}`).toBe(isFlagged(f, reasonsFor(f, policy), policy));
      }
      // The trigger-kept counts still match a real count.
      expect(db.prepare('SELECT status, flagged, n FROM comment_counts WHERE n > 0 ORDER BY status, flagged').all()).toEqual(
        db.prepare('SELECT status, flagged, count(*) AS n FROM comments GROUP BY status, flagged ORDER BY status, flagged').all(),
      );
      db.close();
    }
  });
});

/** `n` comments scored by 'm@1' with toxicity spread over [0, 1), through the real record path. */
function seed(triage: Triage, n: number): void {
  const { db } = triage;
  db.transaction(() => {
    const thread = Number(db.prepare("INSERT INTO threads (source, external_id, title, imported_at) VALUES ('t', 't', 'T', 0)").run().lastInsertRowid);
    db.prepare(
      `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ${n})
       INSERT INTO comments (thread_id, external_id, position, body, imported_at) SELECT ?, 'c' || i, i, 'x', 0 FROM seq`,
    ).run(thread);
  })();
  const ids = (db.prepare('SELECT id FROM comments ORDER BY id').all() as { id: number }[]).map((r) => r.id);
  for (const id of ids) triage.stores.scoring.enqueue(id, 'm@1', 0);
  const scores = (i: number) => Object.fromEntries(LABELS.map((l) => [l, l === 'toxicity' ? (i % 1000) / 1000 : 0.01])) as LabelScores;
  for (let at = 0; at < ids.length; at += 5000) {
    triage.scoring.record(ids.slice(at, at + 5000).map((id) => ({ commentId: id, scores: scores(id) })), { model: 'm@1', now: 0 });
  }
}

const flaggedCount = (triage: Triage) => (triage.db.prepare('SELECT count(*) AS n FROM comments WHERE flagged = 1').get() as { n: number }).n;

describe('re-flagging after a threshold change', () => {
  const every = (v: number) => Object.fromEntries(LABELS.map((l) => [l, v])) as ThresholdValues;

  it('runs in chunks between which the event loop turns, and answers with the totals', async () => {
    const db = openDatabase(':memory:');
    const triage = createTriage({ db, model: () => 'm@1', initialThresholds: every(0.8), reflagChunk: 500 });
    seed(triage, 10_000);
    expect(flaggedCount(triage)).toBe(2000);
    const { result, turns } = await turnsDuring(() => triage.thresholds.update({ toxicity: 0.5 }, { moderatorId: null }));
    expect(result.reevaluation).toMatchObject({ flagsRaised: 3000, flagsRemoved: 0, queueEntered: 3000 });
    expect(flaggedCount(triage)).toBe(5000);
    // 20 chunks: the loop turned between them, so requests were answered meanwhile.
    expect(turns).toBeGreaterThanOrEqual(19);
    expect(db.prepare('SELECT count(*) AS n FROM reflag_jobs').get()).toEqual({ n: 0 });
    db.close();
  });

  it('stopped half way, finishes after a restart on the same database file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'triage-reflag-'));
    try {
      const path = join(dir, 'triage.db');
      const db = openDatabase(path);
      const first = createTriage({ db, model: () => 'm@1', initialThresholds: every(0.8), reflagChunk: 1000 });
      seed(first, 10_000);
      const saving = first.thresholds.update({ toxicity: 0.3 }, { moderatorId: null });
      // Let a few chunks run, then stop the way the server stops.
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
      await first.flagging.stop();
      const job = db.prepare('SELECT next_comment, last_comment FROM reflag_jobs').get() as { next_comment: number; last_comment: number };
      expect(job.next_comment).toBeGreaterThan(1);
      expect(job.next_comment).toBeLessThanOrEqual(job.last_comment);
      expect(flaggedCount(first)).toBeLessThan(7000);
      void saving.catch(() => undefined);
      db.close();

      const again = openDatabase(path);
      const second = createTriage({ db: again, model: () => 'm@1', reflagChunk: 1000 });
      const [totals] = await second.flagging.resume();
      expect(flaggedCount(second)).toBe(7000);
      expect(totals).toMatchObject({ flagsRaised: 5000, queueEntered: 5000 });
      expect(again.prepare('SELECT count(*) AS n FROM reflag_jobs').get()).toEqual({ n: 0 });
      // Every flag is what a fresh evaluation at the new thresholds gives.
      expect(again.prepare('SELECT count(*) AS n FROM flags f JOIN scores s ON s.comment_id = f.comment_id WHERE s.toxicity < 0.3').get()).toEqual({ n: 0 });
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
