/**
 * Disqus export (Admin → Community → Export), as documented in
 * docs/import-formats.md: a `<disqus>` document listing `<thread>`s, then
 * `<post>`s that name their thread (and parent post) by `dsq:id`. A thread is
 * a Disqus thread with posts; its id is its `dsq:id`, its source the forum.
 * A comment's id is the post's `dsq:id`; its text is `<message>` (HTML) as
 * plain text; `isSpam` and `isDeleted` become `sourceStatus`.
 */
import { BadImport } from '../../errors.ts';
import type { ParsedImport, ParsedThread, SourceStatus } from '../types.ts';
import { htmlToText } from './html-text.ts';
import { threadOrder, type FlatComment } from './threading.ts';
import { attrOf, childrenOf, isNode, parseXml, textOf } from './xml.ts';

export const format = 'disqus';

// An ISO 8601 date and time with a zone, as Disqus writes it (2011-08-31T15:16:29Z).
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

function flag(node: Record<string, unknown>, name: string, line: number): boolean {
  const value = textOf(node[name])?.trim() ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new BadImport(`<${name}> must be true or false`, { line });
}

function dsqId(node: unknown, line: number, what: string): string {
  const id = attrOf(node, 'dsq:id')?.trim() ?? '';
  if (id === '') throw new BadImport(`${what} has no dsq:id attribute`, { line });
  return id;
}

export function parse(text: string): ParsedImport {
  const { doc, lineOf } = parseXml(text, ['thread', 'post']);
  const root = doc.disqus;
  if (!isNode(root)) throw new BadImport('not a Disqus export: expected a <disqus> root element', { line: 1 });

  interface Pending { thread: ParsedThread; flat: FlatComment[]; line: number }
  const threads = new Map<string, Pending>();
  for (const t of childrenOf(root, 'thread')) {
    const line = lineOf(t);
    const node = isNode(t) ? t : {};
    const externalId = dsqId(t, line, '<thread>');
    const first = threads.get(externalId);
    if (first) throw new BadImport(`duplicate thread dsq:id "${externalId}" (also line ${first.line})`, { line });
    const forum = textOf(node.forum)?.trim() ?? '';
    const url = textOf(node.link)?.trim() || null;
    const title = htmlToText(textOf(node.title) ?? '') || url || `Untitled thread ${externalId}`;
    threads.set(externalId, {
      line,
      flat: [],
      thread: { source: forum === '' ? format : `${format}:${forum}`, externalId, title, url, body: htmlToText(textOf(node.message) ?? ''), comments: [] },
    });
  }

  for (const p of childrenOf(root, 'post')) {
    const line = lineOf(p);
    const node = isNode(p) ? p : {};
    const externalId = dsqId(p, line, '<post>');
    const threadRef = childrenOf(node, 'thread')[0];
    const threadId = attrOf(threadRef, 'dsq:id')?.trim() ?? '';
    if (threadId === '') throw new BadImport('<post> names no thread (<thread dsq:id="…"/>)', { line });
    const pending = threads.get(threadId);
    if (!pending) throw new BadImport(`<post> names thread "${threadId}", which the file does not list`, { line });
    const parentRef = childrenOf(node, 'parent')[0];
    const parent = attrOf(parentRef, 'dsq:id')?.trim() || null;
    const createdAt = textOf(node.createdAt)?.trim() ?? '';
    let postedAt: number | null = null;
    if (createdAt !== '') {
      postedAt = DATE_TIME.test(createdAt) ? Date.parse(createdAt) : Number.NaN;
      if (Number.isNaN(postedAt)) throw new BadImport('<createdAt> must be an ISO 8601 date and time with a zone, such as 2011-08-31T15:16:29Z', { line });
    }
    const author = childrenOf(node, 'author')[0];
    const name = isNode(author) ? (textOf(author.name)?.trim() || textOf(author.username)?.trim() || null) : null;
    const spam = flag(node, 'isSpam', line);
    const deleted = flag(node, 'isDeleted', line);
    const status: SourceStatus | undefined = spam ? 'spam' : deleted ? 'deleted' : undefined;
    pending.flat.push({
      line,
      comment: {
        externalId,
        parentExternalId: parent,
        author: name,
        body: htmlToText(textOf(node.message) ?? ''),
        postedAt,
        ...(status ? { sourceStatus: status } : {}),
      },
    });
  }

  const out: ParsedThread[] = [];
  for (const { thread, flat } of threads.values()) {
    if (flat.length === 0) continue;
    out.push({ ...thread, comments: threadOrder(flat) });
  }
  if (out.length === 0) throw new BadImport('the file has no comments (no <post>)', { line: 1 });
  return { format, threads: out };
}
