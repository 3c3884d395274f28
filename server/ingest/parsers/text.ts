import { createHash } from 'node:crypto';
import { BadImport } from '../../errors.ts';

/**
 * Splits an import file into lines: drops a UTF-8 byte order mark and accepts
 * CRLF, CR or LF endings. Index i holds line i + 1, so errors can cite the
 * line a person sees in their editor.
 */
export function toLines(text: string): string[] {
  return stripBom(text).split(/\r\n|\r|\n/);
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Rejects what is not a text file at all, before any format is guessed, so the
 * user hears "binary" rather than a misleading format complaint. NUL and other
 * C0 controls never occur in the pages or in JSON we accept; U+FFFD is what a
 * UTF-8 decoder leaves behind for bytes that are not UTF-8.
 */
export function assertText(text: string): void {
  if (stripBom(text).trim() === '') throw new BadImport('the file is empty', { line: 1 });
  // Control characters are what this looks for: they mark a binary file.
  // eslint-disable-next-line no-control-regex
  const bad = /[\u0000-\u0008\u000e-\u001f\ufffd]/.exec(text);
  if (bad) {
    const line = toLines(text.slice(0, bad.index)).length;
    throw new BadImport('the file is not UTF-8 text (binary data)', { line });
  }
}

/**
 * Leading indentation in columns. A tab counts as 2 columns, one nesting step
 * of the blog page, so a page indented with one tab per level nests the same
 * as the original indented with two spaces per level.
 */
export function indentOf(line: string): number {
  let columns = 0;
  for (const ch of line) {
    if (ch === ' ') columns += 1;
    else if (ch === '\t') columns += 2;
    else break;
  }
  return columns;
}

/** Removes up to `columns` columns of leading spaces and tabs. */
export function dropIndent(line: string, columns: number): string {
  let taken = 0;
  let i = 0;
  while (i < line.length && taken < columns && (line[i] === ' ' || line[i] === '\t')) {
    taken += line[i] === '\t' ? 2 : 1;
    i += 1;
  }
  return line.slice(i);
}

/**
 * Joins body lines: trailing whitespace trimmed from each line, blank lines at
 * either end dropped, blank lines between paragraphs kept so paragraphs survive.
 * Continuation lines are dedented by their common indentation, which keeps any
 * indentation the writer meant inside the comment.
 */
export function joinBody(lines: string[]): string {
  const trimmed = lines.map((l) => l.trimEnd());
  let start = 0;
  let end = trimmed.length;
  while (start < end && trimmed[start] === '') start += 1;
  while (end > start && trimmed[end - 1] === '') end -= 1;
  const kept = trimmed.slice(start, end);
  const indents = kept.filter((l) => l !== '').map(indentOf);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return kept.map((l) => dropIndent(l, common)).join('\n');
}

function shortHash(parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

/**
 * Stable id for a thread whose source gives none. The title alone would merge
 * two different articles that share a headline, so the start of the body joins it.
 */
export function threadIdFor(title: string, body: string): string {
  return shortHash([title, body.slice(0, 500)]);
}

/**
 * Content-hash ids for comments without one: the same author, time and text
 * give the same id on every import, so re-importing a file finds the comments
 * it already stored. Exact duplicates within a thread are told apart by their
 * occurrence number (first, second…), which is also stable for an unchanged file.
 */
export function createContentIds(): (author: string | null, postedAt: number | null, body: string) => string {
  const seen = new Map<string, number>();
  return (author, postedAt, body) => {
    // The full digest doubles as the duplicate-counting key: cheaper to keep than long comment texts.
    const digest = createHash('sha256').update(JSON.stringify([author, postedAt, body])).digest('hex');
    const occurrence = (seen.get(digest) ?? 0) + 1;
    seen.set(digest, occurrence);
    return occurrence === 1 ? digest.slice(0, 16) : shortHash([digest, occurrence]);
  };
}
