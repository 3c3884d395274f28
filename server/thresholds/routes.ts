import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentUser, requireRole } from '../auth/hooks.ts';
import type { ReadRunner } from '../reads/runner.ts';
import { analysisSchema, getThresholdsSchema, historySchema, parseThreshold, putThresholdsSchema, shadowSchema, whatIfSchema } from './schemas.ts';
import type { ThresholdService } from './service.ts';

export interface ThresholdRouteOptions {
  thresholds: ThresholdService;
  /** Runs the analysis, what-if and shadow view off the event loop when the database is a file. */
  reads: ReadRunner;
}

/**
 * Reading thresholds, their history, the evidence and the shadow view is open
 * to every signed-in user (moderators learn from the agreement figures);
 * changing thresholds is for admins.
 */
export async function thresholdRoutes(fastify: FastifyInstance, { thresholds, reads }: ThresholdRouteOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/api/thresholds', { schema: getThresholdsSchema }, async () => {
    const version = thresholds.current();
    return { version, thresholds: version.values };
  });

  app.put('/api/thresholds', { schema: putThresholdsSchema, preHandler: requireRole('admin') }, (request) =>
    thresholds.update(request.body.thresholds, {
      moderatorId: currentUser(request).id,
      reason: request.body.reason ?? null,
      basedOn: request.body.version?.id,
    }),
  );

  app.get('/api/thresholds/history', { schema: historySchema }, async () => ({ versions: thresholds.history() }));

  app.get('/api/thresholds/shadow', { schema: shadowSchema }, async () => reads.run('thresholds.shadow', {}));

  app.get('/api/thresholds/:label/analysis', { schema: analysisSchema }, async (request) => {
    const q = request.query;
    const opts = {
      candidate: q.candidate === undefined ? undefined : parseThreshold(q.candidate),
      targetPrecision: q.targetPrecision,
      targetRecall: q.targetPrecision === undefined ? q.targetRecall : undefined,
      bins: q.bins,
      listLimit: q.limit,
    };
    return reads.run('thresholds.analyse', { label: request.params.label, opts });
  });

  app.get('/api/thresholds/:label/what-if', { schema: whatIfSchema }, async (request) => {
    const q = request.query;
    const args = { label: request.params.label, candidate: parseThreshold(q.candidate), direction: q.direction, offset: q.offset ?? 0, limit: q.limit ?? 50 };
    return reads.run('thresholds.whatIf', args);
  });
}
