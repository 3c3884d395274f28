/**
 * CSV with a header row naming its columns (docs/import-formats.md):
 * thread_id, thread_title and text are required; thread_url, comment_id,
 * parent_id, author and posted_at are optional. One row per comment; the rows
 * of a thread need not be adjacent. Parsed with csv-parse (RFC 4180 quoting,
 * so a text may hold commas, quotes and line breaks). Errors name the line a
 * row starts on and the column, never a value.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { BadImport } from '../../errors.ts';
import type { ParsedComment, ParsedImport, ParsedThread } from '../types.ts';
import { createContentIds } from './text.ts';
import { threadOrder, type FlatComment } from './threading.ts';

export const format = 'csv';

export const CSV_COLUMNS = ['thread_id', 'thread_title', 'thread_url', 'comment_id', 'parent_id', 'author', 'text', 'posted_at'] as const;
export const REQUIRED_COLUMNS = ['thread_id', 'thread_title', 'text'] as const;
type Column = (typeof CSV_COLUMNS)[number];

// As in the JSON format: a date, or a date and time with an explicit zone.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/;
const PLAIN_NAME = /^[A-Za-z_][\w-]{0,39}$/;

const CSV_PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  INVALID_OPENING_QUOTE: 'a quote inside an unquoted field (quote the whole field and double the quote)',
  CSV_INVALID_CLOSING_QUOTE: 'text after the closing quote of a field',
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'the row does not have as many fields as the header',
  CSV_RECORD_INCONSISTENT_COLUMNS: 'the row does not have as many fields as the header',
};

interface Row {
  record: string[];
  info: { lines: number; raw?: string };
}

function readRows(text: string): Row[] {
  try {
    return parseCsv(text, { bom: true, info: true, raw: true, skip_empty_lines: true, relax_column_count: false }) as unknown as Row[];
  } catch (error) {
    const e = error as { code?: string; lines?: number };
    const line = typeof e.lines === 'number' && e.lines > 0 ? e.lines : 1;
    throw new BadImport(`invalid CSV (${CSV_PROBLEMS[e.code ?? ''] ?? 'the file cannot be read as CSV'})`, { line });
  }
}

/** The line a row starts on: csv-parse gives the line it ends on. */
function startLine(row: Row): number {
  const breaks = (row.info.raw ?? '').replace(/(\r\n|\r|\n)$/, '').match(/\r\n|\r|\n/g)?.length ?? 0;
  return Math.max(1, row.info.lines - breaks);
}

function headerOf(row: Row): Map<Column, number> {
  const columns = new Map<Column, number>();
  row.record.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    const label = PLAIN_NAME.test(name) ? `"${name}"` : `number ${i + 1}`;
    if (!(CSV_COLUMNS as readonly string[]).includes(name)) {
      throw new BadImport(`unknown column ${label} in the header (allowed: ${CSV_COLUMNS.join(', ')})`, { line: startLine(row) });
    }
    if (columns.has(name as Column)) throw new BadImport(`column ${label} appears twice in the header`, { line: startLine(row) });
    columns.set(name as Column, i);
  });
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.has(c));
  if (missing.length > 0) throw new BadImport(`the header has no ${missing.join(', ')} column (required: ${REQUIRED_COLUMNS.join(', ')})`, { line: startLine(row) });
  if (columns.has('parent_id') && !columns.has('comment_id')) throw new BadImport('a parent_id column needs a comment_id column', { line: startLine(row) });
  return columns;
}

function postedAtOf(value: string, line: number): number | null {
  if (value === '') return null;
  const ms = ISO_8601.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new BadImport('posted_at must be an ISO 8601 date (2024-03-05) or date and time with a zone (2024-03-05T14:02:00Z)', { line });
  return ms;
}

interface Pending {
  thread: ParsedThread;
  flat: FlatComment[];
  line: number;
  idFor: ReturnType<typeof createContentIds>;
}

export function parse(text: string): ParsedImport {
  const rows = readRows(text);
  if (rows.length === 0) throw new BadImport('the file is empty', { line: 1 });
  const columns = headerOf(rows[0]!);
  const threads = new Map<string, Pending>();

  for (const row of rows.slice(1)) {
    const line = startLine(row);
    const cell = (c: Column): string => {
      const i = columns.get(c);
      return i === undefined ? '' : (row.record[i] ?? '');
    };
    const threadId = cell('thread_id').trim();
    if (threadId === '') throw new BadImport('thread_id is empty: every row needs one', { line });
    const title = cell('thread_title').trim();
    const url = cell('thread_url').trim() || null;
    let pending = threads.get(threadId);
    if (!pending) {
      if (title === '') throw new BadImport('thread_title is empty on the first row of its thread', { line });
      pending = { line, flat: [], idFor: createContentIds(), thread: { source: format, externalId: threadId, title, url, body: '', comments: [] } };
      threads.set(threadId, pending);
    } else {
      if (title !== '' && title !== pending.thread.title) throw new BadImport(`thread_title differs from the thread's first row (line ${pending.line})`, { line });
      if (url !== null && url !== pending.thread.url) throw new BadImport(`thread_url differs from the thread's first row (line ${pending.line})`, { line });
    }
    const author = cell('author').trim() || null;
    const body = cell('text');
    const postedAt = postedAtOf(cell('posted_at').trim(), line);
    const givenId = cell('comment_id').trim();
    const parent = cell('parent_id').trim() || null;
    const comment: ParsedComment = {
      externalId: givenId !== '' ? givenId : pending.idFor(author, postedAt, body),
      parentExternalId: parent,
      author,
      body,
      postedAt,
    };
    pending.flat.push({ comment, line });
  }
  if (threads.size === 0) throw new BadImport('the file has no comments: only a header row', { line: 1 });

  const out: ParsedThread[] = [];
  for (const { thread, flat } of threads.values()) {
    const ids = new Set(flat.map((f) => f.comment.externalId));
    const orphan = flat.find((f) => f.comment.parentExternalId !== null && !ids.has(f.comment.parentExternalId));
    if (orphan) throw new BadImport(`parent_id "${orphan.comment.parentExternalId}" names no comment of thread "${thread.externalId}"`, { line: orphan.line });
    out.push({ ...thread, comments: threadOrder(flat) });
  }
  return { format, threads: out };
}
