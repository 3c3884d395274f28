import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLoginThrottle, waitText } from '../../server/auth/throttle.ts';
import { buildTestApp } from '../helpers/app.ts';

const PASSWORD = 'mia keeps the queue tidy';

let app: FastifyInstance;
let clock = 1_800_000_000_000;
beforeEach(async () => {
  clock = 1_800_000_000_000;
  app = await buildTestApp({ now: () => clock });
  await app.triage.auth.addUser({ username: 'mia', password: PASSWORD, role: 'admin' });
});
afterEach(() => app.close());

// Each guess from its own address, as a spread-out attack would: the per-account limit must hold alone.
let address = 0;
const signIn = (password: string, username = 'mia', remoteAddress = `203.0.${Math.floor(++address / 250) % 250}.${address % 250}`) =>
  app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress });

describe('sign-in limit per account', () => {
  it('answers 429 with Retry-After after five wrong passwords, and the wait doubles with each further failure', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 250; i++) statuses.push((await signIn(`wrong guess number ${i}`)).statusCode);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(statuses.slice(5))).toEqual(new Set([429]));

    const refused = await signIn(PASSWORD);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('30');
    expect(refused.json()).toEqual({ error: 'RATE_LIMITED', message: 'Too many failed sign-ins for this account; try again in 30 seconds' });

    clock += 30_000;
    expect((await signIn('one more wrong guess')).statusCode).toBe(401);
    const longer = await signIn('and another wrong one');
    expect(longer.statusCode).toBe(429);
    expect(longer.headers['retry-after']).toBe('60');
    expect(longer.json().message).toBe('Too many failed sign-ins for this account; try again in 60 seconds');
  });

  it('a successful sign-in clears the count', async () => {
    for (let i = 0; i < 4; i++) expect((await signIn('wrong guess')).statusCode).toBe(401);
    expect((await signIn(PASSWORD)).statusCode).toBe(200);
    // Five free failures again.
    for (let i = 0; i < 5; i++) expect((await signIn('wrong guess')).statusCode).toBe(401);
    expect((await signIn(PASSWORD)).statusCode).toBe(429);
    clock += 30_000;
    expect((await signIn(PASSWORD)).statusCode).toBe(200);
    expect((await signIn('wrong guess')).statusCode).toBe(401);
  });

  it('treats unknown usernames alike, so a 429 does not reveal which accounts exist', async () => {
    for (let i = 0; i < 5; i++) expect((await signIn('wrong guess', 'nobody')).statusCode).toBe(401);
    const res = await signIn('wrong guess', 'nobody');
    expect(res.statusCode).toBe(429);
    expect(res.json().message).toBe('Too many failed sign-ins for this account; try again in 30 seconds');
    // Another account is not affected.
    expect((await signIn(PASSWORD)).statusCode).toBe(200);
  });

  it('waits at most 15 minutes, and says so in minutes', () => {
    const throttle = createLoginThrottle({ now: () => clock });
    let last: unknown;
    for (let i = 0; i < 20; i++) {
      try {
        throttle.begin('mia');
      } catch (err) {
        last = err;
        clock += (err as { retryAfter: number }).retryAfter * 1000;
      }
    }
    expect(last).toMatchObject({ retryAfter: 900, message: 'Too many failed sign-ins for this account; try again in 15 minutes' });
    expect(waitText(1)).toBe('1 second');
    expect(waitText(90_000)).toBe('90 seconds');
  });
});

describe('sign-in limit per client address', () => {
  it('answers 429 with Retry-After after 20 attempts a minute from one address, whichever accounts they try', async () => {
    const from = '192.0.2.7';
    for (let i = 0; i < 20; i++) expect((await signIn('wrong guess', `user${i}`, from)).statusCode).toBe(401);
    const res = await signIn(PASSWORD, 'mia', from);
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(res.json()).toEqual({ error: 'RATE_LIMITED', message: expect.stringMatching(/^Too many sign-in attempts from your address; try again in \d+ seconds$/) });
    // Another address signs in.
    expect((await signIn(PASSWORD, 'mia', '192.0.2.8')).statusCode).toBe(200);
  });
});
