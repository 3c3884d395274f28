import { readFileSync } from 'node:fs';
import { badImportOf } from '../helpers/bad-import.ts';
import { describe, expect, it } from 'vitest';
import { detectFormat, parseImport } from '../../server/ingest/parse.ts';
import { parse } from '../../server/ingest/parsers/disqus.ts';

const fixture = readFileSync(new URL('../fixtures/import/disqus-export.xml', import.meta.url), 'utf8');

const errorOf = (text: string) => badImportOf(() => parse(text));

const lineOf = (needle: string): number => fixture.slice(0, fixture.indexOf(needle)).split('\n').length;

describe('Disqus import', () => {
  const parsed = parse(fixture);

  it('reads threads with posts, skipping threads without any', () => {
    expect(parsed.format).toBe('disqus');
    expect(parsed.threads.map((t) => [t.source, t.externalId, t.title, t.url, t.comments.length])).toEqual([
      ['disqus:example-blog', '7410001', 'Council approves new bike lanes', 'https://blog.example/2024/03/bike-lanes/', 5],
      ['disqus:example-blog', '7410002', 'Road works on Elm & Oak', 'https://blog.example/2024/04/road-works/', 2],
    ]);
    expect(parsed.threads[0]!.body).toBe('The council voted 7-2 on Tuesday.\n\nWork starts in May.');
  });

  it('keeps threading from <parent>, each reply after its parent', () => {
    expect(parsed.threads[0]!.comments.map((c) => [c.externalId, c.parentExternalId])).toEqual([
      ['5550001', null],
      ['5550002', '5550001'],
      ['5550003', '5550002'],
      ['5550005', '5550001'],
      ['5550004', null],
    ]);
  });

  it('turns message HTML into plain text: tags stripped, entities decoded once', () => {
    const [, reply, answer] = parsed.threads[0]!.comments;
    expect(reply).toEqual({ externalId: '5550002', parentExternalId: '5550001', author: 'rover', body: 'Waited years for less parking, sure.\nAsk the shops on Elm.', postedAt: Date.UTC(2024, 2, 5, 14, 10) });
    expect(answer!.body).toBe('Parking stays on Elm & only Oak loses spaces \u2014 see the map.\n\n<script> is just text here.');
    // An escaped (not CDATA) message, and an author with neither name nor username.
    expect(parsed.threads[1]!.comments[0]).toEqual({ externalId: '5550006', parentExternalId: null, author: null, body: 'Who pays for it?', postedAt: Date.UTC(2024, 3, 1, 10, 15) });
  });

  it('keeps isSpam and isDeleted as a status, not in the text', () => {
    const byId = new Map(parsed.threads[0]!.comments.map((c) => [c.externalId, c]));
    expect(byId.get('5550004')).toMatchObject({ sourceStatus: 'spam', body: 'Cheap watches at spam.example' });
    expect(byId.get('5550005')).toMatchObject({ sourceStatus: 'deleted', body: 'I take that back.' });
    expect(byId.get('5550001')!.sourceStatus).toBeUndefined();
  });

  it('is detected from its root element', () => {
    expect(detectFormat(fixture)).toBe('disqus');
    expect(parseImport(`\ufeff${fixture.replace(/\n/g, '\r\n')}`)).toEqual(parsed);
  });

  it('names the line of a bad post, without quoting it', () => {
    const post = lineOf('<post dsq:id="5550003">');
    expect(errorOf(fixture.replace('<createdAt>2024-03-05T15:00:00Z</createdAt>', '<createdAt>2024-03-05 15:00</createdAt>')).message).toBe(
      `line ${post}: <createdAt> must be an ISO 8601 date and time with a zone, such as 2011-08-31T15:16:29Z`,
    );
    expect(errorOf(fixture.replace('<post dsq:id="5550003">', '<post>')).message).toBe(`line ${post}: <post> has no dsq:id attribute`);
    expect(errorOf(fixture.replace('<thread dsq:id="7410002" />\n    <parent', '<thread dsq:id="999" />\n    <parent')).message).toBe(
      `line ${lineOf('<post dsq:id="5550007">')}: <post> names thread "999", which the file does not list`,
    );
    const spam = errorOf(fixture.replace('<isSpam>true</isSpam>', '<isSpam>yes</isSpam>'));
    expect(spam.message).toBe(`line ${lineOf('<post dsq:id="5550004">')}: <isSpam> must be true or false`);
    const loop = fixture.replace('<message><![CDATA[<p>Finally.', '<parent dsq:id="5550003" /><message><![CDATA[<p>Finally.');
    expect(errorOf(loop).message).toMatch(/^line \d+: parent links form a cycle through comment "5550001"$/);
  });

  it('refuses broken XML and DOCTYPEs by line', () => {
    const error = errorOf(fixture.replace('</message>', ''));
    expect(error.message).toMatch(/^line \d+: invalid XML \(/);
    expect(error.message).not.toContain('Finally');
    expect(errorOf(`<?xml version="1.0"?>\n<!DOCTYPE disqus SYSTEM "file:///etc/passwd">\n<disqus/>`).message).toBe('line 2: a DOCTYPE or entity declaration is not allowed in an import file');
    expect(errorOf('<disqus><thread dsq:id="1"/></disqus>').message).toBe('line 1: the file has no comments (no <post>)');
  });
});
