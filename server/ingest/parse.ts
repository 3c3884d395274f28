/**
 * Entry point for imports: picks the parser for a file's format (or guesses
 * it) and returns plain parsed data. Pure: no I/O, no database.
 */
import { BadImport } from '../errors.ts';
import { IMPORT_FORMATS, type ImportFormat } from './formats.ts';
import * as blogPage from './parsers/blog-page.ts';
import * as csv from './parsers/csv.ts';
import * as disqus from './parsers/disqus.ts';
import * as json from './parsers/json.ts';
import * as newsPage from './parsers/news-page.ts';
import { assertText, stripBom, toLines } from './parsers/text.ts';
import * as wordpress from './parsers/wordpress.ts';
import type { ParsedImport } from './types.ts';


const PARSERS: Record<ImportFormat, (text: string) => ParsedImport> = {
  blog: blogPage.parse,
  news: newsPage.parse,
  json: json.parse,
  wordpress: wordpress.parse,
  disqus: disqus.parse,
  csv: csv.parse,
};

const BLOG_HEADER = /^[ \t]*\d+\. \S.* Avatar\s*$/;
const NEWS_HEADER = /^\s*\S.* wrote:\s*$/;
const NEWS_FOOTER = /\s--\s+Report as abuse\s*$/;
// The XML declaration, comments and processing instructions that may come before the root element.
const XML_PROLOG = /^(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->)*/;
const XML_ROOT = /^<([A-Za-z_][\w.:-]*)([^>]*)>/;
const WXR_NAMESPACE = /xmlns:wp=["']https?:\/\/wordpress\.org\/export\//;

/** The XML export a document is, from its root element: WordPress's `<rss>` with the WXR namespace, or `<disqus>`. */
function xmlFormat(text: string): ImportFormat | null {
  // The root element comes early; only the file's start is looked at.
  const head = text.slice(0, 65536);
  const root = XML_ROOT.exec(head.slice(XML_PROLOG.exec(head)![0].length));
  if (!root) return null;
  if (root[1] === 'disqus') return 'disqus';
  if (root[1] === 'rss' && WXR_NAMESPACE.test(root[2]!)) return 'wordpress';
  return null;
}

/** Whether the first line is a CSV header naming the required columns (names may be quoted). */
function isCsvHeader(line: string): boolean {
  const names = line.split(',').map((n) => n.trim().replace(/^"(.*)"$/, '$1').trim().toLowerCase());
  return csv.REQUIRED_COLUMNS.every((c) => names.includes(c));
}

/**
 * Guesses the format from what each one must contain: JSON starts with `{` or
 * `[`; XML starts with `<` and its root element names the export (`<rss
 * xmlns:wp="…wordpress.org/export/…">` or `<disqus>`); CSV's first line is a
 * header naming thread_id, thread_title and text; a news page has `NAME
 * wrote:` headers closed by `-- Report as abuse`; a blog page has numbered
 * `N. NAME Avatar` headers.
 */
export function detectFormat(text: string): ImportFormat {
  assertText(text);
  const start = stripBom(text).trimStart()[0];
  if (start === '{' || start === '[') return 'json';
  const lines = toLines(text);
  if (start === '<') {
    const xml = xmlFormat(stripBom(text).trimStart());
    if (xml) return xml;
  }
  if (isCsvHeader(lines[0]!)) return 'csv';
  if (lines.some((l) => NEWS_HEADER.test(l)) && lines.some((l) => NEWS_FOOTER.test(l))) return 'news';
  if (lines.some((l) => BLOG_HEADER.test(l))) return 'blog';
  throw new BadImport(
    'unrecognised import format: expected JSON (starting with { or [), a WordPress (WXR) or Disqus XML export, CSV with a header row (thread_id, thread_title, text, …), a blog page (numbered "N. name Avatar" comment headers) or a news page ("name wrote:" … "-- Report as abuse")',
    { line: 1 },
  );
}

export function parseImport(text: string, format: ImportFormat | 'auto' = 'auto'): ParsedImport {
  assertText(text);
  const chosen = format === 'auto' ? detectFormat(text) : format;
  const parser = PARSERS[chosen as ImportFormat] as ((text: string) => ParsedImport) | undefined;
  if (!parser) throw new BadImport(`unknown import format "${String(format)}" (known: auto, ${IMPORT_FORMATS.join(', ')})`, { field: 'format' });
  const parsed = parser(text);
  if (parsed.threads.every((t) => t.comments.length === 0)) throw new BadImport('the file has no comments', { line: 1 });
  return parsed;
}
