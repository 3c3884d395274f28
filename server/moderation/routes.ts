import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentUser } from '../auth/hooks.ts';
import type { ModerationService } from './service.ts';
import {
  bulkSchema,
  claimSchema,
  commentSchema,
  decideSchema,
  queueSchema,
  releaseSchema,
  statsSchema,
  threadSchema,
  threadsSchema,
  undoableSchema,
  undoSchema,
} from './schemas.ts';

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

  app.get('/api/decisions/undoable', { schema: undoableSchema }, async (request) => moderation.undoable(currentUser(request)));

  // Opening a comment claims it; the screen renews the claim while it stays open.
  app.post('/api/comments/:id/claim', { schema: claimSchema }, async (request) =>
    moderation.claim(request.params.id, currentUser(request), request.query.takeOver ?? false),
  );
  app.delete('/api/comments/:id/claim', { schema: releaseSchema }, async (request) => moderation.release(request.params.id, currentUser(request)));

  app.post('/api/decisions/:id/undo', { schema: undoSchema }, async (request) => moderation.undo(request.params.id, currentUser(request)));

  app.get('/api/stats', { schema: statsSchema }, async () => moderation.stats());
}
