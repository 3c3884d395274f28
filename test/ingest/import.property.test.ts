import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/db/open.ts';
import { BadImport } from '../../server/errors.ts';
import { parseImport } from '../../server/ingest/parse.ts';
import type { ParsedImport } from '../../server/ingest/types.ts';
import { createTriage } from '../../server/triage.ts';
import { SEED } from '../helpers/hostile-text.ts';
import { expectedImport, fileStyle, modelFile, modelImport } from './json-model.ts';
import { FIXTURES, linesSoup, mutated, mutatedFixture } from './mutate.ts';

/** Rows in every table: what a refused import must leave exactly as it was. */
function tableCounts(db: Db): Record<string, number> {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT count(*) FROM "${t}"`).pluck().get() as number]));
}

/** An in-memory Triage that queues new comments for a model, with the two seed pages already imported. */
function seededTriage() {
  const db = openDatabase(':memory:');
  const triage = createTriage({ db, now: () => 1_000, model: () => 'test@1' });
  triage.ingest.importText(FIXTURES.blog, { moderatorId: null, source: 'seed' });
  triage.ingest.importText(FIXTURES.news, { moderatorId: null, source: 'seed' });
  return { db, triage };
}

const storedComments = (db: Db) => db.prepare('SELECT count(*) FROM comments').pluck().get() as number;

describe('imports through the ingest service on random files (fast-check)', () => {
  it('store all of a file or, after a BadImport, nothing of it; and a second import of a stored file adds nothing', () => {
    const { db, triage } = seededTriage();
    const generated = fc.tuple(modelImport, fileStyle).map(([threads, style]) => modelFile(threads, style));
    const files = fc.oneof(mutatedFixture, linesSoup, generated, mutated(generated));
    let stored = 0;
    let refused = 0;
    fc.assert(
      fc.property(files, (text) => {
        const before = tableCounts(db);
        let result;
        try {
          result = triage.ingest.importText(text, { moderatorId: null, source: 'random' });
        } catch (error) {
          if (!(error instanceof BadImport)) throw error;
          refused++;
          expect(tableCounts(db)).toEqual(before);
          return;
        }
        stored++;
        expect(storedComments(db)).toBe(before.comments! + result.commentsNew);
        const inFile = parseImport(text).threads.reduce((n, t) => n + t.comments.length, 0);
        const again = triage.ingest.importText(text, { moderatorId: null, source: 'random' });
        expect(again).toMatchObject({ commentsNew: 0, commentsSeen: inFile, threadIds: result.threadIds });
        expect(storedComments(db)).toBe(before.comments! + result.commentsNew);
      }),
      { seed: SEED, numRuns: 100 },
    );
    // The property saw both outcomes often enough to mean something.
    expect(stored).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(20);
    db.close();
  });

  it('store the threads and comments of a generated file exactly as written, hostile text included', () => {
    const { db, triage } = seededTriage();
    const readBack = db.prepare(
      `SELECT c.external_id AS externalId, p.external_id AS parentExternalId, c.author, c.body, c.posted_at AS postedAt
       FROM comments c LEFT JOIN comments p ON p.id = c.parent_id WHERE c.thread_id = ? ORDER BY c.position`,
    );
    const threadRow = db.prepare('SELECT source, external_id AS externalId, title, url, body FROM threads WHERE id = ?');
    fc.assert(
      fc.property(modelImport, fileStyle, (threads, style) => {
        const expected = expectedImport(threads);
        // Each run's threads are new: the file's thread ids get a prefix no earlier run used.
        const run = `run${storedComments(db)}-`;
        for (const t of expected.threads) t.externalId = run + t.externalId;
        const result = triage.ingest.importText(modelFile(threads.map((t) => ({ ...t, id: run + String(t.id) })), style), { moderatorId: null, source: 'random' });
        expect(result.threadIds).toHaveLength(expected.threads.length);
        result.threadIds.forEach((id, i) => {
          const { comments, ...thread } = expected.threads[i]!;
          expect(threadRow.get(id)).toEqual(thread);
          expect(readBack.all(id)).toEqual(comments);
        });
      }),
      { seed: SEED, numRuns: 40 },
    );
    db.close();
  });

  it('refuse parsed threads with a reply to a comment that is nowhere, leaving nothing of them', () => {
    const { db, triage } = seededTriage();
    const parsed = fc.tuple(modelImport, fc.nat(), fc.nat()).map(([threads, t, c]): ParsedImport => {
      const { threads: list } = expectedImport(threads);
      // One comment, anywhere in the file, now answers an id no comment has.
      const thread = list[t % list.length]!;
      if (thread.comments.length === 0) thread.comments.push({ externalId: 'only', parentExternalId: null, author: null, body: '', postedAt: null });
      thread.comments[c % thread.comments.length]!.parentExternalId = '\u0000nowhere';
      return { format: 'json', threads: list };
    });
    fc.assert(
      fc.property(parsed, (file) => {
        const before = tableCounts(db);
        expect(() => triage.ingest.importParsed(file, { moderatorId: null, source: 'random' })).toThrow(BadImport);
        expect(tableCounts(db)).toEqual(before);
      }),
      { seed: SEED, numRuns: 40 },
    );
    db.close();
  });
});
