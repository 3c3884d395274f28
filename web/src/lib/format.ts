import type { Label } from './api.ts';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatTime(ms: number | null): string {
  return ms === null ? 'unknown time' : dateTime.format(new Date(ms));
}

export function labelName(label: Label): string {
  return label.replace('_', ' ');
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
