import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentUser } from '../auth/hooks.ts';
import type { ModerationService } from '../moderation/service.ts';
import { authorActSchema, authorPageSchema, authorUndoSchema, hiddenByRuleSchema } from './schemas.ts';
import { BANNED_AUTHOR_RULE, type AuthorService } from './service.ts';

export async function authorRoutes(fastify: FastifyInstance, { authors, moderation }: { authors: AuthorService; moderation: ModerationService }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/api/authors', { schema: authorPageSchema }, async (request) => {
    const { source, key, ...page } = request.query;
    return authors.page({ source, key }, page);
  });

  // The service checks the role each action needs (trust and ban: lead).
  app.post('/api/authors/actions', { schema: authorActSchema }, async (request) => {
    const { source, key, ...input } = request.body;
    return { action: authors.act({ source, key }, input, currentUser(request)) };
  });

  app.post('/api/authors/actions/:id/undo', { schema: authorUndoSchema }, async (request) => ({ action: authors.undo(request.params.id, currentUser(request)) }));

  // Banned authors' comments hidden on arrival, still hidden: a moderator reverses one by deciding it again.
  app.get('/api/hidden-by-rule', { schema: hiddenByRuleSchema }, async (request) => {
    const decisions = moderation.ruleDecisions(BANNED_AUTHOR_RULE, currentUser(request));
    const comments = new Map(moderation.comments(decisions.map((d) => d.commentId)).map((c) => [c.id, c]));
    return { items: decisions.flatMap((decision) => (comments.has(decision.commentId) ? [{ decision, comment: comments.get(decision.commentId)! }] : [])) };
  });
}
