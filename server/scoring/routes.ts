import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireRole } from '../auth/hooks.ts';
import type { ScoringPipeline } from './pipeline.ts';
import { getRescoreSchema, postRescoreSchema } from './schemas.ts';
import type { ScoringStore } from './store.ts';

export interface ScoringRouteOptions {
  store: ScoringStore;
  /** The background scorer; null when the server runs without one. */
  pipeline: ScoringPipeline | null;
  /** The model in force. */
  model: () => string | null;
  now: () => number;
}

/**
 * Rescoring every stored comment with the model in force. A server queues
 * these jobs itself when it starts with a new model; the admin's button
 * queues anything still missing (comments stored by a tool while it ran) and
 * failed jobs again. Reading the progress is open to every signed-in user.
 */
export async function scoringRoutes(fastify: FastifyInstance, { store, pipeline, model, now }: ScoringRouteOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  function status() {
    const m = model();
    const none = { total: 0, pending: 0, done: 0, failed: 0 };
    return {
      model: m,
      scoring: pipeline !== null,
      rescore: m ? store.rescoreCounts(m) : none,
      all: m ? store.counts(m) : none,
      scoredBy: store.scoredBy().map((r) => ({ model: r.model, comments: r.n })),
    };
  }

  app.get('/api/scoring/rescore', { schema: getRescoreSchema }, async () => status());

  app.post('/api/scoring/rescore', { schema: postRescoreSchema, preHandler: requireRole('admin') }, async (_request, reply) => {
    const m = model();
    const t = now();
    const queued = m ? store.enqueueMissing(m, t) : 0;
    const retried = m ? store.retryFailed(m, t) : 0;
    pipeline?.wake();
    return reply.status(202).send({ queued, retried, status: status() });
  });
}
