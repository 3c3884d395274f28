import type { Label } from './api.ts';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatTime(ms: number | null): string {
  return ms === null ? 'unknown time' : dateTime.format(new Date(ms));
}

export function labelName(label: Label): string {
  return label.replace('_', ' ');
}

/**
 * `url` when it is an absolute http: or https: URL, normalised: the only URLs
 * that become links. Anything else (`javascript:`, `data:`, relative, garbage)
 * is null, so an imported thread URL can never run script in a moderator's
 * session. Every link to a URL from the data goes through this.
 */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
}

export function formatScore(score: number | null): string {
  return score === null ? 'n/a' : score.toFixed(2);
}

/** The highest label score, or null while unscored. */
export function topScore(scores: Record<string, number | null> | null): number | null {
  if (!scores) return null;
  let top: number | null = null;
  for (const value of Object.values(scores)) if (value !== null && (top === null || value > top)) top = value;
  return top;
}

/**
 * A count and its noun, agreeing: "1 thread", "2 threads", "1,204 comments".
 * `many` for nouns whose plural is not `one` + s ("1 reply", "2 replies").
 */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/** A size in bytes for people: "980 bytes", "2.5 KB", "10.0 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
