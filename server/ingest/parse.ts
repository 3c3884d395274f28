/**
 * Entry point for imports: picks the parser for a file's format (or guesses
 * it) and returns plain parsed data. Pure: no I/O, no database.
 */
import { BadImport } from '../errors.ts';
import { IMPORT_FORMATS, type ImportFormat } from './formats.ts';
import * as blogPage from './parsers/blog-page.ts';
import * as json from './parsers/json.ts';
import * as newsPage from './parsers/news-page.ts';
import { assertText, stripBom, toLines } from './parsers/text.ts';
import type { ParsedImport } from './types.ts';


const PARSERS: Record<ImportFormat, (text: string) => ParsedImport> = {
  blog: blogPage.parse,
  news: newsPage.parse,
  json: json.parse,
};

const BLOG_HEADER = /^[ \t]*\d+\. \S.* Avatar\s*$/;
const NEWS_HEADER = /^\s*\S.* wrote:\s*$/;
const NEWS_FOOTER = /\s--\s+Report as abuse\s*$/;

/**
 * Guesses the format from what each one must contain: JSON starts with `{` or
 * `[`; a news page has `NAME wrote:` headers closed by `-- Report as abuse`;
 * a blog page has numbered `N. NAME Avatar` headers.
 */
export function detectFormat(text: string): ImportFormat {
  assertText(text);
  const start = stripBom(text).trimStart()[0];
  if (start === '{' || start === '[') return 'json';
  const lines = toLines(text);
  if (lines.some((l) => NEWS_HEADER.test(l)) && lines.some((l) => NEWS_FOOTER.test(l))) return 'news';
  if (lines.some((l) => BLOG_HEADER.test(l))) return 'blog';
  throw new BadImport(
    'unrecognised import format: expected JSON (starting with { or [), a blog page (numbered "N. name Avatar" comment headers) or a news page ("name wrote:" … "-- Report as abuse")',
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
