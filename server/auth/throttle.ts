/**
 * Limits on password guessing. Two layers:
 *
 * - per account (`createLoginThrottle`): a few free failures, then the
 *   account refuses sign-in for a wait that doubles with each further
 *   failure. Kept in memory: a restart forgets it, which costs an attacker a
 *   server restart they cannot cause.
 * - per client address (`LOGIN_ADDRESS_LIMIT`, @fastify/rate-limit on the
 *   sign-in route): many accounts tried from one address.
 *
 * Past either limit sign-in answers 429 with a Retry-After header and a
 * message saying when to try again.
 */
import type { FastifyRequest } from 'fastify';
import { TooManyAttempts } from '../errors.ts';

export interface LoginThrottleOptions {
  now: () => number;
  /** Wrong passwords in a row an account may have before it waits (default 5). */
  freeFailures?: number;
  /** The first wait; each further failure doubles it (default 30 s). */
  firstWaitMs?: number;
  /** The longest wait (default 15 minutes). */
  maxWaitMs?: number;
  /** An account with no attempt for this long starts afresh (default 24 h). */
  forgetMs?: number;
  /** Accounts (known or not) tracked at once; the oldest are dropped past it (default 10,000). */
  maxTracked?: number;
}

export const LOGIN_THROTTLE_DEFAULTS = {
  freeFailures: 5,
  firstWaitMs: 30_000,
  maxWaitMs: 15 * 60_000,
  forgetMs: 24 * 60 * 60_000,
  maxTracked: 10_000,
} as const;

interface AccountState {
  /** Attempts since the last successful sign-in, the one in flight included. */
  failures: number;
  /** Sign-in is refused until then (ms since the epoch); 0 when free. */
  lockedUntil: number;
  lastAt: number;
}

/** "30 seconds", "4 minutes": when to try again, rounded up. */
export function waitText(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 120) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/**
 * Counts sign-in attempts per username, known or not, so the answer does not
 * reveal which names exist. An attempt counts as a failure from the moment it
 * starts (so parallel guesses cannot slip past the limit while the password
 * hash runs); a correct password clears the count.
 */
export function createLoginThrottle(options: LoginThrottleOptions) {
  const { now } = options;
  const o = { ...LOGIN_THROTTLE_DEFAULTS, ...withoutUndefined(options) };
  const accounts = new Map<string, AccountState>();
  const keyOf = (username: string) => username.trim().toLowerCase();

  function forgetStale(t: number): void {
    for (const [key, s] of accounts) {
      if (t - s.lastAt > o.forgetMs || accounts.size > o.maxTracked) accounts.delete(key);
      else break; // Map order is last-attempt order: the rest are newer.
    }
  }

  return {
    /**
     * Call before checking the password. Throws TooManyAttempts while the
     * account waits; otherwise counts the attempt (and starts the wait once
     * it is past the free ones).
     */
    begin(username: string): void {
      const t = now();
      forgetStale(t);
      const key = keyOf(username);
      const s = accounts.get(key) ?? { failures: 0, lockedUntil: 0, lastAt: t };
      if (t < s.lockedUntil) {
        const wait = s.lockedUntil - t;
        throw new TooManyAttempts(`Too many failed sign-ins for this account; try again in ${waitText(wait)}`, Math.ceil(wait / 1000));
      }
      s.failures += 1;
      s.lastAt = t;
      if (s.failures >= o.freeFailures) {
        s.lockedUntil = t + Math.min(o.maxWaitMs, o.firstWaitMs * 2 ** (s.failures - o.freeFailures));
      }
      // Re-insert so the map stays in last-attempt order.
      accounts.delete(key);
      accounts.set(key, s);
    },
    /** The password was right: the account starts afresh. */
    succeeded(username: string): void {
      accounts.delete(keyOf(username));
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;

/**
 * The per-address limit on POST /api/auth/login, as @fastify/rate-limit
 * route options: 20 attempts a minute from one address (each try counts,
 * right or wrong); a client that keeps trying while refused keeps the
 * minute starting over. Behind a reverse proxy, every client shares the
 * proxy's address unless Fastify's `trustProxy` is set.
 */
export const LOGIN_ADDRESS_LIMIT = {
  max: 20,
  timeWindow: 60_000,
  continueExceeding: true,
  errorResponseBuilder: (_request: FastifyRequest, context: { ttl: number }) =>
    new TooManyAttempts(`Too many sign-in attempts from your address; try again in ${waitText(context.ttl)}`, Math.ceil(context.ttl / 1000)),
};

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
