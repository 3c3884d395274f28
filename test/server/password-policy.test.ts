import type { FastifyInstance } from 'fastify';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generatePassword } from '../../server/auth/password.ts';
import { PASSWORD_MIN_LENGTH, passwordProblem } from '../../server/auth/password-policy.ts';
import { resolveConfig } from '../../server/config.ts';
import { buildTestApp, signIn } from '../helpers/app.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

describe('password rule', () => {
  it('refuses short, blank, repeated, sequential, keyboard, common and username passwords, saying which', () => {
    expect(PASSWORD_MIN_LENGTH).toBe(12);
    const cases: [password: string, problem: RegExp][] = [
      ['password', /^must be at least 12 characters \(this one has 8\)$/],
      ['12345678', /^must be at least 12 characters \(this one has 8\)$/],
      ['        ', /^must not be only spaces$/],
      [' \t'.repeat(8), /^must not be only spaces$/],
      ['aaaaaaaaaaab', /^must not be mostly one repeated character$/],
      ['abcabcabcabc', /^must not be a repeated pattern/],
      ['abcdefghijklmn', /^must not be a simple sequence/],
      ['123456789012', /^is a common password/],
      ['qazwsxedcrfv', /^is a common password/],
      ['administrator', /^is a common password/],
      ['Password1234', /^is too easy to guess: it is mostly a common password/],
      ['Mia-The-Moderator', /^must not be the username$/],
      ['mia-the-moderator2025', /^must not be built from the username/],
    ];
    for (const [password, problem] of cases) expect(passwordProblem(password, 'mia-the-moderator'), password).toMatch(problem);
  });

  it('accepts long passphrases and every generated password', () => {
    for (const ok of ['correct horse battery', 'noor keeps the queue', 'hunter2-but-longer', 'moderator walks the queue']) {
      expect(passwordProblem(ok, 'noor'), ok).toBeNull();
    }
    for (let i = 0; i < 50; i++) {
      const generated = generatePassword();
      expect(passwordProblem(generated, 'admin'), generated).toBeNull();
    }
  });
});

describe('the rule where passwords are set', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('POST /api/users and PATCH /api/users/:id refuse a weak password with a 400 naming what is wrong', async () => {
    app = await buildTestApp();
    const admin = await signIn(app, 'admin');
    const add = (username: string, password: string, role = 'moderator') =>
      app!.inject({ method: 'POST', url: '/api/users', headers: { cookie: admin.cookie }, payload: { username, password, role } });
    for (const [password, message] of [
      ['password', 'password must be at least 12 characters (this one has 8)'],
      ['12345678', 'password must be at least 12 characters (this one has 8)'],
      ['        ', 'password must not be only spaces'],
      ['123456789012', 'password is a common password; use a longer phrase of unrelated words'],
      ['zoe-moderates', 'password must not be the username'],
    ]) {
      const res = await add('zoe-moderates', password, password.trim() === '' ? 'admin' : 'moderator');
      expect(res.statusCode, password).toBe(400);
      expect(res.json(), password).toEqual({ error: 'VALIDATION', message });
    }
    expect(app.triage.stores.auth.getByUsername('zoe-moderates')).toBeUndefined();

    const zoe = await add('zoe', 'zoe reads every thread');
    expect(zoe.statusCode).toBe(200);
    const id = zoe.json().user.id as number;
    const patch = await app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: { cookie: admin.cookie }, payload: { password: 'qwertyuiopasdf' } });
    expect(patch.statusCode).toBe(400);
    expect(patch.json().message).toMatch(/^password is too easy to guess: it is mostly a common password/);
    const good = await app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: { cookie: admin.cookie }, payload: { password: 'zoe has a new passphrase' } });
    expect(good.statusCode).toBe(200);
  });

  it('TRIAGE_ADMIN_PASSWORD (the first admin) must pass the rule', () => {
    expect(() => resolveConfig({ adminPassword: '        ' })).toThrow('TRIAGE_ADMIN_PASSWORD must not be only spaces');
    expect(() => resolveConfig({}, { adminPassword: '123456789012' })).toThrow('--admin-password is a common password');
    expect(() => resolveConfig({ adminPassword: 'admin-admin-admin' })).toThrow('TRIAGE_ADMIN_PASSWORD must not be built from the username');
    expect(resolveConfig({ adminPassword: 'correct horse battery' }).adminPassword).toBe('correct horse battery');
  });

  it('npx triage user add refuses a weak password, and a generated one passes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'triage-user-cli-'));
    try {
      const db = join(dir, 'triage.db');
      const run = (...args: string[]) =>
        spawnSync(process.execPath, [join(ROOT, 'bin/triage.mjs'), 'user', 'add', ...args, '--db', db], { cwd: ROOT, encoding: 'utf8', input: '' });
      const weak = run('sam', '--role', 'moderator', '--password', '12345678');
      expect(weak.status).toBe(1);
      expect(weak.stderr.trim()).toBe('triage user add: password must be at least 12 characters (this one has 8)');
      const generated = run('sam', '--role', 'moderator');
      expect(generated.stderr).toBe('');
      expect(generated.status).toBe(0);
      expect(generated.stdout).toMatch(/Password: \S{24} {2}\(shown only now\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
