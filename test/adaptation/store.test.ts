import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { User } from '../../server/auth/store.ts';
import { openDatabase } from '../../server/db/open.ts';
import { decisionsForTraining } from '../../server/adaptation/store.ts';
import { ValidationError } from '../../server/errors.ts';
import { createTriage, stopTriage, type Triage } from '../../server/triage.ts';

describe('decisionsForTraining', () => {
  let db: ReturnType<typeof openDatabase>;
  let triage: Triage;
  let clock: number;
  let ann: User;
  let ben: User;
  let ids: number[];

  beforeEach(async () => {
    db = openDatabase(':memory:');
    clock = 1_000_000;
    triage = createTriage({ db, now: () => clock });
    const comments = ['first', 'second', 'third', 'fourth'].map((body, i) => ({ externalId: `c${i}`, parentExternalId: null, author: 'a', body, postedAt: i }));
    const result = triage.ingest.importParsed(
      { format: 'json', threads: [{ source: 'test', externalId: 't', title: 'T', url: null, body: '', comments }] },
      { moderatorId: null, source: 'test' },
    );
    ids = triage.stores.moderation.listThreadComments(result.threadIds[0]!).map((r) => r.id);
    ann = await triage.auth.addUser({ username: 'ann', password: 'correct horse battery', role: 'lead' });
    ben = await triage.auth.addUser({ username: 'ben', password: 'correct horse battery', role: 'moderator' });
  });
  afterEach(async () => {
    await stopTriage(triage);
    db.close();
  });

  const decide = (id: number, action: 'approve' | 'hide' | 'escalate', user: User) => {
    clock += 1000;
    return triage.moderation.decide(id, { action }, user).decision;
  };

  it('labels each decided comment by its latest standing decision, drops undone decisions and undos, oldest first', () => {
    decide(ids[0]!, 'approve', ann); // later hidden by ben: counts as hidden, at ben's time
    decide(ids[1]!, 'escalate', ben);
    const undone = decide(ids[2]!, 'hide', ann);
    clock += 1000;
    triage.moderation.undo(undone.id, ann); // ids[2] is left undecided
    decide(ids[0]!, 'hide', ben);
    decide(ids[3]!, 'approve', ann);
    expect(decisionsForTraining(db).map((d) => [d.commentId, d.action, d.label, d.moderator, d.text])).toEqual([
      [ids[1], 'escalate', 1, 'ben', 'second'],
      [ids[0], 'hide', 1, 'ben', 'first'],
      [ids[3], 'approve', 0, 'ann', 'fourth'],
    ]);
    const rows = decisionsForTraining(db);
    expect(rows.map((d) => d.decidedAt)).toEqual([...rows.map((d) => d.decidedAt)].sort((a, b) => a - b));
    expect(rows[0]!.moderatorId).toBe(ben.id);
  });

  it('leaves out comments a rule decided (a banned author hidden on arrival), until a moderator decides them', () => {
    const post = (thread: string, body: string) => {
      const result = triage.ingest.importParsed(
        { format: 'json', threads: [{ source: 'test', externalId: thread, title: thread, url: null, body: '', comments: [{ externalId: thread, parentExternalId: null, author: 'troll', body, postedAt: 9 }] }] },
        { moderatorId: null, source: 'test' },
      );
      return triage.stores.moderation.listThreadComments(result.threadIds[0]!)[0]!.id;
    };
    post('t2', 'hello');
    clock += 1000;
    triage.authors.act({ source: 'test', key: 'name:troll' }, { action: 'ban', reason: 'spam' }, ann);
    const hidden = post('t3', 'buy now');
    expect(triage.stores.moderation.listDecisions(hidden).map((d) => d.rule)).toEqual(['banned author']);
    expect(decisionsForTraining(db)).toEqual([]);
    decide(hidden, 'approve', ben);
    expect(decisionsForTraining(db).map((d) => [d.commentId, d.label, d.moderator])).toEqual([[hidden, 0, 'ben']]);
  });

  it('refuses to adapt below 200 decided comments, at once, saying how many there are', () => {
    decide(ids[0]!, 'hide', ann);
    decide(ids[1]!, 'approve', ann);
    expect(() => triage.adaptation.start(null)).toThrow(ValidationError);
    expect(() => triage.adaptation.start(null)).toThrow(/needs at least 200 decided comments; this database has 2 /);
    expect(triage.adaptation.job()).toBeNull();
  });

  it('marks the decisions made on missed-abuse sample items', () => {
    decide(ids[0]!, 'hide', ann);
    decide(ids[1]!, 'approve', ann);
    const sample = Number(db.prepare('INSERT INTO samples (created_by, created_at, size, requested, seed, population) VALUES (?, 0, 2, 2, 1, 4)').run(ann.id).lastInsertRowid);
    const item = db.prepare('INSERT INTO sample_items (sample_id, comment_id, position, verdict, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, 0)');
    item.run(sample, ids[1]!, 0, 'approve', ann.id);
    item.run(sample, ids[2]!, 1, null, null); // drawn, not yet reviewed: no decision either
    expect(decisionsForTraining(db).map((d) => [d.commentId, d.sampled])).toEqual([
      [ids[0], false],
      [ids[1], true],
    ]);
  });

  it('gives the pending comments nobody decided for the comparison, newest first, undone decisions included, deleted ones not', () => {
    const store = triage.stores.adaptation;
    decide(ids[0]!, 'hide', ann);
    const undone = decide(ids[1]!, 'approve', ann);
    clock += 1000;
    triage.moderation.undo(undone.id, ann);
    db.prepare('UPDATE comments SET deleted_at = 1 WHERE id = ?').run(ids[3]!);
    expect(store.undecidedForComparison()).toEqual([
      { commentId: ids[2], text: 'third' },
      { commentId: ids[1], text: 'second' },
    ]);
    expect(store.undecidedForComparison(1)).toEqual([{ commentId: ids[2], text: 'third' }]);
    expect(store.undecidedForComparison(1, 3)).toEqual([{ commentId: ids[2], text: 'thi' }]);
  });
});
