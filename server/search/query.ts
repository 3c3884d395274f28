/**
 * Turning what a person typed into an FTS5 query, as a pure function. Input
 * is never passed as FTS5 syntax: every word becomes a quoted string (`"` is
 * doubled inside it), so `*`, `"`, `NEAR(`, `AND`, `col:` and parentheses are
 * just text to the tokenizer, never operators. Words without a letter or a
 * digit are dropped: unicode61 would make no token of them.
 */

/** At most this many words of one field are searched; the rest are ignored (each word is one more index lookup). */
export const MAX_TERMS = 16;

/** The words of `input` that can match, each as an FTS5 string. */
export function ftsTerms(input: string | undefined): string[] {
  if (!input) return [];
  return input
    .split(/\s+/u)
    .filter((word) => /[\p{L}\p{N}]/u.test(word))
    .slice(0, MAX_TERMS)
    .map((word) => `"${word.replaceAll('"', '""')}"`);
}

/**
 * The MATCH expression for a comment search, or null when nothing can match:
 * every word of `text` in the comment's text or author name, and every word of
 * `author` in the author name. Words are ANDed; no prefix or phrase syntax.
 */
export function commentMatch(q: { text?: string; author?: string }): string | null {
  const parts: string[] = [];
  const text = ftsTerms(q.text);
  const author = ftsTerms(q.author);
  if (text.length > 0) parts.push(`{body author} : (${text.join(' AND ')})`);
  if (author.length > 0) parts.push(`author : (${author.join(' AND ')})`);
  return parts.length > 0 ? parts.join(' AND ') : null;
}

/** The MATCH expression for thread titles holding every word of `title`, or null. */
export function titleMatch(title: string | undefined): string | null {
  const terms = ftsTerms(title);
  return terms.length > 0 ? terms.join(' AND ') : null;
}
