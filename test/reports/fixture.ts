import type { Db } from '../../server/db/open.ts';
import { createTriage } from '../../server/triage.ts';
import { addComment, addModerator, addThread, decide, freshDb, undo } from '../thresholds/fixture.ts';

/**
 * A small database whose report figures are worked out by hand in
 * report.test.ts. The period under test is [10 000, 100 000).
 */
export const PERIOD = { from: 10_000, to: 100_000 };

export const TRICKY_BODY = 'He said "hi",\nthen left — 日本語 🙂';

export async function reportFixture(): Promise<{ db: Db; ids: Record<string, number> }> {
  const db = freshDb();
  const mo = addModerator(db, 'mo');
  const lee = addModerator(db, 'lee', 'lead');
  const admin = addModerator(db, 'ada', 'admin');
  const a = addThread(db, 'Alpha');
  const b = addThread(db, '=HYPERLINK("http://evil.example","click")');
  const ids: Record<string, number> = {
    a,
    b,
    c1: addComment(db, { threadId: a, importedAt: 10_000, scores: { toxicity: 0.9 }, body: TRICKY_BODY, author: '@bob' }),
    c2: addComment(db, { threadId: a, importedAt: 20_000, scores: { toxicity: 0.85 }, body: '-5 points' }),
    c3: addComment(db, { threadId: a, importedAt: 30_000, scores: { insult: 0.95 } }),
    c4: addComment(db, { threadId: b, importedAt: 40_000, scores: { toxicity: 0.1 } }),
    c5: addComment(db, { threadId: b, importedAt: 50_000, scores: { toxicity: 0.2 } }),
    c6: addComment(db, { threadId: a, importedAt: 5_000, scores: { toxicity: 0.9 } }),
    c7: addComment(db, { threadId: b, importedAt: 60_000, scores: null }),
  };
  // In time order, so decision ids follow time.
  decide(db, ids.c6!, mo, 'hide', 20_000);
  decide(db, ids.c2!, mo, 'escalate', 30_000);
  decide(db, ids.c3!, mo, 'approve', 40_000);
  const wrong = decide(db, ids.c4!, lee, 'hide', 50_000, '+1 spam');
  undo(db, wrong, lee, 55_000);
  decide(db, ids.c4!, lee, 'approve', 60_000);
  decide(db, ids.c1!, mo, 'hide', 70_000);
  decide(db, ids.c2!, lee, 'hide', 90_000);
  decide(db, ids.c5!, lee, 'hide', 150_000);
  // A second threshold version inside the period; it changes no flag here.
  await createTriage({ db, now: () => 80_000 }).thresholds.update({ toxicity: 0.5 }, { moderatorId: admin, reason: 'catch more' });
  return { db, ids };
}
