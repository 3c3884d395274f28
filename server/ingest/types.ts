/** What an import parser returns: plain data, no ids of ours yet. */

export interface ParsedComment {
  /** Stable id within its thread: the source's own id, or a content hash where the source has none. */
  externalId: string;
  /** externalId of the comment it answers; null for a top-level comment. */
  parentExternalId: string | null;
  author: string | null;
  /** Plain text, exactly as written (may be empty: image-only comments). */
  body: string;
  /** Milliseconds since the epoch (UTC), when the source gives a time. */
  postedAt: number | null;
  /**
   * The comment's moderation state on the platform it was exported from, when
   * the format records one (`wordpress`, `disqus`): stored beside the comment
   * as a note, never a decision (docs/import-formats.md).
   */
  sourceStatus?: SourceStatus;
}

/** A platform's own verdict on a comment: WordPress's approved, pending (0), spam or trash; Disqus's deleted or spam. */
export const SOURCE_STATUSES = ['approved', 'pending', 'spam', 'trash', 'deleted'] as const;
export type SourceStatus = (typeof SOURCE_STATUSES)[number];

export interface ParsedThread {
  /** Where it came from, e.g. the format name or a site; with externalId it makes a thread unique. */
  source: string;
  externalId: string;
  title: string;
  url: string | null;
  /** The article or opening post, plain text. */
  body: string;
  /** The page says it takes no more comments ("This discussion is now closed"). */
  closed?: boolean;
  /** In display order: every parent comes before its replies. */
  comments: ParsedComment[];
}

export interface ParsedImport {
  format: string;
  threads: ParsedThread[];
}
