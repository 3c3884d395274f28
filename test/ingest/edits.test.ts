import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/db/open.ts';
import { LABELS, type LabelScores } from '../../server/scoring/labels.ts';
import { createTriage, type Triage } from '../../server/triage.ts';

const MODEL = 'm@1';

function fresh(): { db: Db; triage: Triage } {
  const db = openDatabase(':memory:');
  const triage = createTriage({ db, model: () => MODEL, initialThresholds: Object.fromEntries(LABELS.map((l) => [l, 0.8])) as Record<(typeof LABELS)[number], number> });
  return { db, triage };
}

const file = (comments: object[], title = 'Bike lanes') => JSON.stringify({ source: 'forum', id: 't1', title, comments });
const row = (db: Db, ext: string) =>
  db.prepare('SELECT id, external_id, body, author, parent_id, depth, flagged FROM comments WHERE external_id = ?').get(ext) as
    | { id: number; external_id: string; body: string; author: string | null; parent_id: number | null; depth: number; flagged: number }
    | undefined;
const score = (toxicity: number) => Object.fromEntries(LABELS.map((l) => [l, l === 'toxicity' ? toxicity : 0.01])) as LabelScores;

describe('re-importing changed threads and comments', () => {
  it('updates an edited comment, keeps its earlier text and scores, scores it again and re-flags it', () => {
    const { db, triage } = fresh();
    triage.ingest.importText(file([{ id: 'c1', author: 'maple', text: 'Finally, good news.' }, { id: 'c2', parent: 'c1', text: 'Agreed.' }]), { moderatorId: null, source: 'test' });
    const c1 = row(db, 'c1')!;
    triage.scoring.record([{ commentId: c1.id, scores: score(0.1) }], { model: MODEL, now: 1 });
    expect(row(db, 'c1')!.flagged).toBe(0);

    const result = triage.ingest.importText(file([{ id: 'c1', author: 'maple', text: 'You are all idiots.' }, { id: 'c2', parent: 'c1', text: 'Agreed.' }]), {
      moderatorId: null,
      source: 'test',
    });
    expect(result).toMatchObject({ commentsNew: 0, commentsEdited: 1, commentsSeen: 1, threadsUpdated: 0 });
    expect(row(db, 'c1')!.body).toBe('You are all idiots.');
    const history = db.prepare('SELECT body, author, scores FROM comment_edits WHERE comment_id = ?').all(c1.id) as { body: string; author: string; scores: string }[];
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ body: 'Finally, good news.', author: 'maple' });
    expect(JSON.parse(history[0]!.scores)[0][0]).toBe(MODEL);
    // Scored again: the old score is gone from scores, the job is pending.
    expect(db.prepare('SELECT count(*) AS n FROM scores WHERE comment_id = ?').get(c1.id)).toEqual({ n: 0 });
    expect(db.prepare('SELECT state FROM scoring_jobs WHERE comment_id = ? AND model = ?').get(c1.id, MODEL)).toEqual({ state: 'pending' });
    triage.scoring.record([{ commentId: c1.id, scores: score(0.95) }], { model: MODEL, now: 2 });
    expect(row(db, 'c1')!.flagged).toBe(1);

    // The same file once more changes nothing.
    expect(triage.ingest.importText(file([{ id: 'c1', author: 'maple', text: 'You are all idiots.' }, { id: 'c2', parent: 'c1', text: 'Agreed.' }]), { moderatorId: null, source: 'test' })).toMatchObject({
      commentsEdited: 0,
      commentsSeen: 2,
    });
    db.close();
  });

  it('takes a new thread title, and moves a comment with its replies under a new parent', () => {
    const { db, triage } = fresh();
    const before = [
      { id: 'a', text: 'first' },
      { id: 'b', text: 'second' },
      { id: 'b1', parent: 'b', text: 'reply to second' },
      { id: 'b2', parent: 'b1', text: 'reply to that' },
    ];
    triage.ingest.importText(file(before), { moderatorId: null, source: 'test' });
    const moved = [before[0], { ...before[1], parent: 'a' }, before[2], before[3]];
    const result = triage.ingest.importText(file(moved, 'Bike lanes, updated'), { moderatorId: null, source: 'test' });
    expect(result).toMatchObject({ commentsEdited: 1, commentsSeen: 3, threadsUpdated: 1 });
    expect(db.prepare('SELECT title FROM threads').get()).toEqual({ title: 'Bike lanes, updated' });
    expect(row(db, 'b')).toMatchObject({ parent_id: row(db, 'a')!.id, depth: 1 });
    expect(row(db, 'b1')!.depth).toBe(2);
    expect(row(db, 'b2')!.depth).toBe(3);
    // A text that did not change is not scored again.
    expect(db.prepare("SELECT count(*) AS n FROM scoring_jobs WHERE state = 'pending'").get()).toEqual({ n: 4 });
    db.close();
  });

  it('refuses to move a comment under one of its own replies, and writes nothing', () => {
    const { db, triage } = fresh();
    triage.ingest.importText(file([{ id: 'a', text: 'x' }, { id: 'b', parent: 'a', text: 'y' }]), { moderatorId: null, source: 'test' });
    // The file moves a under b while b still answers a (b comes first in the file as it names no parent here).
    const loop = JSON.stringify({ source: 'forum', id: 't1', title: 'Bike lanes', comments: [{ id: 'c', text: 'new' }, { id: 'a', parent: 'c', text: 'x' }] });
    expect(triage.ingest.importText(loop, { moderatorId: null, source: 'test' })).toMatchObject({ commentsNew: 1, commentsEdited: 1 });
    const bad = JSON.stringify({ source: 'forum', id: 't1', title: 'Bike lanes', comments: [{ id: 'b', text: 'y', parent: 'a' }, { id: 'a', parent: 'b', text: 'x' }] });
    const edits = db.prepare('SELECT count(*) AS n FROM comment_edits').get();
    expect(() => triage.ingest.importText(bad, { moderatorId: null, source: 'test' })).toThrow();
    expect(db.prepare('SELECT count(*) AS n FROM comment_edits').get()).toEqual(edits);
    db.close();
  });

  it('knows an edited comment of a news page, whose id comes from its text, as an edit', () => {
    const { db, triage } = fresh();
    const news = readFileSync('seeds/004_f0a9f0132b37af5b.txt', 'utf8');
    const first = triage.ingest.importText(news, { moderatorId: null, source: 'test' });
    const bodies = (db.prepare('SELECT body FROM comments ORDER BY id').all() as { body: string }[]).map((r) => r.body);
    const target = bodies[0]!;
    const edited = news.replace(target, `${target} (edited)`);
    expect(edited).not.toBe(news);
    const again = triage.ingest.importText(edited, { moderatorId: null, source: 'test' });
    expect(again).toMatchObject({ commentsNew: 0, commentsEdited: 1, commentsSeen: first.commentsNew - 1 });
    expect(db.prepare('SELECT count(*) AS n FROM comments').get()).toEqual({ n: first.commentsNew });
    expect((db.prepare('SELECT body FROM comments ORDER BY id LIMIT 1').get() as { body: string }).body).toBe(`${target} (edited)`);
    db.close();
  });

  it('an import that stops half way gives its edits back', async () => {
    const { db, triage } = fresh();
    triage.ingest.importText(file([{ id: 'a', text: 'as first written' }, { id: 'b', text: 'other' }]), { moderatorId: null, source: 'test' });
    const a = row(db, 'a')!;
    const importId = triage.stores.ingest.beginImport({ format: 'json', source: 'crashed', moderatorId: null, importedAt: Date.now() - 120_000 });
    db.prepare('UPDATE imports SET heartbeat_at = ? WHERE id = ?').run(Date.now() - 120_000, importId);
    triage.stores.ingest.editComment({ id: a.id, externalId: 'a', author: 'x', body: 'rewritten', postedAt: null, parentId: row(db, 'b')!.id }, { importId, now: 5 });
    expect(row(db, 'a')).toMatchObject({ body: 'rewritten', depth: 1 });
    expect(await triage.ingest.recover()).toBe(1);
    expect(row(db, 'a')).toMatchObject({ body: 'as first written', author: null, parent_id: null, depth: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM comment_edits').get()).toEqual({ n: 0 });
    db.close();
  });
});
