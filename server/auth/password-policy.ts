/**
 * The one password rule, used wherever a password is set: the API (adding a
 * user, changing a password), `npx triage user add`, and the first admin's
 * TRIAGE_ADMIN_PASSWORD. Guessing is judged by zxcvbn-ts with its common
 * list (about 49,000 leaked passwords, keyboard patterns, sequences, dates)
 * and runs offline.
 */
import { ZxcvbnFactory, type MatchExtended } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';

/** Characters (Unicode code points, after NFKC) a password needs at least. */
export const PASSWORD_MIN_LENGTH = 12;

/**
 * The lowest zxcvbn score accepted (0-4). 3 means about 10^8 guesses or
 * more: hopeless online, where sign-in is rate-limited, and slow offline
 * against our scrypt hashes.
 */
const MIN_SCORE = 3;

const ADVICE = 'use a longer phrase of unrelated words';

// Built on first use: unpacking the lists takes about 60 ms.
let estimator: ZxcvbnFactory | undefined;
function zxcvbn(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
  return estimator;
}

/**
 * What is wrong with a password, as words that follow "password", or null
 * when it may be used. `username` is the account's name: a password must not
 * be it, nor be built from it.
 */
export function passwordProblem(password: string, username?: string): string | null {
  const text = password.normalize('NFKC');
  const chars = [...text];
  if (chars.length > 0 && text.trim() === '') return 'must not be only spaces';
  if (chars.length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters (this one has ${chars.length})`;
  const name = username?.trim().toLowerCase();
  if (name && text.trim().toLowerCase() === name) return 'must not be the username';
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  if (Math.max(...counts.values()) * 2 > chars.length) return 'must not be mostly one repeated character';

  const result = zxcvbn().check(text, name ? [name] : []);
  if (result.score >= MIN_SCORE) return null;
  return `${weakness(result.sequence, chars.length)}; ${ADVICE}`;
}

/** Names the pattern that makes a password guessable: the one covering most of it. */
function weakness(sequence: MatchExtended[], length: number): string {
  if (sequence.some((m) => m.pattern === 'dictionary' && m.dictionaryName === 'userInputs')) return 'must not be built from the username';
  const main = sequence.filter((m) => m.pattern !== 'bruteforce' && m.pattern !== 'separator').sort((a, b) => b.j - b.i - (a.j - a.i))[0];
  if (!main) return 'is too easy to guess';
  const whole = main.i === 0 && main.j === length - 1;
  switch (main.pattern) {
    case 'dictionary':
      if (main.dictionaryName === 'passwords-common') return whole ? 'is a common password' : 'is too easy to guess: it is mostly a common password';
      return 'is too easy to guess: it is made of a few common words';
    case 'repeat':
      return 'must not be a repeated pattern';
    case 'sequence':
      return 'must not be a simple sequence such as abcd or 1234';
    case 'spatial':
      return 'must not be a keyboard pattern such as qwerty';
    case 'date':
    case 'regex':
      return 'is too easy to guess: it is mostly a date or a year';
    default:
      return 'is too easy to guess';
  }
}
