import { readFileSync } from 'node:fs';
import { badImportOf } from '../helpers/bad-import.ts';
import { describe, expect, it } from 'vitest';
import { IMPORT_FORMATS, type ImportFormat } from '../../server/ingest/formats.ts';
import { detectFormat, parseImport } from '../../server/ingest/parse.ts';

const read = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');
const blog = read('../../seeds/000_f1b2f21fdc22b40c.txt');
const news = read('../../seeds/004_f0a9f0132b37af5b.txt');
const json = read('../fixtures/import/nested.json');

const errorOf = badImportOf;

describe('detectFormat', () => {
  it('recognises each format', () => {
    expect(IMPORT_FORMATS).toEqual(['blog', 'news', 'json', 'wordpress', 'disqus', 'csv']);
    expect(detectFormat(blog)).toBe('blog');
    expect(detectFormat(news)).toBe('news');
    expect(detectFormat(json)).toBe('json');
    expect(detectFormat(`\ufeff  \r\n${json}`)).toBe('json');
    expect(detectFormat(news.replace(/\n/g, '\r\n'))).toBe('news');
  });

  it('says what it expected when nothing matches', () => {
    const error = errorOf(() => detectFormat('Dear moderators,\nplease look at thread 12.\n'));
    expect(error.message).toMatch(/^line 1: unrecognised import format: expected JSON .* a blog page .* a news page/);
  });
});

describe('parseImport', () => {
  it('parses each seed page and the JSON fixture with auto detection', () => {
    const b = parseImport(blog);
    expect(b.format).toBe('blog');
    expect(b.threads[0]!.comments).toHaveLength(79);
    const n = parseImport(news, 'auto');
    expect(n.format).toBe('news');
    expect(n.threads[0]!.comments).toHaveLength(3);
    expect(parseImport(json).format).toBe('json');
  });

  it('agrees with the named format', () => {
    expect(parseImport(blog, 'blog')).toEqual(parseImport(blog));
    expect(parseImport(news, 'news')).toEqual(parseImport(news));
    expect(parseImport(json, 'json')).toEqual(parseImport(json));
  });

  it('refuses a file that is not the claimed format instead of returning nothing', () => {
    expect(errorOf(() => parseImport(news, 'blog')).message).toMatch(/no comments found/);
    expect(errorOf(() => parseImport(blog, 'news')).message).toMatch(/no "Comments \(N\)" line/);
    expect(errorOf(() => parseImport(blog, 'json')).details).toEqual({ line: 1 });
    expect(errorOf(() => parseImport(json, 'news')).message).toMatch(/^line \d+: no "Comments/);
  });

  it('refuses an unknown format name', () => {
    const error = errorOf(() => parseImport(json, 'yaml' as ImportFormat));
    expect(error.details).toEqual({ field: 'format' });
    expect(error.message).toMatch(/unknown import format "yaml"/);
  });

  it('reports an empty file', () => {
    for (const empty of ['', '   \n\n', '\ufeff', '\r\n']) {
      const error = errorOf(() => parseImport(empty));
      expect(error.code).toBe('BAD_IMPORT');
      expect(error.message).toBe('line 1: the file is empty');
    }
  });

  it('reports binary junk with its line', () => {
    const junk = Buffer.concat([Buffer.from('title\nsecond line\n'), Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x89, 0x50, 0x4e, 0x47])]);
    const error = errorOf(() => parseImport(junk.toString('utf8')));
    expect(error.message).toBe('line 3: the file is not UTF-8 text (binary data)');
    // Every byte value once, in a scrambled order, as a PNG or zip would mix them.
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 37 + 11) % 256));
    expect(errorOf(() => parseImport(bytes.toString('utf8'), 'json')).message).toMatch(/^line \d+: the file is not UTF-8 text/);
  });

  it('reports truncated JSON with the line where it stops', () => {
    const truncated = json.slice(0, json.indexOf('"Parking stays'));
    const error = errorOf(() => parseImport(truncated));
    expect(error.message).toBe('line 21: invalid JSON (the file ends early: truncated?)');
    expect(error.details).toEqual({ line: 21 });
  });
});
