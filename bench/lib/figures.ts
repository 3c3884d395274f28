/** What the benchmarks share: reading their flags, and printing their figures. */
import { InvalidArgumentError } from 'commander';

/** The client header every state change made with a session carries (server/auth/csrf.ts). */
export const CLIENT = { 'x-requested-with': 'triage' };

/** A flag's whole number, at least 1; `1_000_000` is read as written. */
export function positiveInt(value: string): number {
  const n = Number(value.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number >= 1');
  return n;
}

/** The value at percentile `p` of sorted numbers (nearest rank); NaN when there are none. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Milliseconds: one decimal under 10, `-` for none. */
export const ms = (n: number): string => (Number.isNaN(n) ? '-' : Math.abs(n) < 10 ? n.toFixed(1) : n.toFixed(0));
export const int = (n: number): string => Math.round(n).toLocaleString('en');
export const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
export const verdict = (ok: boolean, target: string) => `${ok ? 'ok' : 'MISSED'} (${target})`;
