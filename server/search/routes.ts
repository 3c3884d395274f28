import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { listCommentsSchema, searchSchema } from './schemas.ts';
import type { SearchService } from './service.ts';

/** Any signed-in user (the session check is the default: server/auth/access.ts). */
export async function searchRoutes(fastify: FastifyInstance, { search }: { search: SearchService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/api/comments', { schema: listCommentsSchema }, async (request) => search.list(request.query));

  app.get('/api/search', { schema: searchSchema }, async (request) => search.search(request.query));
}
