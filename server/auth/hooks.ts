import type { FastifyRequest } from 'fastify';
import { Forbidden, Unauthenticated } from '../errors.ts';
import { hasRole } from './service.ts';
import type { Role } from './roles.ts';
import type { User } from './store.ts';

/** The signed-in user of a request that passed the session check. */
export function currentUser(request: FastifyRequest): User {
  if (!request.user) throw new Unauthenticated();
  return request.user;
}

/**
 * preHandler for routes that need more than a session: moderator < lead < admin.
 * `{ preHandler: requireRole('admin') }`.
 */
export function requireRole(role: Role) {
  return async function checkRole(request: FastifyRequest): Promise<void> {
    if (!hasRole(currentUser(request), role)) throw new Forbidden(role);
  };
}
