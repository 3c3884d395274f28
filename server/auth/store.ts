import type { Db } from '../db/open.ts';
import type { Role } from './roles.ts';

/** A row of `moderators`, as stored. */
export interface ModeratorRow {
  id: number;
  username: string;
  password_hash: string;
  role: Role;
  created_at: number;
  disabled: 0 | 1;
}

/** A signed-in person, as the API shows them. */
export interface User {
  id: number;
  username: string;
  role: Role;
}

export function toUser(row: Pick<ModeratorRow, 'id' | 'username' | 'role'>): User {
  return { id: row.id, username: row.username, role: row.role };
}

export function createAuthStore(db: Db) {
  const byId = db.prepare<{ id: number }, ModeratorRow>('SELECT * FROM moderators WHERE id = @id');
  const byUsername = db.prepare<{ username: string }, ModeratorRow>('SELECT * FROM moderators WHERE username = @username');
  const all = db.prepare<[], ModeratorRow>('SELECT * FROM moderators ORDER BY id');
  const countAll = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM moderators');
  const insertModerator = db.prepare<{ username: string; passwordHash: string; role: Role; now: number }>(
    'INSERT INTO moderators (username, password_hash, role, created_at) VALUES (@username, @passwordHash, @role, @now)',
  );
  const updateRole = db.prepare<{ id: number; role: Role }>('UPDATE moderators SET role = @role WHERE id = @id');
  const updatePassword = db.prepare<{ id: number; passwordHash: string }>(
    'UPDATE moderators SET password_hash = @passwordHash WHERE id = @id',
  );
  const updateDisabled = db.prepare<{ id: number; disabled: 0 | 1 }>('UPDATE moderators SET disabled = @disabled WHERE id = @id');
  const countActiveAdmins = db.prepare<[], { n: number }>(
    "SELECT count(*) AS n FROM moderators WHERE role = 'admin' AND disabled = 0",
  );

  const insertSession = db.prepare<{ tokenHash: string; moderatorId: number; now: number; expiresAt: number }>(
    'INSERT INTO sessions (token_hash, moderator_id, created_at, expires_at) VALUES (@tokenHash, @moderatorId, @now, @expiresAt)',
  );
  const sessionUser = db.prepare<{ tokenHash: string; now: number }, ModeratorRow>(
    `SELECT m.* FROM sessions s JOIN moderators m ON m.id = s.moderator_id
     WHERE s.token_hash = @tokenHash AND s.expires_at > @now AND m.disabled = 0`,
  );
  const deleteSession = db.prepare<{ tokenHash: string }>('DELETE FROM sessions WHERE token_hash = @tokenHash');
  const deleteSessionsOf = db.prepare<{ moderatorId: number }>('DELETE FROM sessions WHERE moderator_id = @moderatorId');
  const deleteExpired = db.prepare<{ now: number }>('DELETE FROM sessions WHERE expires_at <= @now');

  return {
    getById: (id: number) => byId.get({ id }),
    getByUsername: (username: string) => byUsername.get({ username }),
    list: () => all.all(),
    count: () => countAll.get()!.n,
    countActiveAdmins: () => countActiveAdmins.get()!.n,
    insert(m: { username: string; passwordHash: string; role: Role; now: number }): number {
      return Number(insertModerator.run(m).lastInsertRowid);
    },
    updateRole: (id: number, role: Role) => updateRole.run({ id, role }),
    updatePassword: (id: number, passwordHash: string) => updatePassword.run({ id, passwordHash }),
    updateDisabled: (id: number, disabled: boolean) => updateDisabled.run({ id, disabled: disabled ? 1 : 0 }),
    insertSession: (s: { tokenHash: string; moderatorId: number; now: number; expiresAt: number }) => insertSession.run(s),
    getSessionUser: (tokenHash: string, now: number) => sessionUser.get({ tokenHash, now }),
    deleteSession: (tokenHash: string) => deleteSession.run({ tokenHash }),
    deleteSessionsOf: (moderatorId: number) => deleteSessionsOf.run({ moderatorId }),
    deleteExpiredSessions: (now: number) => deleteExpired.run({ now }),
  };
}

export type AuthStore = ReturnType<typeof createAuthStore>;
