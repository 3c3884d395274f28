/**
 * Lists of comments (the queue, a thread, a comment's context) carry a bounded
 * excerpt of each body, never the whole text: one 10 MB comment must not make
 * every page that lists it 10 MB. The store reads only the first
 * `EXCERPT_BYTES` bytes of a body in SQL; `excerpt` turns them into at most
 * `EXCERPT_CHARS` characters, cut between code points.
 */

/** Characters (Unicode code points) of a body that lists carry. */
export const EXCERPT_CHARS = 2000;

/** UTF-8 bytes the store reads for an excerpt: enough for EXCERPT_CHARS code points of up to 4 bytes. */
export const EXCERPT_BYTES = EXCERPT_CHARS * 4;

export interface Excerpt {
  text: string;
  /** True when the body goes on past `text`. */
  truncated: boolean;
  /** Code points of `text`. */
  chars: number;
}

/** Bytes of the UTF-8 sequence a lead byte starts (1 for a stray continuation byte, which never starts a sequence we keep). */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

/** Where the last complete UTF-8 sequence of `head` ends: cutting there never splits a character. */
function completeLength(head: Uint8Array): number {
  let start = head.length - 1;
  // Back over up to three continuation bytes (10xxxxxx) to the lead byte of the last sequence.
  while (start > 0 && head.length - start < 4 && (head[start] & 0xc0) === 0x80) start--;
  if (start < 0) return 0;
  return start + sequenceLength(head[start]) > head.length ? start : head.length;
}

/**
 * The excerpt of a body from its first bytes (`head`, possibly cut inside a
 * character) and its whole size in bytes. Counts and cuts by code point, so a
 * surrogate pair (an emoji, say) is never split in two.
 */
export function excerpt(head: Uint8Array, totalBytes: number, maxChars = EXCERPT_CHARS): Excerpt {
  const text = Buffer.from(head.buffer, head.byteOffset, completeLength(head)).toString('utf8');
  let chars = 0;
  let end = 0;
  for (const ch of text) {
    if (chars === maxChars) return { text: text.slice(0, end), truncated: true, chars };
    chars++;
    end += ch.length;
  }
  return { text, truncated: totalBytes > head.length, chars };
}
