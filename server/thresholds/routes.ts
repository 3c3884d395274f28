import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { currentUser, requireRole } from '../auth/hooks.ts';
import type { Db } from '../db/open.ts';
import type { ReadRunner } from '../db/read-worker.ts';
import { analysisSchema, getThresholdsSchema, historySchema, parseThreshold, putThresholdsSchema, shadowSchema, whatIfSchema } from './schemas.ts';
import { createThresholdService } from './service.ts';

export interface ThresholdRouteOptions {
  db: Db;
  now: () => number;
  /** `<model id>@<version>` whose scores count. */
  model: () => string | null;
  /** Runs the analysis, what-if and shadow view off the event loop when the database is a file. */
  reads: ReadRunner;
}

/**
 * Reading thresholds, their history, the evidence and the shadow view is open
 * to every signed-in user (moderators learn from the agreement figures);
 * changing thresholds is for admins.
 */
export async function thresholdRoutes(fastify: FastifyInstance, { db, now, model, reads }: ThresholdRouteOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const thresholds = createThresholdService({ db, clock: now, model });
  const context = () => ({ model: model(), now: now() });

  app.get('/api/thresholds', { schema: getThresholdsSchema }, async () => ({ version: thresholds.current() }));

  app.put('/api/thresholds', { schema: putThresholdsSchema, preHandler: requireRole('admin') }, async (request) =>
    thresholds.update(request.body.thresholds, { moderatorId: currentUser(request).id, reason: request.body.reason ?? null }),
  );

  app.get('/api/thresholds/history', { schema: historySchema }, async () => ({ versions: thresholds.history() }));

  app.get('/api/thresholds/shadow', { schema: shadowSchema }, async () => reads.run('thresholds.shadow', {}, context()));

  app.get('/api/thresholds/:label/analysis', { schema: analysisSchema }, async (request) => {
    const q = request.query;
    const opts = {
      candidate: q.candidate === undefined ? undefined : parseThreshold(q.candidate),
      targetPrecision: q.targetPrecision,
      targetRecall: q.targetPrecision === undefined ? q.targetRecall : undefined,
      bins: q.bins,
      listLimit: q.limit,
    };
    return reads.run('thresholds.analyse', { label: request.params.label, opts }, context());
  });

  app.get('/api/thresholds/:label/what-if', { schema: whatIfSchema }, async (request) => {
    const q = request.query;
    const args = { label: request.params.label, candidate: parseThreshold(q.candidate), direction: q.direction, offset: q.offset ?? 0, limit: q.limit ?? 50 };
    return reads.run('thresholds.whatIf', args, context());
  });
}
