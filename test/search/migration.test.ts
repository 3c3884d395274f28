import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { listMigrations, migrate } from '../../server/db/open.ts';

describe('009_search.sql', () => {
  it('indexes the comments and thread titles stored before it, then follows new ones', () => {
    const db = new Database(':memory:');
    const all = listMigrations();
    migrate(db, all.filter((m) => m.version < 9));
    db.prepare("INSERT INTO threads (id, source, external_id, title, imported_at) VALUES (1, 'old', 't1', 'Ancient harbour debate', 0)").run();
    const insert = db.prepare('INSERT INTO comments (thread_id, external_id, position, author, body, imported_at) VALUES (1, ?, ?, ?, ?, 0)');
    insert.run('a', 0, 'Zoë', 'Stored before search existed');
    insert.run('b', 1, 'Old Timer', 'Another résumé of the plan');

    migrate(db, all);
    const match = (q: string) => db.prepare('SELECT rowid FROM comments_fts WHERE comments_fts MATCH ? ORDER BY rowid').pluck().all(q);
    expect(match('"existed"')).toEqual([1]);
    expect(match('"resume"')).toEqual([2]);
    expect(match('author : "zoe"')).toEqual([1]);
    expect(db.prepare('SELECT rowid FROM threads_fts WHERE threads_fts MATCH ?').pluck().all('"harbour"')).toEqual([1]);
    db.exec("INSERT INTO comments_fts (comments_fts) VALUES ('integrity-check'); INSERT INTO threads_fts (threads_fts) VALUES ('integrity-check');");

    insert.run('c', 2, null, 'Written after the migration');
    expect(match('"written"')).toEqual([3]);
    db.close();
  });
});
