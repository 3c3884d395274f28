import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentUser } from '../auth/hooks.ts';
import type { ModerationService } from './service.ts';
import { bulkSchema, commentSchema, decideSchema, queueSchema, statsSchema, threadSchema, threadsSchema, undoSchema } from './schemas.ts';

export async function moderationRoutes(fastify: FastifyInstance, { moderation }: { moderation: ModerationService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/api/queue', { schema: queueSchema }, async (request) => moderation.queue(request.query));

  app.get('/api/threads', { schema: threadsSchema }, async (request) => moderation.listThreads(request.query));

  app.get('/api/threads/:id', { schema: threadSchema }, async (request) => moderation.getThread(request.params.id));

  app.get('/api/comments/:id', { schema: commentSchema }, async (request) => moderation.getContext(request.params.id, currentUser(request)));

  // Every signed-in role is at least a moderator; the service checks what escalations need.
  app.post('/api/comments/:id/decision', { schema: decideSchema }, async (request) =>
    moderation.decide(request.params.id, request.body, currentUser(request)),
  );

  app.post('/api/decisions', { schema: bulkSchema }, async (request) => moderation.decideBulk(request.body, currentUser(request)));

  app.post('/api/decisions/:id/undo', { schema: undoSchema }, async (request) => moderation.undo(request.params.id, currentUser(request)));

  app.get('/api/stats', { schema: statsSchema }, async () => moderation.stats());
}
