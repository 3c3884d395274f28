import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BadImport } from '../../server/errors.ts';
import { parse } from '../../server/ingest/parsers/blog-page.ts';

const seed = readFileSync(new URL('../../seeds/000_f1b2f21fdc22b40c.txt', import.meta.url), 'utf8');
const expected: { externalId: string; parent: string | null; author: string | null; bodyStart: string }[] = JSON.parse(
  readFileSync(new URL('../fixtures/import/blog-page.expected.json', import.meta.url), 'utf8'),
);

const thread = parse(seed).threads[0]!;
const byId = new Map(thread.comments.map((c) => [c.externalId, c]));

describe('blog page (seed 000)', () => {
  it('finds the title, the article and exactly 79 comments', () => {
    expect(thread.source).toBe('blog');
    expect(thread.title).toBe('Iran deploys forces in Iraq to fight Sunni militants');
    expect(thread.url).toBeNull();
    expect(thread.body.startsWith('Iran Basij Forces\nIran Basij Forces\n\nFaced with the threat')).toBe(true);
    expect(thread.body.endsWith('said Alireza Nader, a senior policy analyst at the Rand Corp.')).toBe(true);
    expect(thread.comments).toHaveLength(79);
  });

  it('matches the hand-checked tree comment by comment, in page order', () => {
    expect(expected).toHaveLength(79);
    const actual = thread.comments.map((c) => ({
      externalId: c.externalId,
      parent: c.parentExternalId,
      author: c.author,
      bodyStart: c.body.slice(0, 40),
    }));
    expect(actual).toEqual(expected);
    for (const c of thread.comments) expect(c.postedAt).toBeNull();
  });

  it('puts every parent before its replies', () => {
    const seen = new Set<string>();
    for (const c of thread.comments) {
      if (c.parentExternalId !== null) expect(seen.has(c.parentExternalId)).toBe(true);
      seen.add(c.externalId);
    }
  });

  it('reads a reply with no author line', () => {
    expect(byId.get('1.1.1.1.3')).toMatchObject({ author: null, body: 'I never knew santa was a drunk', parentExternalId: '1.1.1.1' });
    expect(byId.get('2.2.1.2.1')).toMatchObject({ author: null, body: 'lol' });
  });

  it('keeps image-only comments with an empty body', () => {
    for (const id of ['2.1.1.1', '2.2.1.2.2', '2.2.2.1.2', '2.5.1.1.9']) expect(byId.get(id)!.body).toBe('');
    expect(byId.get('2.2.1.2.2')!.author).toBe('Hannibal');
  });

  it('drops the display name repeated under the header', () => {
    expect(byId.get('2')).toMatchObject({
      author: 'The real lebanese',
      body: 'Actually not upset with Iran for this move. Not comparable to Syria however.',
    });
    expect(byId.get('2.2.2.1.2')).toMatchObject({ author: 'Alotta Fagina', body: '' });
    expect(byId.get('4')).toMatchObject({ author: 'Alotta Fagina', body: 'Parts of Iraq belong to Iran anyway, time to change the Sykes-Picot map' });
  });

  it('nests five levels deep and numbers past 9', () => {
    const deepest = Math.max(...thread.comments.map((c) => c.externalId.split('.').length));
    expect(deepest).toBe(5);
    expect(byId.get('2.5.1.1.13')).toMatchObject({ parentExternalId: '2.5.1.1', author: 'IraniAngel' });
    expect(thread.comments.filter((c) => c.parentExternalId === '2.5.1.1')).toHaveLength(13);
  });

  it('keeps a multi-line body exactly, paragraphs included', () => {
    expect(byId.get('2.1.4.2.2')!.body).toBe(
      'You go by akhoumanuki and I’m the weirdo, lol.\n\n' +
        'Nothing like shagging your mum to relieve some anger and stress. She takes it like a champ and comes back for more.\n' +
        'Your mum may be defenseless, but certainly not innocent ; ))\n\n' +
        'We can stop this or you can continue making asinine comments and I’ll feel obliged to reply.',
    );
    expect(byId.get('2.1.2')!.body).toBe('Once again cant read.\n\nPs. Instead of “wid” use “with”. That one extra letter makes a big difference.');
  });

  it('gives the same ids on every parse and a thread id derived from the page', () => {
    const again = parse(seed).threads[0]!;
    expect(again.externalId).toBe(thread.externalId);
    expect(thread.externalId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('accepts CRLF endings, a BOM and tab indentation', () => {
    const crlf = parse(`\ufeff${seed.replace(/\n/g, '\r\n')}`).threads[0]!;
    expect(crlf.comments).toEqual(thread.comments);
    expect(crlf.externalId).toBe(thread.externalId);
    // One tab per nesting step (the page indents two spaces per step).
    const tabbed = seed.replace(/^((?: {2})+)/gm, (spaces) => '\t'.repeat(spaces.length / 2));
    expect(parse(tabbed).threads[0]!.comments).toEqual(thread.comments);
  });

  it('drops a footer after the comments', () => {
    const withFooter = `${seed}\n1. Be civil.\nLeave a Reply\nYou must be logged in to post a comment.\n`;
    expect(parse(withFooter).threads[0]!.comments).toEqual(thread.comments);
  });

  it('names the line of an out-of-sequence comment number', () => {
    const broken = 'Title\n\nArticle\n\n  1. a Avatar\n\n    hello\n\n  3. b Avatar\n\n    skipped two\n';
    expect(() => parse(broken)).toThrow(BadImport);
    expect(() => parse(broken)).toThrow(/^line 9: comment number 3 is out of sequence/);
  });

  it('rejects a page without comments', () => {
    expect(() => parse('Just a title\n\nAnd an article.\n')).toThrow(/no comments found/);
  });
});
