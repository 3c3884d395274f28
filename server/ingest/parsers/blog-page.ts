/**
 * Blog page export (seed 000): a title line, the article, then a nested comment
 * thread. Rules, as documented in docs/import-formats.md:
 * - A comment starts with a header `N. NAME Avatar`, or `N. TEXT` for a reply
 *   with no author (the text is the first line of its body).
 * - N counts siblings from 1; the header's indentation gives the depth (deeper
 *   indentation = reply to the closest open comment indented less).
 * - Body lines are indented deeper than their header. A line directly under
 *   the header that repeats NAME is the page's display-name echo, not body.
 * - The comments begin at the first `1. NAME Avatar` header or the first
 *   indented `1. TEXT` line; everything before that (after the title) is the article.
 * - After the comments, a line at or left of the top-level headers'
 *   indentation that is not a header starts the page footer, which is dropped.
 */
import { BadImport } from '../../errors.ts';
import type { ParsedComment, ParsedImport } from '../types.ts';
import { indentOf, joinBody, threadIdFor, toLines } from './text.ts';

export const format = 'blog';

const HEADER = /^[ \t]*(\d+)\. (.*)$/;
const AUTHOR = /^(.+?) Avatar$/;

interface OpenComment {
  path: string;
  indent: number;
  children: number;
  author: string | null;
  /** Body text given on the header line itself (authorless replies). */
  headText: string | null;
  lines: string[];
  /** Position in the parsed comment list. */
  index: number;
  /** The line directly under the header may be the display-name echo. */
  justOpened: boolean;
}

function isCommentsStart(line: string): boolean {
  const m = HEADER.exec(line);
  if (!m || m[1] !== '1') return false;
  return AUTHOR.test(m[2]!) || indentOf(line) > 0;
}

export function parse(text: string): ParsedImport {
  const lines = toLines(text);
  const titleIndex = lines.findIndex((l) => l.trim() !== '');
  if (titleIndex < 0) throw new BadImport('blog page is empty', { line: 1 });
  const title = lines[titleIndex]!.trim();

  const startIndex = lines.findIndex((l, i) => i > titleIndex && isCommentsStart(l));
  if (startIndex < 0) {
    throw new BadImport('no comments found: expected a numbered header such as "1. name Avatar"', { line: lines.length });
  }
  const body = joinBody(lines.slice(titleIndex + 1, startIndex).map((l) => l.trim()));

  const comments: ParsedComment[] = [];
  const open: OpenComment[] = [];
  let topLevel = 0;
  const rootIndent = indentOf(lines[startIndex]!);

  const close = (c: OpenComment): void => {
    const rest = joinBody(c.lines);
    let body = rest;
    if (c.headText !== null) {
      // Keep the blank lines the page shows between the header text and the rest.
      const blanks = c.lines.findIndex((l) => l.trim() !== '');
      body = rest === '' ? c.headText.trim() : `${c.headText.trim()}${'\n'.repeat(blanks + 1)}${rest}`;
    }
    comments[c.index]!.body = body;
  };

  for (let i = startIndex; i < lines.length; i += 1) {
    const raw = lines[i]!;
    const lineNo = i + 1;
    const current = open.at(-1);
    if (raw.trim() === '') {
      if (current) {
        current.lines.push('');
        current.justOpened = false;
      }
      continue;
    }
    const indent = indentOf(raw);
    const header = HEADER.exec(raw);
    if (header) {
      const number = Number(header[1]);
      // Comments this header closes: those indented as deep as it or deeper.
      let depth = open.length;
      while (depth > 0 && open[depth - 1]!.indent >= indent) depth -= 1;
      const parent = depth > 0 ? open[depth - 1]! : null;
      const expected = (parent ? parent.children : topLevel) + 1;
      if (number === expected && (parent !== null || indent <= rootIndent)) {
        for (const c of open.splice(depth)) close(c);
        if (parent) parent.children += 1;
        else topLevel += 1;
        const path = parent ? `${parent.path}.${number}` : String(number);
        const named = AUTHOR.exec(header[2]!);
        const opened: OpenComment = {
          path,
          indent,
          children: 0,
          author: named ? named[1]!.trim() : null,
          headText: named ? null : header[2]!,
          lines: [],
          index: comments.length,
          justOpened: true,
        };
        open.push(opened);
        comments.push({ externalId: path, parentExternalId: parent ? parent.path : null, author: opened.author, body: '', postedAt: null });
        continue;
      }
      // Left of the top-level headers, a numbered line belongs to the footer.
      if (indent < rootIndent) break;
      // A numbered line inside a comment that is out of sequence is ordinary
      // body text (a list in the comment); anywhere else it is a broken page.
      if (!current || indent <= current.indent) {
        throw new BadImport(`comment number ${number} is out of sequence: expected ${expected} at this indentation`, { line: lineNo });
      }
    }
    if (!current || indent <= rootIndent) {
      // Left of the top-level headers and not a header: the page footer.
      break;
    }
    if (indent <= current.indent) {
      throw new BadImport('text is indented less than the comment it follows and belongs to no comment header', { line: lineNo });
    }
    if (current.justOpened && current.author !== null && raw.trim() === current.author) {
      current.justOpened = false;
      continue;
    }
    current.justOpened = false;
    current.lines.push(raw);
  }
  for (const c of open.splice(0)) close(c);

  return {
    format,
    threads: [{ source: format, externalId: threadIdFor(title, body), title, url: null, body, comments }],
  };
}
