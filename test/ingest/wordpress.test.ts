import { readFileSync } from 'node:fs';
import { badImportOf } from '../helpers/bad-import.ts';
import { describe, expect, it } from 'vitest';
import { detectFormat, parseImport } from '../../server/ingest/parse.ts';
import { parse } from '../../server/ingest/parsers/wordpress.ts';

const fixture = readFileSync(new URL('../fixtures/import/wordpress-theme-unit-test.xml', import.meta.url), 'utf8');

const errorOf = (text: string) => badImportOf(() => parse(text));

const lineOf = (needle: string, text = fixture): number => text.slice(0, text.indexOf(needle)).split('\n').length;

/** A minimal WXR document around one item's comments. */
const wxr = (comments: string, item = '<wp:post_id>7</wp:post_id><title>T</title>'): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:wp="https://wordpress.org/export/1.2/">\n<channel>\n<link>https://site.example</link>\n<item>\n${item}\n${comments}\n</item>\n</channel>\n</rss>\n`;
const comment = (fields: string): string => `<wp:comment>\n${fields}\n</wp:comment>`;

describe('WordPress (WXR) import', () => {
  const parsed = parse(fixture);

  it('reads every item with comments as a thread of the site', () => {
    expect(parsed.format).toBe('wordpress');
    expect(parsed.threads.map((t) => [t.externalId, t.title, t.comments.length])).toEqual([
      ['155', 'Page with comments', 4],
      ['1148', 'Template: Comments', 20],
      ['1149', 'Template: Pingbacks And Trackbacks', 5],
    ]);
    const [page, comments] = parsed.threads;
    expect(page).toMatchObject({ source: 'wordpress:https://wpthemetestdata.wordpress.com', url: 'https://wpthemetestdata.wordpress.com/about/page-with-comments/' });
    expect(page!.body).toMatch(/^Repository-hosted Themes are required to support display of comments on static Pages as well as on single blog Posts\./);
    expect(comments!.body).not.toMatch(/<[a-z]/);
  });

  it('keeps threading: a reply follows its parent, ten levels deep', () => {
    const page = parsed.threads[0]!.comments;
    expect(page.map((c) => [c.externalId, c.parentExternalId])).toEqual([['167', null], ['168', null], ['1017', '168'], ['169', null]]);
    const deep = parsed.threads[1]!.comments;
    const chain = ['904', '905', '906', '907', '910', '911', '912', '913', '914', '915'];
    const at = deep.findIndex((c) => c.externalId === '904');
    expect(deep.slice(at, at + 10).map((c) => c.externalId)).toEqual(chain);
    deep.slice(at + 1, at + 10).forEach((c, i) => expect(c.parentExternalId).toBe(chain[i]));
  });

  it('reads author, GMT time, plain text and the approval status of a comment', () => {
    const byId = new Map(parsed.threads.flatMap((t) => t.comments).map((c) => [c.externalId, c]));
    expect(byId.get('1017')).toEqual({ externalId: '1017', parentExternalId: '168', author: 'themereviewteam', body: 'nothing useful to say', postedAt: Date.UTC(2014, 11, 10, 8, 56, 24), sourceStatus: 'pending' });
    expect(byId.get('910')).toEqual({ externalId: '910', parentExternalId: '907', author: 'themedemos', body: 'Comment Depth 05\n\nAlso an author comment.', postedAt: Date.UTC(2013, 2, 14, 15, 10, 29), sourceStatus: 'approved' });
    expect(byId.get('904')!.author).toBe('John Κώστας Doe Τάδε');
    // A trackback's author is the linking page's title, HTML-escaped in the export.
    expect(byId.get('921')!.author).toBe('Ping 1 \u00ab What\u2019s a tellyworth?');
    expect([...byId.values()].filter((c) => c.sourceStatus === 'pending').map((c) => c.externalId)).toEqual(['1017', '1015']);
  });

  it('keeps spam and trash as a status, never in the text', () => {
    const base = '<wp:comment_date_gmt>2020-01-02 03:04:05</wp:comment_date_gmt><wp:comment_content><![CDATA[<p>Buy &amp; sell</p>]]></wp:comment_content>';
    const text = wxr([
      comment(`<wp:comment_id>1</wp:comment_id>${base}<wp:comment_approved>spam</wp:comment_approved>`),
      comment(`<wp:comment_id>2</wp:comment_id>${base}<wp:comment_approved>trash</wp:comment_approved><wp:comment_parent>1</wp:comment_parent>`),
    ].join('\n'));
    const [a, b] = parse(text).threads[0]!.comments;
    expect(a).toMatchObject({ body: 'Buy & sell', sourceStatus: 'spam', postedAt: Date.UTC(2020, 0, 2, 3, 4, 5) });
    expect(b).toMatchObject({ parentExternalId: '1', sourceStatus: 'trash' });
  });

  it('makes a reply to a comment missing from the export top-level', () => {
    const text = wxr(comment('<wp:comment_id>5</wp:comment_id><wp:comment_parent>99</wp:comment_parent><wp:comment_content>x</wp:comment_content>'));
    expect(parse(text).threads[0]!.comments[0]).toMatchObject({ externalId: '5', parentExternalId: null, postedAt: null });
  });

  it('is detected from its root element and namespace', () => {
    expect(detectFormat(fixture)).toBe('wordpress');
    expect(parseImport(fixture)).toEqual(parsed);
  });

  it('names the line of a bad comment field, without quoting the comment', () => {
    const badDate = fixture.replace('<wp:comment_date_gmt>2014-12-10 08:56:24</wp:comment_date_gmt>', '<wp:comment_date_gmt>yesterday</wp:comment_date_gmt>');
    expect(errorOf(badDate).message).toBe(`line ${lineOf('<wp:comment_id>1017</wp:comment_id>') - 1}: wp:comment_date_gmt must be a date and time such as 2013-03-14 14:57:01`);
    const badStatus = wxr(comment('<wp:comment_id>1</wp:comment_id>\n<wp:comment_approved>maybe</wp:comment_approved><wp:comment_content>secret words</wp:comment_content>'));
    expect(errorOf(badStatus).message).toBe('line 7: wp:comment_approved must be 1, 0, spam or trash');
    expect(errorOf(wxr(comment('<wp:comment_content>x</wp:comment_content>'))).message).toBe('line 7: wp:comment_id is missing or empty: every wp:comment needs one');
    const dup = wxr([comment('<wp:comment_id>1</wp:comment_id>'), comment('<wp:comment_id>1</wp:comment_id>')].join('\n'));
    expect(errorOf(dup).message).toBe('line 10: duplicate comment id "1" (also line 7)');
    const loop = wxr([comment('<wp:comment_id>1</wp:comment_id><wp:comment_parent>2</wp:comment_parent>'), comment('<wp:comment_id>2</wp:comment_id><wp:comment_parent>1</wp:comment_parent>')].join('\n'));
    expect(errorOf(loop).message).toMatch(/^line 7: parent links form a cycle/);
  });

  it('names the line of broken XML and never quotes it', () => {
    const cut = fixture.replace('</wp:comment_content>', '');
    const error = errorOf(cut);
    expect(error.message).toMatch(/^line \d+: invalid XML \(/);
    expect(error.message).not.toContain('comment_content');
    expect(errorOf('<rss><channel></channel></rss>').message).toBe('line 1: the file has no comments (no <item> has a <wp:comment>)');
    expect(errorOf('<feed/>').message).toBe('line 1: not a WordPress export: expected an <rss> document with a <channel>');
  });

  it('refuses a DOCTYPE, so no entity is ever expanded', () => {
    const laughs = `<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "aaaaaaaaaa">\n<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n${wxr(comment('<wp:comment_id>1</wp:comment_id><wp:comment_content>&b;</wp:comment_content>')).replace(/^<\?xml[^>]*>\n/, '')}`;
    expect(errorOf(laughs).message).toBe('line 2: a DOCTYPE or entity declaration is not allowed in an import file');
    const external = wxr(comment('<wp:comment_id>1</wp:comment_id><wp:comment_content>&xxe;</wp:comment_content>'));
    // An undeclared entity stays as written: nothing is looked up.
    expect(parse(external).threads[0]!.comments[0]!.body).toBe('&xxe;');
  });
});
