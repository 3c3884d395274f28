import { readFileSync } from 'node:fs';
import { badImportOf } from '../helpers/bad-import.ts';
import { describe, expect, it } from 'vitest';
import { detectFormat, parseImport } from '../../server/ingest/parse.ts';
import { parse } from '../../server/ingest/parsers/csv.ts';
import { parse as parseJson } from '../../server/ingest/parsers/json.ts';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url), 'utf8');
const csv = fixture('comments.csv');
const HEADER = 'thread_id,thread_title,text';

const errorOf = (text: string) => badImportOf(() => parse(text));

describe('CSV import', () => {
  it('reads the fixture into the same tree as the nested JSON fixture', () => {
    const parsed = parse(csv);
    expect(parsed.format).toBe('csv');
    const [bikes, roads] = parsed.threads;
    const json = parseJson(fixture('nested.json')).threads[0]!;
    expect(bikes).toEqual({ ...json, source: 'csv', body: '' });
    expect(roads).toMatchObject({ source: 'csv', externalId: '7', title: 'Roads, again', url: null });
    // No comment_id: content-hash ids, two identical rows told apart.
    const [a, b] = roads!.comments;
    expect(a).toMatchObject({ author: 'kit', body: 'She said "no" twice.', postedAt: Date.UTC(2024, 3, 1), parentExternalId: null });
    expect(a!.externalId).toMatch(/^[0-9a-f]{16}$/);
    expect(b!.externalId).not.toBe(a!.externalId);
    expect(parse(csv)).toEqual(parsed);
  });

  it('needs only the required columns, in any order and case', () => {
    const parsed = parse(`Text,THREAD_TITLE,thread_id\r\nhello,T,1\r\n\r\n"a, b",,1\r\n`);
    expect(parsed.threads[0]!.comments.map((c) => c.body)).toEqual(['hello', 'a, b']);
    expect(parsed.threads[0]).toMatchObject({ externalId: '1', title: 'T', url: null });
  });

  it('is detected from its header line', () => {
    expect(detectFormat(csv)).toBe('csv');
    expect(detectFormat(`\ufeff"thread_id","thread_title","text"\n1,T,x\n`)).toBe('csv');
    expect(parseImport(csv)).toEqual(parse(csv));
  });

  it('names the line (where a row starts) and the column of a problem, never a value', () => {
    expect(errorOf(`${HEADER},colour\n1,T,x,red\n`).message).toBe('line 1: unknown column "colour" in the header (allowed: thread_id, thread_title, thread_url, comment_id, parent_id, author, text, posted_at)');
    expect(errorOf('thread_id,text\n1,x\n').message).toBe('line 1: the header has no thread_title column (required: thread_id, thread_title, text)');
    expect(errorOf(`${HEADER},parent_id\n1,T,x,\n`).message).toBe('line 1: a parent_id column needs a comment_id column');
    expect(errorOf(`${HEADER},posted_at\n1,T,"two\nlines",2024-03-05T14:02\n`).message).toBe('line 2: posted_at must be an ISO 8601 date (2024-03-05) or date and time with a zone (2024-03-05T14:02:00Z)');
    expect(errorOf(`${HEADER}\n1,T,"secret\nwords"\n,T,x\n`).message).toBe('line 4: thread_id is empty: every row needs one');
    expect(errorOf(`${HEADER}\n1,,x\n`).message).toBe('line 2: thread_title is empty on the first row of its thread');
    expect(errorOf(`${HEADER}\n1,T,x\n1,U,y\n`).message).toBe("line 3: thread_title differs from the thread's first row (line 2)");
    expect(errorOf(`${HEADER},comment_id,parent_id\n1,T,x,a,\n1,T,y,b,zz\n`).message).toBe('line 3: parent_id "zz" names no comment of thread "1"');
    expect(errorOf(`${HEADER},comment_id\n1,T,x,a\n1,T,y,a\n`).message).toBe('line 3: duplicate comment id "a" (also line 2)');
    expect(errorOf(`${HEADER},comment_id,parent_id\n1,T,x,a,b\n1,T,y,b,a\n`).message).toMatch(/^line 2: parent links form a cycle/);
    expect(errorOf(`${HEADER}\n`).message).toBe('line 1: the file has no comments: only a header row');
  });

  it('reports CSV syntax errors by line without quoting the file', () => {
    const unclosed = errorOf(`${HEADER}\n1,T,x\n1,T,"secret words\n`);
    expect(unclosed.message).toBe('line 3: invalid CSV (a quoted field is never closed)');
    expect(errorOf(`${HEADER}\n1,T,x,secret\n`).message).toBe('line 2: invalid CSV (the row does not have as many fields as the header)');
    const quote = errorOf(`${HEADER}\n1,T,se"cret"\n`);
    expect(quote.message).toMatch(/^line 2: invalid CSV \(/);
    expect(quote.message).not.toContain('cret');
  });
});
