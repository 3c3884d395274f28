/**
 * WordPress export (WXR, Tools → Export), as documented in
 * docs/import-formats.md: an RSS document whose `<item>`s are posts and pages,
 * each with its `<wp:comment>`s. A thread is an item with comments; its id is
 * `wp:post_id`, its source the site (`wp:base_blog_url`, else the channel link).
 * A comment's id is `wp:comment_id`, its parent `wp:comment_parent` (0 = none),
 * its time `wp:comment_date_gmt`, its text `wp:comment_content` as plain text,
 * and `wp:comment_approved` (1, 0, spam, trash) becomes `sourceStatus`.
 */
import { BadImport } from '../../errors.ts';
import type { ParsedImport, ParsedThread, SourceStatus } from '../types.ts';
import { htmlToText } from './html-text.ts';
import { threadOrder, type FlatComment } from './threading.ts';
import { childrenOf, isNode, parseXml, textOf } from './xml.ts';

export const format = 'wordpress';

const STATUS: Record<string, SourceStatus> = { '1': 'approved', '0': 'pending', spam: 'spam', trash: 'trash' };
const GMT_DATE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** `wp:comment_date_gmt` (`2013-03-14 14:57:01`, UTC) in epoch ms; null for WordPress's empty `0000-00-00 00:00:00`. */
function gmtDate(value: string | null, line: number): number | null {
  const text = value?.trim() ?? '';
  if (text === '' || text === '0000-00-00 00:00:00') return null;
  const m = GMT_DATE.exec(text);
  if (m) {
    const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
    const ms = Date.UTC(y, mo - 1, d, h, mi, s);
    const back = new Date(ms);
    if (back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && h < 24 && mi < 60 && s < 60) return ms;
  }
  throw new BadImport('wp:comment_date_gmt must be a date and time such as 2013-03-14 14:57:01', { line });
}

function requiredText(node: unknown, name: string, line: number, what: string): string {
  const value = textOf(isNode(node) ? node[name] : undefined)?.trim() ?? '';
  if (value === '') throw new BadImport(`${name} is missing or empty: every ${what} needs one`, { line });
  return value;
}

export function parse(text: string): ParsedImport {
  const { doc, lineOf } = parseXml(text, ['item', 'wp:comment']);
  const rss = doc.rss;
  const channel = childrenOf(rss, 'channel')[0];
  if (!isNode(rss) || channel === undefined) {
    throw new BadImport('not a WordPress export: expected an <rss> document with a <channel>', { line: 1 });
  }
  const head = isNode(channel) ? channel : {};
  const site = textOf(head['wp:base_blog_url'])?.trim() || textOf(head.link)?.trim() || '';
  const source = site === '' ? format : `${format}:${site}`;

  const threads: ParsedThread[] = [];
  const seen = new Map<string, number>();
  for (const item of childrenOf(channel, 'item')) {
    const comments = childrenOf(item, 'wp:comment');
    if (comments.length === 0) continue;
    const itemLine = lineOf(item);
    const externalId = requiredText(item, 'wp:post_id', itemLine, 'item with comments');
    const first = seen.get(externalId);
    if (first !== undefined) throw new BadImport(`duplicate wp:post_id "${externalId}" (also line ${first})`, { line: itemLine });
    seen.set(externalId, itemLine);
    const node = item as Record<string, unknown>;
    const url = textOf(node.link)?.trim() || null;
    const title = htmlToText(textOf(node.title) ?? '') || url || `Untitled post ${externalId}`;
    const body = htmlToText(textOf(node['content:encoded']) ?? '');

    const flat: FlatComment[] = comments.map((c) => {
      const line = lineOf(c);
      const cn = isNode(c) ? c : {};
      const id = requiredText(cn, 'wp:comment_id', line, 'wp:comment');
      const parent = textOf(cn['wp:comment_parent'])?.trim() ?? '';
      const approved = textOf(cn['wp:comment_approved'])?.trim() ?? '';
      const status = STATUS[approved];
      if (approved !== '' && !status) throw new BadImport('wp:comment_approved must be 1, 0, spam or trash', { line });
      // WordPress keeps names HTML-escaped (a trackback's author is the linking page's title).
      const author = htmlToText(textOf(cn['wp:comment_author']) ?? '') || null;
      return {
        line,
        comment: {
          externalId: id,
          parentExternalId: parent === '' || parent === '0' ? null : parent,
          author,
          body: htmlToText(textOf(cn['wp:comment_content']) ?? ''),
          postedAt: gmtDate(textOf(cn['wp:comment_date_gmt']), line),
          ...(status ? { sourceStatus: status } : {}),
        },
      };
    });
    threads.push({ source, externalId, title, url, body, comments: threadOrder(flat) });
  }
  if (threads.length === 0) throw new BadImport('the file has no comments (no <item> has a <wp:comment>)', { line: 1 });
  return { format, threads };
}
