import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentUser, requireRole } from '../auth/hooks.ts';
import { waitText } from '../auth/throttle.ts';
import { TooManyAttempts, Unauthenticated } from '../errors.ts';
import { createKeySchema, listKeysSchema, revokeKeySchema, sourceSchema } from './schemas.ts';
import type { IntegrationService, KeyHolder } from './service.ts';

/** Largest body a key route takes (the rest of the API: 1 MB). */
export const KEY_BODY_LIMIT_BYTES = 5 * 1024 * 1024;
/** Requests a key may make a minute, unless configured (TRIAGE_API_RATE_LIMIT). */
export const DEFAULT_KEY_RATE_LIMIT = 600;

/**
 * What every `/api/v1/` route declares: an API key (server/auth/access.ts),
 * a body of at most 5 MB, and `perMinute` requests a minute per key (counted
 * after the key is checked, so a request without a valid key never counts).
 */
export function keyRouteOptions(perMinute: number) {
  return {
    bodyLimit: KEY_BODY_LIMIT_BYTES,
    config: {
      access: 'apiKey' as const,
      rateLimit: {
        max: perMinute,
        timeWindow: 60_000,
        hook: 'preHandler' as const,
        keyGenerator: (request: FastifyRequest) => `api-key:${currentKey(request).id}`,
        errorResponseBuilder: (_request: FastifyRequest, context: { ttl: number; max: number }) =>
          new TooManyAttempts(`This API key made more than ${context.max} requests in a minute; try again in ${waitText(context.ttl)}`, Math.ceil(context.ttl / 1000)),
      },
    },
  };
}

/** The key of a request that passed the key check. */
export function currentKey(request: FastifyRequest): KeyHolder {
  if (!request.apiKey) throw new Unauthenticated('This route needs an API key: Authorization: Bearer KEY');
  return request.apiKey;
}

export async function integrationRoutes(
  fastify: FastifyInstance,
  { integrations, keyRateLimit }: { integrations: IntegrationService; keyRateLimit: number },
): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const admin = requireRole('admin');

  // Admins manage keys, signed in (the default access).
  app.get('/api/integrations/keys', { schema: listKeysSchema, preHandler: admin }, async () => ({ keys: integrations.listKeys() }));

  app.post('/api/integrations/keys', { schema: createKeySchema, preHandler: admin }, async (request) =>
    integrations.createKey(request.body, currentUser(request).id),
  );

  app.delete('/api/integrations/keys/:id', { schema: revokeKeySchema, preHandler: admin }, async (request) => ({
    apiKey: integrations.revokeKey(request.params.id),
  }));

  // Sites, with their key.
  app.get('/api/v1/source', { schema: sourceSchema, ...keyRouteOptions(keyRateLimit) }, async (request) => {
    const key = currentKey(request);
    return { source: key.source, key: { id: key.id, name: key.name } };
  });
}
