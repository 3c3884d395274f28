import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/open.ts';
import { BadCredentials, Conflict, Forbidden, NotFound, ValidationError } from '../errors.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { passwordProblem } from './password-policy.ts';
import { ROLES, type Role } from './roles.ts';
import { toUser, type AuthStore, type User } from './store.ts';
import { createLoginThrottle, type LoginThrottle } from './throttle.ts';

export const SESSION_COOKIE = 'triage_session';
/** A week: long enough for a run of shifts, short enough that a lost laptop's cookie dies. */
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

const RANK: Record<Role, number> = { moderator: 0, lead: 1, admin: 2 };

/** Roles are ordered: a lead can do what a moderator can, an admin what a lead can. */
export function hasRole(user: Pick<User, 'role'>, needed: Role): boolean {
  return RANK[user.role] >= RANK[needed];
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface AuthDeps {
  db: Db;
  store: AuthStore;
  now: () => number;
  /** Per-account limit on wrong passwords; default: in memory, on `now` (server/auth/throttle.ts). */
  throttle?: LoginThrottle;
  /** Told when a user signs out, before their session ends (moderation releases their claims). */
  onSignOut?: (user: User) => void;
}

// A fixed hash to verify against when the username is unknown, so a wrong
// name takes as long as a wrong password and does not reveal which names exist.
let decoyHash: Promise<string> | undefined;

function checkUsername(username: string): string {
  const name = username.trim();
  if (!/^[A-Za-z0-9._@-]{1,64}$/.test(name)) {
    throw new ValidationError('username must be 1-64 letters, digits or . _ @ -', { field: 'username' });
  }
  return name;
}

/** The password rule (server/auth/password-policy.ts), as a 400 naming what is wrong. */
function checkPassword(password: string, username: string): void {
  const problem = passwordProblem(password, username);
  if (problem) throw new ValidationError(`password ${problem}`, { field: 'password' });
}

export function createAuthService({ db, store, now, throttle = createLoginThrottle({ now }), onSignOut }: AuthDeps) {
  async function login(username: string, password: string): Promise<{ user: User; token: string; expiresAt: number }> {
    // Counted before the slow hash, so parallel guesses cannot slip past the limit.
    throttle.begin(username);
    const row = store.getByUsername(username.trim());
    if (!row || row.disabled) {
      decoyHash ??= hashPassword('decoy password');
      await verifyPassword(password, await decoyHash);
      throw new BadCredentials();
    }
    if (!(await verifyPassword(password, row.password_hash))) throw new BadCredentials();
    throttle.succeeded(username);
    const token = randomBytes(32).toString('base64url');
    const t = now();
    const expiresAt = t + SESSION_TTL_MS;
    db.transaction(() => {
      store.deleteExpiredSessions(t);
      store.insertSession({ tokenHash: hashToken(token), moderatorId: row.id, now: t, expiresAt });
    })();
    return { user: toUser(row), token, expiresAt };
  }

  async function addUser(input: { username: string; password: string; role: Role }): Promise<User> {
    const username = checkUsername(input.username);
    checkPassword(input.password, username);
    if (!ROLES.includes(input.role)) throw new ValidationError(`role must be one of ${ROLES.join(', ')}`, { field: 'role' });
    const passwordHash = await hashPassword(input.password);
    return db.transaction(() => {
      if (store.getByUsername(username)) throw new Conflict(`user ${username} already exists`, { field: 'username' });
      const id = store.insert({ username, passwordHash, role: input.role, now: now() });
      return { id, username, role: input.role };
    })();
  }

  async function updateUser(
    id: number,
    patch: { role?: Role; password?: string; disabled?: boolean },
    actor: User,
  ): Promise<User> {
    if (patch.password !== undefined) {
      const row = store.getById(id);
      if (!row) throw new NotFound('user', id);
      checkPassword(patch.password, row.username);
    }
    const passwordHash = patch.password !== undefined ? await hashPassword(patch.password) : undefined;
    return db.transaction(() => {
      const row = store.getById(id);
      if (!row) throw new NotFound('user', id);
      const losesAdmin = row.role === 'admin' && !row.disabled && ((patch.role && patch.role !== 'admin') || patch.disabled === true);
      // Someone must always be able to manage users.
      if (losesAdmin && store.countActiveAdmins() <= 1) throw new Conflict('the last active admin cannot be demoted or disabled');
      if (losesAdmin && id === actor.id && patch.disabled) throw new Forbidden('another admin');
      if (patch.role) store.updateRole(id, patch.role);
      if (passwordHash !== undefined) store.updatePassword(id, passwordHash);
      if (patch.disabled !== undefined) store.updateDisabled(id, patch.disabled);
      // A new password or a disabled account ends every session of that user.
      if (passwordHash !== undefined || patch.disabled) store.deleteSessionsOf(id);
      return toUser(store.getById(id)!);
    })();
  }

  return {
    login,
    /** The user behind a session cookie, or undefined when it is unknown, expired or disabled. */
    userForToken(token: string): User | undefined {
      const row = store.getSessionUser(hashToken(token), now());
      return row && toUser(row);
    },
    logout(token: string, user: User): void {
      onSignOut?.(user);
      store.deleteSession(hashToken(token));
    },
    addUser,
    updateUser,
    listUsers(): (User & { disabled: boolean })[] {
      return store.list().map((row) => ({ ...toUser(row), disabled: row.disabled === 1 }));
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
