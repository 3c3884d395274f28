/**
 * Reaching an author's page (`#/authors?source=…&key=…`) from one of their
 * comments: `p` on any comment, or a click on the author's name. An author is
 * known within a site, so the comment's thread gives the source.
 */
import { api, type Comment } from './api.ts';
import { router } from './router.svelte.ts';
import { showError, toasts } from './state/toasts.svelte.ts';

/** The author page's address; URLSearchParams encodes a key such as `name:Ann?` safely. */
export function authorHref(source: string, key: string): string {
  return `#/authors?${new URLSearchParams({ source, key }).toString()}`;
}

/** Until this far ahead (ms) a standing has no end: the server's "until undone". */
const NO_END = 8e15;

/** "until 3 Dec, 10:00", or "until undone" for a standing with no expiry. */
export function untilText(until: number, format: (ms: number) => string): string {
  return until >= NO_END ? 'until undone' : `until ${format(until)}`;
}

/**
 * Opens the page of a comment's author. `source`: the thread's, where the
 * screen has it; otherwise it is read from the comment's context.
 */
export async function openAuthor(comment: Pick<Comment, 'id' | 'authorKey'>, source?: string): Promise<void> {
  if (comment.authorKey === null) {
    toasts.push('info', 'This comment is anonymous: it has no author page');
    return;
  }
  try {
    const from = source ?? (await api.comment(comment.id)).thread.source;
    router.go(authorHref(from, comment.authorKey));
  } catch (error) {
    showError(error, `Could not open the author of comment ${comment.id}`);
  }
}
