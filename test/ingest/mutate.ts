import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { hostileText } from '../helpers/hostile-text.ts';

const read = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');

/** The seed pages and the JSON, XML and CSV fixtures: the files the parsers are written against. */
export const FIXTURES = {
  blog: read('../../seeds/000_f1b2f21fdc22b40c.txt'),
  news: read('../../seeds/004_f0a9f0132b37af5b.txt'),
  nested: read('../fixtures/import/nested.json'),
  parentLinked: read('../fixtures/import/parent-linked.json'),
  noIds: read('../fixtures/import/no-ids.json'),
  wordpress: read('../fixtures/import/wordpress-theme-unit-test.xml'),
  disqus: read('../fixtures/import/disqus-export.xml'),
  csv: read('../fixtures/import/comments.csv'),
};

/** Lines each format is made of, right and nearly right, to build pages from. */
const LINES = [
  '', 'Title of the page', 'The article goes on.',
  '1. ann Avatar', '2. bob Avatar', '3. cy Avatar', '1. a reply without author', '2. another', '10. late', '0. zero', 'ann', 'bob',
  'Comments (0)', 'Comments (1)', 'Comments (2)', 'Comments (99)', 'We welcome comments that add to the discussion.',
  'ann wrote:', 'bob wrote:', ' wrote:',
  'Jun 29, 2014 6:39am EDT  --  Report as abuse', 'Jun 29, 2014\u00a06:39am EDT\u00a0 --\u00a0 Report as abuse',
  'Feb 30, 2014 6:39am EDT -- Report as abuse', 'Jun 29, 2014 13:39pm EDT -- Report as abuse', 'Jun 29, 2014 12:05am XYZ -- Report as abuse',
  'Foo 29, 2014 6:39am EDT -- Report as abuse', 'tomorrow -- Report as abuse', 'This discussion is now closed.',
  '{', '}', '[', ']', '{"id":"t","title":"T","comments":[', '{"text":"x"}', '{"id":"a","parent":"b","text":"y"}', '"', ',',
  '<?xml version="1.0"?>', '<rss version="2.0" xmlns:wp="https://wordpress.org/export/1.2/">', '<channel>', '</channel>', '</rss>', '<item>', '</item>',
  '<wp:post_id>1</wp:post_id>', '<wp:comment>', '</wp:comment>', '<wp:comment_id>2</wp:comment_id>', '<wp:comment_parent>2</wp:comment_parent>',
  '<wp:comment_approved>spam</wp:comment_approved>', '<wp:comment_date_gmt>2013-02-30 25:00:00</wp:comment_date_gmt>', '<wp:comment_content><![CDATA[<p>x &amp; y</p>]]></wp:comment_content>',
  '<disqus>', '</disqus>', '<thread dsq:id="1">', '</thread>', '<post dsq:id="2">', '</post>', '<thread dsq:id="1" />', '<parent dsq:id="2" />', '<isSpam>maybe</isSpam>',
  '<message>&lt;b&gt;hi</message>', '<!DOCTYPE x [<!ENTITY a "aaaa">]>', '&a;', '&#0;', '&#x110000;', ']]>', '<![CDATA[',
  'thread_id,thread_title,text', 'thread_id,thread_title,comment_id,parent_id,text,posted_at', '1,T,a,,"x', '1,T,b,a,y,2024-01-01', '1,,c,c,z,', '"a""b",c',
];

/** A page put together from format lines, indented at random, with any line ending. */
export const linesSoup: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(fc.tuple(fc.oneof(fc.constantFrom(...LINES), hostileText(3)), fc.constantFrom('', ' ', '  ', '    ', '\t', '      ', '\t\t')), { maxLength: 30 }),
    fc.constantFrom('\n', '\r\n', '\r'),
  )
  .map(([lines, eol]) => lines.map(([line, indent]) => indent + line).join(eol));

type Edit =
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'deleteQuote'; at: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'dropLine'; at: number }
  | { kind: 'copyLine'; at: number; to: number }
  | { kind: 'indent'; at: number; by: string };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('deleteQuote' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...LINES.map((l) => `${l}\n`)), hostileText(3)) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('dropLine' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('copyLine' as const), at: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constant('indent' as const), at: fc.nat(), by: fc.constantFrom('', ' ', '  ', '\t', '        ') }),
);

function apply(text: string, e: Edit): string {
  const at = text.length === 0 ? 0 : e.at % (text.length + 1);
  switch (e.kind) {
    case 'delete':
      return text.slice(0, at) + text.slice(at + e.length);
    case 'insert':
      return text.slice(0, at) + e.text + text.slice(at);
    case 'truncate':
      return text.slice(0, at);
    case 'deleteQuote': {
      // One of the double quotes, so a string runs into the JSON around it.
      const quotes = [...text.matchAll(/"/g)].map((m) => m.index);
      const q = quotes.length > 0 ? quotes[e.at % quotes.length]! : -1;
      return q < 0 ? text : text.slice(0, q) + text.slice(q + 1);
    }
    default: {
      const lines = text.split('\n');
      const i = e.at % lines.length;
      if (e.kind === 'dropLine') lines.splice(i, 1);
      else if (e.kind === 'copyLine') lines.splice(e.to % (lines.length + 1), 0, lines[i]!);
      else lines[i] = e.by + lines[i]!.trimStart();
      return lines.join('\n');
    }
  }
}

/** `text` with one to four random edits: a character range or a double quote deleted, text inserted, a cut, a line dropped, copied or re-indented. */
export const mutated = (text: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.tuple(text, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([t, edits]) => edits.reduce(apply, t));

/** A fixture file, with random edits. */
export const mutatedFixture: fc.Arbitrary<string> = mutated(fc.constantFrom(...Object.values(FIXTURES)));
