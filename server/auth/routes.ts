import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Unauthenticated } from '../errors.ts';
import type { AuthService } from './service.ts';
import { SESSION_COOKIE, SESSION_TTL_MS } from './service.ts';
import { currentUser, requireRole } from './hooks.ts';
import { addUserSchema, listUsersSchema, loginSchema, logoutSchema, meSchema, updateUserSchema } from './schemas.ts';
import { LOGIN_ADDRESS_LIMIT } from './throttle.ts';

// Every route here needs a session (server/auth/access.ts) but sign-in, which says so.
export async function authRoutes(fastify: FastifyInstance, { auth }: { auth: AuthService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  // Public, and limited per client address on top of the service's per-account limit.
  app.post('/api/auth/login', { schema: loginSchema, config: { access: 'public', rateLimit: LOGIN_ADDRESS_LIMIT } }, async (request, reply) => {
    const { user, token } = await auth.login(request.body.username, request.body.password);
    reply.setCookie(SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: request.protocol === 'https',
      maxAge: SESSION_TTL_MS / 1000,
    });
    return { user };
  });

  app.post('/api/auth/logout', { schema: logoutSchema }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (!token) throw new Unauthenticated();
    auth.logout(token, currentUser(request));
    reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https' });
    return { ok: true as const };
  });

  app.get('/api/me', { schema: meSchema }, async (request) => ({ user: currentUser(request) }));

  app.get('/api/users', { schema: listUsersSchema, preHandler: requireRole('admin') }, async () => ({
    users: auth.listUsers(),
  }));

  app.post('/api/users', { schema: addUserSchema, preHandler: requireRole('admin') }, async (request) => ({
    user: await auth.addUser(request.body),
  }));

  app.patch('/api/users/:id', { schema: updateUserSchema, preHandler: requireRole('admin') }, async (request) => ({
    user: await auth.updateUser(request.params.id, request.body, currentUser(request)),
  }));
}
