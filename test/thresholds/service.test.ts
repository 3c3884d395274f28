import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/open.ts';
import { createTriage } from '../../server/triage.ts';
import { addComment, addModerator, addThread, decide, freshDb, undo } from './fixture.ts';

describe('threshold analysis and shadow view on a database', () => {
  let db: Db;
  let ids: Record<string, number>;

  beforeEach(() => {
    db = freshDb();
    const mo = addModerator(db, 'mo');
    const lee = addModerator(db, 'lee', 'lead');
    const a = addThread(db, 'Alpha');
    const b = addThread(db, 'Beta');
    ids = {
      p9: addComment(db, { threadId: a, scores: { toxicity: 0.9 } }),
      p8: addComment(db, { threadId: a, scores: { toxicity: 0.8 } }),
      p4: addComment(db, { threadId: b, scores: { toxicity: 0.4 } }),
      n85: addComment(db, { threadId: a, scores: { toxicity: 0.85 } }),
      n3: addComment(db, { threadId: b, scores: { toxicity: 0.3 } }),
      n2: addComment(db, { threadId: b, scores: { toxicity: 0.2 } }),
      u95: addComment(db, { threadId: a, scores: { toxicity: 0.95 } }),
      u75: addComment(db, { threadId: b, scores: { toxicity: 0.75 } }),
      u72insult: addComment(db, { threadId: b, scores: { toxicity: 0.72, insult: 0.9 } }),
      u5: addComment(db, { threadId: b, scores: { toxicity: 0.5 } }),
    };
    decide(db, ids.p9!, mo, 'hide');
    decide(db, ids.p8!, mo, 'escalate');
    decide(db, ids.p8!, lee, 'hide');
    decide(db, ids.p4!, lee, 'hide');
    decide(db, ids.n85!, mo, 'approve');
    decide(db, ids.n3!, mo, 'approve');
    decide(db, ids.n2!, lee, 'approve');
    // An undone decision is not a decision: u5 stays undecided.
    undo(db, decide(db, ids.u5!, mo, 'hide'), mo);
  });

  it('gives the histogram, curve, figures with samples, suggestion and what-if for a candidate', () => {
    const s = createTriage({ db }).thresholds;
    const a = s.analyse('toxicity', { candidate: 0.7, targetPrecision: 0.7, bins: 4 });
    expect(a.current).toBe(0.8);
    expect(a.candidate).toBe(0.7);
    expect(a.model).toBe('local@1');
    expect(a.counts).toEqual({ scored: 10, decided: 6, positives: 3, negatives: 3, undecided: 4 });
    expect(a.histogram.map((b) => [b.approved, b.hiddenOrEscalated, b.undecided])).toEqual([
      [1, 0, 0],
      [1, 1, 0],
      [0, 0, 2],
      [1, 2, 2],
    ]);
    expect(a.curve.map((p) => p.threshold)).toEqual([0.9, 0.85, 0.8, 0.4, 0.3, 0.2]);
    expect(a.atCurrent).toMatchObject({ truePositives: 2, falsePositives: 1, precision: 2 / 3, recall: 2 / 3, flagged: 4 });
    expect(a.atCurrent.sample).toMatchObject({ precisionSample: 3, recallSample: 3, trusted: false });
    expect(a.atCurrent.sample.note).toMatch(/Too few decisions to trust/);
    expect(a.suggestion).toMatchObject({ threshold: 0.4, target: { metric: 'precision', value: 0.7 } });
    // Moving 0.8 -> 0.7: u75 enters; u72insult is already flagged by insult.
    expect(a.whatIf.entering.count).toBe(1);
    expect(a.whatIf.entering.items).toMatchObject([{ id: ids.u75, threadTitle: 'Beta', score: 0.75, status: 'pending' }]);
    expect(a.whatIf.leaving.count).toBe(0);
    expect(a.whatIf.decided).toMatchObject({ caught: 2, missed: 1, falseAlarms: 1, newlyCaught: 0 });
  });

  it('lists exactly the comments a brute-force query says would enter or leave the queue', () => {
    const s = createTriage({ db }).thresholds;
    for (const candidate of [0.1, 0.45, 0.7, 0.81, 0.92, null]) {
      const current = 0.8;
      const queue = (t: number | null) =>
        new Set(
          (db
            .prepare(
              `SELECT c.id FROM comments c JOIN scores s ON s.comment_id = c.id
               WHERE c.status = 'pending' AND ((? IS NOT NULL AND s.toxicity >= ?) OR s.insult >= 0.8)`,
            )
            .all(t, t) as { id: number }[]).map((r) => r.id),
        );
      const before = queue(current);
      const after = queue(candidate);
      const entering = [...after].filter((id) => !before.has(id)).sort();
      const leaving = [...before].filter((id) => !after.has(id)).sort();
      expect(s.whatIfPage('toxicity', candidate, 'entering', 0, 100).items.map((x) => x.id).sort()).toEqual(entering);
      expect(s.whatIfPage('toxicity', candidate, 'leaving', 0, 100).items.map((x) => x.id).sort()).toEqual(leaving);
    }
  });

  it('answers again from fresh data after a decision or a threshold change', async () => {
    const s = createTriage({ db }).thresholds;
    expect(s.analyse('toxicity').counts.decided).toBe(6);
    expect(s.analyse('toxicity').counts.decided).toBe(6);
    decide(db, ids.u95!, addModerator(db, 'late'), 'hide');
    expect(s.analyse('toxicity').counts).toMatchObject({ decided: 7, positives: 4 });
    await s.update({ insult: null }, { moderatorId: null });
    // u72insult loses its insult flag, so lowering toxicity to 0.7 now moves it into the queue too.
    expect(s.analyse('toxicity', { candidate: 0.7 }).whatIf.entering.items.map((c) => c.id)).toEqual([ids.u75, ids.u72insult]);
  });

  it('pages the what-if list', () => {
    const s = createTriage({ db }).thresholds;
    const all = s.whatIfPage('toxicity', 0.1, 'entering', 0, 10);
    expect(all.count).toBe(2);
    expect(s.whatIfPage('toxicity', 0.1, 'entering', 1, 10).items).toEqual(all.items.slice(1));
  });

  it('measures agreement with standing decisions per label, thread and moderator', () => {
    const v = createTriage({ db }).thresholds.shadow();
    // Standing decisions: p9 hide (flagged: agree), p8 escalate + hide (flagged: agree x2),
    // p4 hide (not flagged: disagree), n85 approve (flagged: disagree), n3, n2 approve (agree).
    expect(v.overall).toEqual({ n: 7, agree: 5, share: 5 / 7, modelOnly: 1, moderatorOnly: 1 });
    expect(v.perLabel.find((l) => l.label === 'toxicity')).toMatchObject({ threshold: 0.8, n: 7, agree: 5 });
    expect(v.perLabel.find((l) => l.label === 'insult')).toMatchObject({ n: 0, share: null });
    expect(v.perModerator).toEqual([
      { moderator: 'lee', n: 3, agree: 2, share: 2 / 3, modelOnly: 0, moderatorOnly: 1 },
      { moderator: 'mo', n: 4, agree: 3, share: 3 / 4, modelOnly: 1, moderatorOnly: 0 },
    ]);
    expect(v.perThread).toEqual([
      { threadId: 1, threadTitle: 'Alpha', n: 4, agree: 3, share: 3 / 4, modelOnly: 1, moderatorOnly: 0 },
      { threadId: 2, threadTitle: 'Beta', n: 3, agree: 2, share: 2 / 3, modelOnly: 0, moderatorOnly: 1 },
    ]);
  });
});
