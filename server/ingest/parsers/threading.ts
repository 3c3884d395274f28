import { BadImport } from '../../errors.ts';
import type { ParsedComment } from '../types.ts';

/** A comment as read from a flat export, with the line it starts on (for errors). */
export interface FlatComment {
  comment: ParsedComment;
  line: number;
}

/**
 * Puts a thread's comments in display order (each parent before its replies,
 * siblings in file order) from their parent ids. A parent id that names no
 * comment of the thread makes the comment top-level (exports leave out spam
 * and deleted parents), and `parentExternalId` is cleared to match. Duplicate
 * ids and parent links that loop are refused, naming the line.
 */
export function threadOrder(flat: FlatComment[]): ParsedComment[] {
  const byId = new Map<string, FlatComment>();
  for (const item of flat) {
    const first = byId.get(item.comment.externalId);
    if (first) throw new BadImport(`duplicate comment id "${item.comment.externalId}" (also line ${first.line})`, { line: item.line });
    byId.set(item.comment.externalId, item);
  }
  const roots: FlatComment[] = [];
  const children = new Map<FlatComment, FlatComment[]>();
  for (const item of flat) {
    const parentId = item.comment.parentExternalId;
    const parent = parentId === null ? undefined : byId.get(parentId);
    if (!parent) {
      item.comment.parentExternalId = null;
      roots.push(item);
      continue;
    }
    const list = children.get(parent) ?? [];
    list.push(item);
    children.set(parent, list);
  }
  const out: ParsedComment[] = [];
  const visited = new Set<FlatComment>();
  const stack = [...roots].reverse();
  while (stack.length > 0) {
    const item = stack.pop()!;
    visited.add(item);
    out.push(item.comment);
    const kids = children.get(item) ?? [];
    for (let i = kids.length - 1; i >= 0; i -= 1) stack.push(kids[i]!);
  }
  const stranded = flat.find((item) => !visited.has(item));
  if (stranded) {
    throw new BadImport(`parent links form a cycle through comment "${stranded.comment.externalId}"`, { line: stranded.line });
  }
  return out;
}
