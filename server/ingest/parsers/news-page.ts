/**
 * News page export (seed 004): a title line, the article, an optional comment
 * policy paragraph, a `Comments (N)` line, then flat comments, each
 * `AUTHOR wrote:`, its text, and `DATE  --  Report as abuse`, where DATE reads
 * like `Jun 29, 2014 6:39am EDT`. Whatever follows the last comment is the
 * page footer and is dropped; a footer saying "This discussion is now
 * closed" marks the thread closed.
 * Rules are documented in docs/import-formats.md.
 */
import { BadImport } from '../../errors.ts';
import type { ParsedComment, ParsedImport } from '../types.ts';
import { createContentIds, joinBody, threadIdFor, toLines } from './text.ts';

export const format = 'news';

const COUNT = /^\s*Comments \((\d+)\)\s*$/;
const WROTE = /^\s*(\S.*?) wrote:\s*$/;
// \s also matches the no-break spaces the page puts around the date and dashes.
const FOOTER = /^\s*(\S.*?)\s+--\s+Report as abuse\s*$/;
const DATE = /^([A-Z][a-z]{2}) (\d{1,2}), (\d{4})\s+(\d{1,2}):(\d{2})\s*([ap]m)\s+([A-Z]{3,4})$/;
const POLICY = /^We welcome comments\b/;
const CLOSED = /\bThis discussion is now closed\b/;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Offsets from UTC in hours for the zone names US news sites print. */
const ZONES: Record<string, number> = {
  UTC: 0, GMT: 0,
  EDT: -4, EST: -5, CDT: -5, CST: -6, MDT: -6, MST: -7, PDT: -7, PST: -8,
};

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** `Jun 29, 2014 6:39am EDT` → epoch ms (UTC). */
export function parseNewsDate(value: string, line: number): number {
  const m = DATE.exec(value.replace(/\s+/g, ' ').trim());
  // Not quoted: what stands before "-- Report as abuse" may be a line of the comment itself.
  if (!m) throw new BadImport('unreadable comment date before "-- Report as abuse": expected e.g. "Jun 29, 2014 6:39am EDT"', { line });
  const [, mon, day, year, hour, minute, half, zone] = m;
  const month = MONTHS.indexOf(mon!);
  const offset = ZONES[zone!];
  const h = Number(hour);
  if (month < 0) throw new BadImport(`unknown month "${mon}" in comment date`, { line });
  if (offset === undefined) throw new BadImport(`unknown time zone "${zone}" in comment date (known: ${Object.keys(ZONES).join(', ')})`, { line });
  if (h < 1 || h > 12 || Number(minute) > 59) throw new BadImport(`impossible time "${hour}:${minute}${half}" in comment date`, { line });
  const h24 = (h % 12) + (half === 'pm' ? 12 : 0);
  const utc = Date.UTC(Number(year), month, Number(day), h24 - offset, Number(minute));
  if (new Date(Date.UTC(Number(year), month, Number(day))).getUTCDate() !== Number(day)) {
    throw new BadImport(`impossible day "${mon} ${day}, ${year}" in comment date`, { line });
  }
  return utc;
}

export function parse(text: string): ParsedImport {
  const lines = toLines(text);
  const titleIndex = lines.findIndex((l) => l.trim() !== '');
  if (titleIndex < 0) throw new BadImport('news page is empty', { line: 1 });
  const title = lines[titleIndex]!.trim();

  const countIndex = lines.findIndex((l, i) => i > titleIndex && COUNT.test(l));
  if (countIndex < 0) throw new BadImport('no "Comments (N)" line found: not a news page', { line: lines.length });
  const expected = Number(COUNT.exec(lines[countIndex]!)![1]);

  // The comment policy paragraph sits between the article and the comments; it is boilerplate, not article.
  let articleEnd = countIndex;
  let last = countIndex - 1;
  while (last > titleIndex && lines[last]!.trim() === '') last -= 1;
  if (last > titleIndex && POLICY.test(lines[last]!.trim())) articleEnd = last;
  const body = joinBody(lines.slice(titleIndex + 1, articleEnd).map((l) => l.trim()));

  const comments: ParsedComment[] = [];
  const idFor = createContentIds();
  let i = countIndex + 1;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') {
      i += 1;
      continue;
    }
    const wrote = WROTE.exec(line);
    if (!wrote) {
      if (comments.length < expected) {
        throw new BadImport(`expected a comment header "NAME wrote:" (comment ${comments.length + 1} of ${expected})`, { line: i + 1 });
      }
      break; // The page footer.
    }
    const headerLine = i + 1;
    const bodyLines: string[] = [];
    i += 1;
    let postedAt: number | null = null;
    for (; i < lines.length; i += 1) {
      const footer = FOOTER.exec(lines[i]!);
      if (footer) {
        postedAt = parseNewsDate(footer[1]!, i + 1);
        break;
      }
      bodyLines.push(lines[i]!);
    }
    if (postedAt === null) {
      throw new BadImport('comment has no closing "DATE -- Report as abuse" line', { line: headerLine });
    }
    i += 1;
    const author = wrote[1]!.trim();
    const commentBody = joinBody(bodyLines);
    comments.push({ externalId: idFor(author, postedAt, commentBody), parentExternalId: null, author, body: commentBody, postedAt });
  }
  if (comments.length !== expected) {
    throw new BadImport(`the page announces ${count(expected, 'comment')} but ${comments.length} ${comments.length === 1 ? 'was' : 'were'} found`, { line: countIndex + 1 });
  }
  if (comments.length === 0) throw new BadImport('the page has no comments', { line: countIndex + 1 });
  // `i` stands at the footer's first line, or past the end when there is none.
  const closed = lines.slice(i).some((l) => CLOSED.test(l));

  return {
    format,
    threads: [{ source: format, externalId: threadIdFor(title, body), title, url: null, body, closed, comments }],
  };
}
