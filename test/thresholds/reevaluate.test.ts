import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/open.ts';
import { createTriage } from '../../server/triage.ts';
import { addComment, addModerator, addThread, commentState, decide, flagsOf, freshDb } from './fixture.ts';

describe('threshold change re-evaluates stored flags', () => {
  let db: Db;
  let admin: number;
  let c: Record<string, number>;
  let clock = 10_000;
  const service = () => createTriage({ db, now: () => clock }).thresholds;

  beforeEach(() => {
    db = freshDb();
    admin = addModerator(db, 'ada', 'admin');
    const mod = addModerator(db, 'mo');
    const t = addThread(db, 'Thread');
    // Defaults: 0.8 for every label.
    c = {
      high: addComment(db, { threadId: t, scores: { toxicity: 0.9, insult: 0.1 } }),
      low: addComment(db, { threadId: t, scores: { toxicity: 0.7 } }),
      both: addComment(db, { threadId: t, scores: { toxicity: 0.85, insult: 0.95 } }),
      hidden: addComment(db, { threadId: t, scores: { toxicity: 0.9 } }),
      approved: addComment(db, { threadId: t, scores: { toxicity: 0.75 } }),
      edge: addComment(db, { threadId: t, scores: { toxicity: 0.82 } }),
      oldModel: addComment(db, { threadId: t, scores: { toxicity: 0.81 }, model: 'old@0', scoredAt: 500 }),
    };
    decide(db, c.hidden!, mod, 'hide');
    decide(db, c.approved!, mod, 'approve');
  });

  it('raising a threshold unflags what falls below, keeps decisions, and versions the change', async () => {
    clock = 20_000;
    const r = await service().update({ toxicity: 0.88 }, { moderatorId: admin, reason: 'too noisy' });
    expect(r.version).toMatchObject({ id: 2, moderatorId: admin, reason: 'too noisy', createdAt: 20_000 });
    expect(r.version.values.toxicity).toBe(0.88);
    expect(r.version.values.insult).toBe(0.8);
    expect(r.changes).toEqual([{ label: 'toxicity', old: 0.8, new: 0.88 }]);
    expect(r.reevaluation).toEqual({ flagsRaised: 0, flagsRemoved: 2, commentsFlagged: 0, commentsUnflagged: 1, queueEntered: 0, queueLeft: 1 });

    // Left the queue, no decision: back to "not flagged", still pending.
    expect(commentState(db, c.edge!)).toEqual({ status: 'pending', flagged: 0 });
    expect(flagsOf(db, c.edge!)).toEqual([]);
    // Another label still flags it; that label's flag keeps its version.
    expect(commentState(db, c.both!)).toEqual({ status: 'pending', flagged: 1 });
    expect(flagsOf(db, c.both!)).toEqual([{ label: 'insult', threshold: 0.8, threshold_version: 1 }]);
    // A flag that still holds keeps the version that raised it.
    expect(flagsOf(db, c.high!)).toEqual([{ label: 'toxicity', threshold: 0.8, threshold_version: 1 }]);
    expect(commentState(db, c.hidden!)).toEqual({ status: 'hidden', flagged: 1 });
    // Not yet scored by the current model: untouched until it is.
    expect(commentState(db, c.oldModel!)).toEqual({ status: 'pending', flagged: 1 });
  });

  it('lowering a threshold raises flags that record the new version; decided comments keep their status', async () => {
    await service().update({ toxicity: 0.88 }, { moderatorId: admin });
    const r = await service().update({ toxicity: 0.72 }, { moderatorId: admin, reason: null });
    expect(r.version.id).toBe(3);
    // edge (0.82), both (0.85) and approved (0.75) reach 0.72; low (0.7) does not.
    expect(r.reevaluation).toEqual({ flagsRaised: 3, flagsRemoved: 0, commentsFlagged: 2, commentsUnflagged: 0, queueEntered: 1, queueLeft: 0 });
    expect(flagsOf(db, c.edge!)).toEqual([{ label: 'toxicity', threshold: 0.72, threshold_version: 3 }]);
    expect(commentState(db, c.edge!)).toEqual({ status: 'pending', flagged: 1 });
    expect(commentState(db, c.approved!)).toEqual({ status: 'approved', flagged: 1 });
    expect(commentState(db, c.low!)).toEqual({ status: 'pending', flagged: 0 });
    expect(flagsOf(db, c.both!).map((f) => [f.label, f.threshold_version])).toEqual([['insult', 1], ['toxicity', 3]]);
  });

  it('switching a label off removes its flags only', async () => {
    const r = await service().update({ insult: null }, { moderatorId: admin });
    expect(r.reevaluation).toMatchObject({ flagsRemoved: 1, flagsRaised: 0, commentsUnflagged: 0 });
    expect(flagsOf(db, c.both!)).toEqual([{ label: 'toxicity', threshold: 0.8, threshold_version: 1 }]);
  });

  it('matches a from-scratch evaluation after several changes', async () => {
    const s = service();
    await s.update({ toxicity: 0.5, insult: 0.9 }, { moderatorId: admin });
    await s.update({ toxicity: 0.83 }, { moderatorId: admin });
    await s.update({ toxicity: 0.7, severe_toxicity: null }, { moderatorId: admin });
    const t = s.current().values;
    const rows = db
      .prepare("SELECT c.id, c.flagged, s.toxicity, s.insult FROM comments c JOIN scores s ON s.comment_id = c.id WHERE s.model = 'local@1'")
      .all() as { id: number; flagged: number; toxicity: number | null; insult: number | null }[];
    for (const r of rows) {
      const expected = (r.toxicity ?? -1) >= t.toxicity! || (r.insult ?? -1) >= t.insult!;
      expect({ id: r.id, flagged: r.flagged }).toEqual({ id: r.id, flagged: expected ? 1 : 0 });
    }
  });

  it('keeps the history with who, when, old and new values and the reason', async () => {
    clock = 30_000;
    await service().update({ toxicity: 0.6, threat: 0.5 }, { moderatorId: admin, reason: '  more recall  ' });
    const h = service().history();
    expect(h).toHaveLength(2);
    expect(h[0]).toMatchObject({ id: 1, moderator: null, reason: 'defaults', changes: [] });
    expect(h[1]).toMatchObject({
      id: 2,
      moderator: 'ada',
      reason: 'more recall',
      createdAt: 30_000,
      changes: [
        { label: 'toxicity', old: 0.8, new: 0.6 },
        { label: 'threat', old: 0.8, new: 0.5 },
      ],
    });
  });

  it('rejects bad values and empty changes without writing anything', async () => {
    const s = service();
    await expect(s.update({ toxicity: 1.5 }, { moderatorId: admin })).rejects.toThrow(/thresholds\/toxicity must be a number from 0 to 1/);
    await expect(s.update({ rudeness: 0.5 }, { moderatorId: admin })).rejects.toThrow(/rudeness is not a label/);
    await expect(s.update({ toxicity: 0.8 }, { moderatorId: admin })).rejects.toThrow(/No threshold changed/);
    expect(s.history()).toHaveLength(1);
  });
});
