import { readFileSync } from 'node:fs';
import { badImportOf } from '../helpers/bad-import.ts';
import { describe, expect, it } from 'vitest';
import { parse } from '../../server/ingest/parsers/json.ts';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url), 'utf8');

/** Parses `doc` (an object, serialised here) and returns the BadImport it raises. */
const errorOf = (doc: unknown) => badImportOf(() => parse(typeof doc === 'string' ? doc : JSON.stringify(doc)));

const thread = (comments: unknown[], extra: Record<string, unknown> = {}) => ({ id: 't1', title: 'T', comments, ...extra });

describe('JSON import', () => {
  it('reads the nested form', () => {
    const parsed = parse(fixture('nested.json'));
    expect(parsed.format).toBe('json');
    expect(parsed.threads).toHaveLength(2);
    const [bikes, roads] = parsed.threads;
    expect(bikes).toMatchObject({ source: 'example-forum', externalId: 't-100', url: 'https://forum.example/t/100', body: 'The council voted 7-2 on Tuesday.\n\nWork starts in May.' });
    expect(bikes!.comments).toEqual([
      { externalId: 'c1', parentExternalId: null, author: 'maple', body: 'Finally. The east side has waited years.', postedAt: Date.UTC(2024, 2, 5, 14, 2) },
      { externalId: 'c2', parentExternalId: 'c1', author: 'rover', body: 'Waited years for less parking, sure.', postedAt: Date.UTC(2024, 2, 5, 14, 10) },
      { externalId: 'c4', parentExternalId: 'c2', author: 'maple', body: 'Parking stays on Elm.\nOnly Oak loses spaces.', postedAt: 1709654400000 },
      { externalId: 'c3', parentExternalId: 'c1', author: null, body: '', postedAt: null },
      { externalId: 'c5', parentExternalId: null, author: null, body: 'Who pays for it?', postedAt: null },
    ]);
    expect(roads).toMatchObject({ source: 'json', externalId: '7', url: null, body: '', comments: [{ externalId: '1', author: 'kit' }] });
  });

  it('gives the same tree for the nested and parent-linked forms', () => {
    expect(parse(fixture('parent-linked.json'))).toEqual(parse(fixture('nested.json')));
  });

  it('accepts a single thread object, a BOM and CRLF endings', () => {
    const text = fixture('no-ids.json');
    const parsed = parse(`\ufeff${text.replace(/\n/g, '\r\n')}`);
    expect(parsed.threads).toHaveLength(1);
    expect(parsed).toEqual(parse(text));
  });

  it('derives content-hash ids that are the same on every import', () => {
    const first = parse(fixture('no-ids.json')).threads[0]!.comments;
    const second = parse(fixture('no-ids.json')).threads[0]!.comments;
    expect(second.map((c) => c.externalId)).toEqual(first.map((c) => c.externalId));
    const ids = first.map((c) => c.externalId);
    expect(new Set(ids).size).toBe(4); // the two identical "+1" comments still differ
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(first[1]!.parentExternalId).toBe(first[0]!.externalId);
    // A comment added later leaves the ids of the others alone.
    const doc = JSON.parse(fixture('no-ids.json'));
    doc.comments.push({ author: 'dee', text: 'New here too.' });
    expect(parse(JSON.stringify(doc)).threads[0]!.comments.slice(0, 4).map((c) => c.externalId)).toEqual(ids);
  });

  describe('names the JSON path of each error', () => {
    const cases: [string, unknown, RegExp][] = [
      ['missing text', [thread([{ id: 'a', text: 'x', replies: [{ id: 'b', text: 'y' }, { id: 'c' }] }])], /^threads\[0\]\.comments\[0\]\.replies\[1\]\.text: missing/],
      ['text of the wrong type', thread([{ text: 5 }]), /^threads\[0\]\.comments\[0\]\.text: must be a string, not a number/],
      ['unknown parent id', thread([{ id: 'a', text: 'x' }, { id: 'b', parent: 'zz', text: 'y' }]), /^threads\[0\]\.comments\[1\]\.parent: unknown parent id "zz"/],
      ['a cycle', thread([{ id: 'r', text: 'root' }, { id: 'a', parent: 'b', text: 'x' }, { id: 'b', parent: 'a', text: 'y' }]), /^threads\[0\]\.comments\[1\]\.parent: parent links form a cycle \(a → b → a\)/],
      ['a comment that is its own parent', thread([{ id: 'a', parent: 'a', text: 'x' }]), /^threads\[0\]\.comments\[0\]\.parent: parent links form a cycle/],
      ['duplicate comment ids', thread([{ id: 'a', text: 'x', replies: [{ id: 'a', text: 'y' }] }]), /^threads\[0\]\.comments\[0\]\.replies\[0\]\.id: duplicate comment id "a" \(also threads\[0\]\.comments\[0\]\)/],
      ['duplicate thread ids', [thread([{ text: 'x' }]), thread([{ text: 'y' }])], /^threads\[1\]\.id: duplicate thread id "t1"/],
      ['an unknown field', thread([{ text: 'x', txet: 'y' }]), /^threads\[0\]\.comments\[0\]\.txet: unknown field/],
      ['parent inside replies', thread([{ id: 'a', text: 'x', replies: [{ parent: 'a', text: 'y' }] }]), /^threads\[0\]\.comments\[0\]\.replies\[0\]\.parent: not allowed inside replies/],
      ['a bad date', thread([{ text: 'x', postedAt: '2024-03-05 14:02' }]), /^threads\[0\]\.comments\[0\]\.postedAt: "2024-03-05 14:02" is not an ISO 8601 date/],
      ['a zoneless time', thread([{ text: 'x', postedAt: '2024-03-05T14:02:00' }]), /^threads\[0\]\.comments\[0\]\.postedAt: .* with a time zone/],
      ['a fractional epoch', thread([{ text: 'x', postedAt: 1.5 }]), /^threads\[0\]\.comments\[0\]\.postedAt: must be epoch milliseconds/],
      ['replies that are not an array', thread([{ text: 'x', replies: {} }]), /^threads\[0\]\.comments\[0\]\.replies: must be an array/],
      ['a comment that is not an object', thread(['hello']), /^threads\[0\]\.comments\[0\]: must be a comment object, not a string/],
      ['a missing thread id', { title: 'T', comments: [{ text: 'x' }] }, /^threads\[0\]\.id: missing/],
      ['a missing title', [thread([{ text: 'x' }]), { id: 'b', comments: [] }], /^threads\[1\]\.title: missing/],
      ['missing comments', { id: 'a', title: 'T' }, /^threads\[0\]\.comments: missing/],
      ['an id of the wrong type', thread([{ id: true, text: 'x' }]), /^threads\[0\]\.comments\[0\]\.id: must be a non-empty string or an integer, not a boolean/],
      ['an author of the wrong type', thread([{ author: 3, text: 'x' }]), /^threads\[0\]\.comments\[0\]\.author: must be a string/],
      ['a root that is not a thread', '"hello"', /^threads: must be a thread object or an array of threads, not a string/],
      ['no threads', [], /^threads: the array has no threads/],
      ['no comments at all', thread([]), /^threads: the file has no comments/],
    ];
    for (const [what, doc, message] of cases) {
      it(what, () => {
        const error = errorOf(doc);
        expect(error.code).toBe('BAD_IMPORT');
        expect(error.status).toBe(400);
        expect(error.message).toMatch(message);
        expect(typeof error.details?.field).toBe('string');
      });
    }
  });

  it('gives the line of a JSON syntax error', () => {
    const text = fixture('nested.json');
    const truncated = text.slice(0, text.indexOf('"Road closures'));
    expect(errorOf(truncated).message).toMatch(/^line 32: invalid JSON \(the file ends early: truncated\?\)/);
    const lines = text.split('\n');
    lines[18] = lines[18]!.replace('"postedAt"', 'postedAt');
    expect(errorOf(lines.join('\n')).details).toEqual({ line: 19 });
  });

  it('nests deeply without overflowing the stack', () => {
    // Built as text: JSON.stringify itself recurses and would overflow first.
    const depth = 5000;
    const text = `{"id":"t","title":"T","comments":[${'{"text":"x","replies":['.repeat(depth)}{"text":"leaf"}${']}'.repeat(depth)}]}`;
    const comments = parse(text).threads[0]!.comments;
    expect(comments).toHaveLength(5001);
    expect(comments[5000]!.parentExternalId).toBe(comments[4999]!.externalId);
  });
});
