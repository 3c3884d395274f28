import { api, setUnauthenticatedHandler, type Role, type User } from '../api.ts';

const RANK: Record<Role, number> = { moderator: 1, lead: 2, admin: 3 };

/** Who is signed in. `checking` until `/api/me` has answered once. */
class SessionState {
  user = $state<User | null>(null);
  checking = $state(true);

  constructor() {
    setUnauthenticatedHandler(() => {
      this.user = null;
    });
  }

  async check(): Promise<void> {
    try {
      this.user = (await api.me()).user;
    } catch {
      this.user = null;
    } finally {
      this.checking = false;
    }
  }

  async signIn(username: string, password: string): Promise<void> {
    this.user = (await api.login(username, password)).user;
  }

  async signOut(): Promise<void> {
    try {
      await api.logout();
    } finally {
      this.user = null;
    }
  }

  /** Roles are ordered moderator < lead < admin. */
  can(role: Role): boolean {
    return this.user !== null && RANK[this.user.role] >= RANK[role];
  }
}

export const session = new SessionState();
