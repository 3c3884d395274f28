import type { FastifyRequest, RouteOptions } from 'fastify';
import { CrossSiteRefused, Unauthenticated } from '../errors.ts';
import { CLIENT_HEADER, crossOriginRefusal, ownOrigin, STATE_CHANGING_METHODS } from './csrf.ts';
import type { IntegrationService, KeyHolder } from '../integrations/service.ts';
import { SESSION_COOKIE, type AuthService } from './service.ts';

/**
 * Who may call a route, declared with the route and denied by default:
 *
 *   app.get('/api/health', { config: { access: 'public' } }, handler)
 *
 * - `session` (the default, what a route without `access` gets): a signed-in
 *   user, from the session cookie; `request.user` is set.
 * - `public`: anyone. Only the health check, sign-in, the dashboard's files
 *   (the sign-in page must load without a session) and the /api/v1/ routes'
 *   OpenAPI document (read before one has a key).
 * - `apiKey`: a site, with `Authorization: Bearer KEY` (server/integrations/);
 *   `request.apiKey` is set. The `/api/v1/` routes. A session cookie does not
 *   count there, and a key does not count on session routes.
 *
 * A request no route matches gets the not-found answer, which is public: it
 * holds the dashboard's page or an error naming the path, never data. So an
 * unknown /api path is a 404 with or without a session, as documented.
 *
 * One onRequest hook checks it from `request.routeOptions.config`, the route
 * the router matched, never from the URL: however a path is spelled
 * (percent-escapes, case, extra slashes), it reaches a handler only through
 * that handler's own check. Another kind is one more entry in ACCESS_KINDS
 * and one more case in `accessHook`.
 */
export const ACCESS_KINDS = ['public', 'session', 'apiKey'] as const;
export type Access = (typeof ACCESS_KINDS)[number];

/** What a route that declares no `access` gets. */
export const DEFAULT_ACCESS: Access = 'session';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route (server/auth/access.ts); `session` when left out. */
    access?: Access;
  }
  interface FastifyRequest {
    /** Set by the access hook on every `apiKey` route: the key's id, name and source. */
    apiKey: KeyHolder | null;
  }
}

/** `Bearer KEY` → KEY; null for anything else. */
function bearerToken(header: string | undefined): string | null {
  const match = header ? /^Bearer +([A-Za-z0-9_-]{1,200}) *$/i.exec(header) : null;
  return match ? match[1] : null;
}

/** What the not-found answer gets (Fastify's 404 handler has no route options of its own). */
const NOT_FOUND_ACCESS: Access = 'public';

/** The route's access kind: its declaration, or the default. */
export function routeAccess(config: { access?: unknown } | undefined): Access {
  return (config?.access as Access | undefined) ?? DEFAULT_ACCESS;
}

/** onRoute hook: a route that declares an access kind nobody checks fails at start, not open at run time. */
export function checkAccessDeclaration(route: RouteOptions): void {
  const access = (route.config as { access?: unknown } | undefined)?.access;
  if (access !== undefined && !(ACCESS_KINDS as readonly unknown[]).includes(access)) {
    throw new Error(`route ${String(route.method)} ${route.url}: access must be one of ${ACCESS_KINDS.join(', ')} (got ${JSON.stringify(access)})`);
  }
}

/**
 * onRequest hook for every request, public or not:
 * 1. a state change (POST, PUT, PATCH, DELETE) from another origin is 403 (csrf.ts);
 * 2. the route's access kind: `public` goes on; `session` needs a live session
 *    (401 otherwise) and, for a state change, the client header (403 otherwise);
 *    `apiKey` needs a live key in `Authorization: Bearer KEY` (401 otherwise). A
 *    key request carries no cookie, so a page on another site cannot make the
 *    browser send it: it needs no client header (step 1 still refuses an Origin
 *    from another site).
 */
export function accessHook(auth: AuthService, integrations: IntegrationService) {
  return async function checkAccess(request: FastifyRequest): Promise<void> {
    const changesState = STATE_CHANGING_METHODS.has(request.method);
    if (changesState) {
      const refusal = crossOriginRefusal(request.headers, ownOrigin(request.protocol, request.host));
      if (refusal) throw new CrossSiteRefused(`Refused this ${request.method}: ${refusal}`);
    }
    const access = request.is404 ? NOT_FOUND_ACCESS : routeAccess(request.routeOptions.config);
    switch (access) {
      case 'public':
        return;
      case 'session': {
        const token = request.cookies[SESSION_COOKIE];
        const user = token ? auth.userForToken(token) : undefined;
        if (!user) throw new Unauthenticated(token ? 'Your session has ended; sign in again' : 'Sign in first');
        if (changesState && request.headers[CLIENT_HEADER.name] !== CLIENT_HEADER.value) {
          throw new CrossSiteRefused(
            `Refused this ${request.method}: a signed-in change needs the header ${CLIENT_HEADER.name}: ${CLIENT_HEADER.value} (the dashboard sends it; so must scripts)`,
          );
        }
        request.user = user;
        return;
      }
      case 'apiKey': {
        const header = request.headers.authorization;
        const key = bearerToken(header);
        const holder = key ? integrations.authenticate(key) : undefined;
        if (!holder) {
          throw new Unauthenticated(
            header === undefined
              ? 'This route needs an API key: Authorization: Bearer KEY (a signed-in session does not count)'
              : 'This API key is not valid: unknown, revoked, or not sent as Authorization: Bearer KEY',
          );
        }
        request.apiKey = holder;
        return;
      }
      default: {
        // Unreachable while checkAccessDeclaration runs on every route; denies if it ever is not.
        const unknown: never = access;
        throw new Unauthenticated(`Sign in first (unknown access ${String(unknown)})`);
      }
    }
  };
}
